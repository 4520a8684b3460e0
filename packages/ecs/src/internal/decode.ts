/**
 * Decoding of what the container endpoint answers: the credentials document of a 200 and the `{code, message}` body
 * of an error. Pure functions. A problem is described by field names only, never by values, and the secret fields
 * are `Redacted` as soon as they are read.
 */

import { AwsCredentials } from "@credkit/core"
import * as Redacted from "effect/Redacted"

/** What a credentials body decodes to. */
export type Decoded =
  | { readonly _tag: "Credentials"; readonly credentials: AwsCredentials.AwsCredentials }
  | { readonly _tag: "Invalid"; readonly problem: string }

/** The code and message an endpoint gives with an error status, already bounded and cleaned. */
export interface ServerError {
  readonly code?: string | undefined
  readonly message?: string | undefined
}

// The document's fields, as the ECS agent and the EKS Pod Identity agent write them.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
const REQUIRED_FIELDS = ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"] as const
const ACCOUNT_ID_FIELD = "AccountId"
// Expiration is ISO-8601 with a time zone (`2026-12-03T18:00:00Z`); other date formats are not accepted.
// Bounds on what an error body may add to a message.
const MAX_CODE_LENGTH = 64
const MAX_MESSAGE_LENGTH = 200
// Unicode category Cc: C0 and C1 control characters, line breaks included.
const CONTROL_CHARACTERS = /\p{Cc}+/gu

// JSON.parse's own error quotes the input, which may hold a secret: only "not JSON" is kept.
const parseObject = (body: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

const nonEmptyString = (value: unknown): value is string => typeof value === "string" && value !== ""

/** Decodes the credentials document of a 200 answer. `source` becomes the credentials' label. */
export const decodeCredentials = (body: string, source: string): Decoded => {
  const document = parseObject(body)
  if (document === undefined) return { _tag: "Invalid", problem: "the body is not a JSON object" }
  const missing = REQUIRED_FIELDS.filter((field) => !nonEmptyString(document[field]))
  if (missing.length > 0)
    return { _tag: "Invalid", problem: `the document lacks ${missing.join(", ")} (or they are not strings)` }
  const expiration = document["Expiration"] as string
  const expiresAt = AwsCredentials.parseExpiration(expiration)
  if (expiresAt === undefined) return { _tag: "Invalid", problem: "Expiration is not an ISO-8601 time" }
  const accountId = document[ACCOUNT_ID_FIELD]
  return {
    _tag: "Credentials",
    credentials: AwsCredentials.make({
      accessKeyId: document["AccessKeyId"] as string,
      secretAccessKey: Redacted.make(document["SecretAccessKey"] as string),
      sessionToken: Redacted.make(document["Token"] as string),
      expiration: expiresAt,
      accountId: nonEmptyString(accountId) ? accountId : undefined,
      source
    })
  }
}

const bounded = (value: unknown, max: number): string | undefined => {
  if (typeof value !== "string") return undefined
  const clean = value.replace(CONTROL_CHARACTERS, " ").trim()
  if (clean === "") return undefined
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}

/**
 * The `code` and `message` fields of an error body (the container agents' shape; `Code` and `Message` as IMDS
 * writes them are accepted too), length-bounded; nothing else of the body is kept.
 */
export const decodeServerError = (body: string): ServerError => {
  const document = parseObject(body)
  if (document === undefined) return {}
  return {
    code: bounded(document["code"] ?? document["Code"], MAX_CODE_LENGTH),
    message: bounded(document["message"] ?? document["Message"], MAX_MESSAGE_LENGTH)
  }
}

/** `code: message`, `code`, `message` or nothing, for error messages. */
export const describeServerError = (error: ServerError): string | undefined =>
  error.code !== undefined && error.message !== undefined
    ? `${error.code}: ${error.message}`
    : (error.code ?? error.message)
