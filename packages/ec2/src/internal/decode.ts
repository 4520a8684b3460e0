/**
 * The IMDS credentials document (decisions §9), decoded without ever echoing it: strict UTF-8 and JSON, `Code`
 * other than `Success` reported with its `Code` and `Message`, required fields named when missing, `Expiration`
 * parsed as strict ISO 8601, and the secret key and session token wrapped in `Redacted` at once.
 */
import { AwsCredentials } from "@credkit/core"

/** The outcome of decoding; messages never contain the document or any value from it but `Code`/`Message`. */
export type Decoded =
  | { readonly _tag: "Ok"; readonly credentials: AwsCredentials.AwsCredentials }
  | { readonly _tag: "Failed"; readonly code: string; readonly message: string }
  | { readonly _tag: "Invalid"; readonly message: string }

// Field names of the document: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
const REQUIRED = ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"] as const
const SUCCESS = "Success"

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
const daysIn = (year: number, month: number): number =>
  month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0)

/**
 * Parses an ISO 8601 timestamp with date, time and zone (`2026-01-01T00:00:00Z`, `…+02:00`, fractions allowed);
 * anything looser (no zone, no seconds, day 31 in a 30-day month) is `undefined`.
 */
export const parseTimestamp = (text: string): Date | undefined => {
  const match = ISO_8601.exec(text)
  if (match === null) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  const sign = match[9] === "-" ? -1 : 1
  const offsetHours = match[10] === undefined ? 0 : Number(match[10])
  const offsetMinutes = match[11] === undefined ? 0 : Number(match[11])
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined
  const millis = match[7] === undefined ? 0 : Math.floor(Number(`0${match[7]}`) * 1000)
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  const utc = new Date(0)
  utc.setUTCFullYear(year, month - 1, day)
  utc.setUTCHours(hour, minute, second, millis)
  return new Date(utc.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000)
}

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
