/**
 * The credentials model shared by every credkit source: an access key id, the secret key and session token held
 * as `Redacted` from the moment they are decoded, an optional expiration and account id, and a source label that
 * says where they came from.
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"

import { parseTimestamp } from "./internal/timestamp.js"

/**
 * AWS credentials as credkit hands them around. `secretAccessKey` and `sessionToken` stay `Redacted` until they
 * leave credkit to sign a request.
 *
 * @category models
 * @since 0.1.0
 */
export interface AwsCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string> | undefined
  /** When the credentials stop working; absent for long-term keys. */
  readonly expiration?: Date | undefined
  /** The expiration the source reported, kept when the cache extends credentials under static stability. */
  readonly originalExpiration?: Date | undefined
  readonly accountId?: string | undefined
  /** A label that is never secret: `env`, `static`, `profile:<name>`, `container`, `ec2:<role>`, ... */
  readonly source: string
}

/**
 * Plain input for `make`: the secret parts may be given as strings and are wrapped at once.
 *
 * @category models
 * @since 0.1.0
 */
export interface Input {
  readonly accessKeyId: string
  readonly secretAccessKey: string | Redacted.Redacted<string>
  readonly sessionToken?: string | Redacted.Redacted<string> | undefined
  readonly expiration?: Date | undefined
  readonly accountId?: string | undefined
  readonly source: string
}

const redact = (value: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.isRedacted(value) ? value : Redacted.make(value)

/**
 * Builds credentials, wrapping the secret key and session token in `Redacted`. An empty session token means none.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (input: Input): AwsCredentials => {
  const sessionToken =
    input.sessionToken === undefined || (typeof input.sessionToken === "string" && input.sessionToken === "")
      ? undefined
      : redact(input.sessionToken)
  return {
    accessKeyId: input.accessKeyId,
    secretAccessKey: redact(input.secretAccessKey),
    ...(sessionToken !== undefined ? { sessionToken } : {}),
    ...(input.expiration !== undefined ? { expiration: input.expiration } : {}),
    ...(input.accountId !== undefined && input.accountId !== "" ? { accountId: input.accountId } : {}),
    source: input.source
  }
}

/**
 * The last four characters of the access key id: the most of it that logs and reports show.
 *
 * @category models
 * @since 0.1.0
 */
export const accessKeyIdSuffix = (credentials: Pick<AwsCredentials, "accessKeyId">): string =>
  credentials.accessKeyId.slice(-4)

/**
 * Milliseconds until the credentials expire at `now`, or `undefined` when they never do.
 *
 * @category models
 * @since 0.1.0
 */
export const millisLeft = (credentials: AwsCredentials, now: number): number | undefined =>
  credentials.expiration === undefined ? undefined : credentials.expiration.getTime() - now

/**
 * True when two values name the same credentials: same key id, secret, token and expiration.
 *
 * @category models
 * @since 0.1.0
 */
export const isSame = (a: AwsCredentials, b: AwsCredentials): boolean =>
  a.accessKeyId === b.accessKeyId &&
  Redacted.value(a.secretAccessKey) === Redacted.value(b.secretAccessKey) &&
  (a.sessionToken === undefined ? undefined : Redacted.value(a.sessionToken)) ===
    (b.sessionToken === undefined ? undefined : Redacted.value(b.sessionToken)) &&
  a.expiration?.getTime() === b.expiration?.getTime()

/**
 * A description safe for logs: source, key id suffix and expiration.
 *
 * @category models
 * @since 0.1.0
 */
export const describe = (credentials: AwsCredentials): string =>
  `${credentials.source} (key …${accessKeyIdSuffix(credentials)}${
    credentials.expiration === undefined ? ", no expiration" : `, expires ${credentials.expiration.toISOString()}`
  })`

/**
 * Parses an expiration as the AWS services write it: ISO 8601 with date, time and zone (`2026-01-01T00:00:00Z`,
 * `…+02:00`, fractions allowed). Anything looser (no zone, a local time, a day the month does not have) is
 * `undefined`, so an expiry never shifts with the machine's time zone.
 *
 * @category constructors
 * @since 0.1.0
 */
export const parseExpiration = (text: string): Date | undefined => parseTimestamp(text)
