/**
 * The IMDS credentials document (decisions §9), decoded without ever echoing it: strict UTF-8 and JSON, `Code`
 * other than `Success` reported with its `Code` and `Message`, required fields named when missing, `Expiration`
 * parsed as strict ISO 8601, and the secret key and session token wrapped in `Redacted` at once.
 */
import { AwsCredentials } from "@credkit/core"

/** The strict ISO 8601 parser every credkit decoder shares. */
export const parseTimestamp = AwsCredentials.parseExpiration

/** The outcome of decoding; messages never contain the document or any value from it but `Code`/`Message`. */
export type Decoded =
  | { readonly _tag: "Ok"; readonly credentials: AwsCredentials.AwsCredentials }
  | { readonly _tag: "Failed"; readonly code: string; readonly message: string }
  | { readonly _tag: "Invalid"; readonly message: string }

// Field names of the document: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
const REQUIRED = ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"] as const
const SUCCESS = "Success"

// Service text placed in messages: one line, bounded, printable.
const clean = (text: string, max: number): string =>
  text
    .replace(/[^\x20-\x7e]+/g, " ")
    .trim()
    .slice(0, max)

const parseJson = (body: Uint8Array): unknown => {
  // Pure helper: the exceptions stay here, and neither the body nor the parser's message (which quotes the input)
  // is kept.
  let text: string
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body)
  } catch {
    return NOT_UTF8
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    return NOT_JSON
  }
}

const NOT_UTF8 = Symbol("not-utf8")
const NOT_JSON = Symbol("not-json")

/** Decodes a credentials document served for `role`. */
export const decodeDocument = (body: Uint8Array, role: string): Decoded => {
  const parsed = parseJson(body)
  if (parsed === NOT_UTF8) return { _tag: "Invalid", message: "is not valid UTF-8" }
  if (parsed === NOT_JSON) return { _tag: "Invalid", message: "is not valid JSON" }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { _tag: "Invalid", message: "is not a JSON object" }
  }
  const document = parsed as Record<string, unknown>

  if (document.Code !== undefined && document.Code !== SUCCESS) {
    const code = typeof document.Code === "string" ? clean(document.Code, 80) : "(not a string)"
    const message = typeof document.Message === "string" ? clean(document.Message, 300) : ""
    return { _tag: "Failed", code: code === "" ? "(empty)" : code, message }
  }

  const missing = REQUIRED.filter((field) => document[field] === undefined || document[field] === null)
  if (missing.length > 0) return { _tag: "Invalid", message: `lacks ${missing.join(", ")}` }
  const notText = REQUIRED.filter((field) => typeof document[field] !== "string" || document[field] === "")
  if (notText.length > 0)
    return { _tag: "Invalid", message: `has ${notText.join(", ")} that are not non-empty strings` }

  const expiration = parseTimestamp(document.Expiration as string)
  if (expiration === undefined)
    return { _tag: "Invalid", message: "has an Expiration that is not an ISO 8601 timestamp" }
  const accountId = typeof document.AccountId === "string" && document.AccountId !== "" ? document.AccountId : undefined

  return {
    _tag: "Ok",
    credentials: AwsCredentials.make({
      accessKeyId: document.AccessKeyId as string,
      secretAccessKey: document.SecretAccessKey as string,
      sessionToken: document.Token as string,
      expiration,
      accountId,
      source: `ec2:${role}`
    })
  }
}
