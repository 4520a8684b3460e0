/**
 * Credential documents as IMDS and the container agents write them, with fields a test can override or drop
 * (`undefined`), for faults that serve a hand-made body.
 */
import { FIXTURE } from "./secrets.js"

/** An ISO 8601 UTC time with whole seconds, as AWS writes `Expiration`. */
export const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z")

const inAnHour = (): string => isoSeconds(new Date(Date.now() + 3_600_000))

const compact = (fields: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined))

/** An IMDS credentials document (`Code`, `LastUpdated`, `Type`, keys, `Expiration`, `AccountId`). */
export const imdsDocument = (overrides: Record<string, string | undefined> = {}): string =>
  JSON.stringify(
    compact({
      Code: "Success",
      LastUpdated: isoSeconds(new Date()),
      Type: "AWS-HMAC",
      AccessKeyId: FIXTURE.accessKeyId,
      SecretAccessKey: FIXTURE.secretAccessKey,
      Token: FIXTURE.sessionToken,
      Expiration: inAnHour(),
      AccountId: "123456789012",
      ...overrides
    }),
    null,
    2
  )

/** A container endpoint credentials document. */
export const containerDocument = (overrides: Record<string, string | undefined> = {}): string =>
  JSON.stringify(
    compact({
      AccessKeyId: FIXTURE.accessKeyId,
      SecretAccessKey: FIXTURE.secretAccessKey,
      Token: FIXTURE.sessionToken,
      Expiration: inAnHour(),
      AccountId: "123456789012",
      RoleArn: "arn:aws:iam::123456789012:role/credkit-role",
      ...overrides
    })
  )

/** Bytes that are not UTF-8 (a lone continuation byte, an overlong form, 0xFF) around a JSON-looking start. */
export const NOT_UTF8 = Uint8Array.from([0x7b, 0x22, 0x41, 0xff, 0xfe, 0x80, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])

/** A `credential_process` output document (`Version` 1). */
export const processDocument = (overrides: Record<string, string | number | undefined> = {}): string =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries({
        Version: 1,
        AccessKeyId: FIXTURE.accessKeyId,
        SecretAccessKey: FIXTURE.secretAccessKey,
        SessionToken: FIXTURE.sessionToken,
        Expiration: inAnHour(),
        ...overrides
      }).filter((entry) => entry[1] !== undefined)
    )
  )
