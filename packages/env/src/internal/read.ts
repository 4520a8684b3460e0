/**
 * The environment credentials reader: one pure function over an environment record, shared by the Effect source and
 * the Promise facade. It imports nothing, so the facade's success path never loads Effect. The error texts live
 * here too, so both paths say the same thing.
 */

// Variable names of the AWS SDKs' environment provider:
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html
export const AWS_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID"
export const AWS_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY"
export const AWS_SESSION_TOKEN = "AWS_SESSION_TOKEN"
// Set by the AWS CLI's `configure export-credentials --format env` and other tools that export temporary keys.
export const AWS_CREDENTIAL_EXPIRATION = "AWS_CREDENTIAL_EXPIRATION"
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-account-endpoints.html
export const AWS_ACCOUNT_ID = "AWS_ACCOUNT_ID"

/** Every variable the reader looks at. */
export const ENV_VARIABLES = [
  AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY,
  AWS_SESSION_TOKEN,
  AWS_CREDENTIAL_EXPIRATION,
  AWS_ACCOUNT_ID
] as const

/** The source label of environment credentials (api.md). */
export const SOURCE = "env"

export const ABSENT_MESSAGE = `${AWS_ACCESS_KEY_ID} and ${AWS_SECRET_ACCESS_KEY} are not set`
export const ABSENT_HINT = `to use keys from the environment, export ${AWS_ACCESS_KEY_ID} and ${AWS_SECRET_ACCESS_KEY} (and ${AWS_SESSION_TOKEN} for temporary keys)`
export const MISSING_SECRET_MESSAGE = `${AWS_ACCESS_KEY_ID} is set but ${AWS_SECRET_ACCESS_KEY} is not (or is blank)`
export const MISSING_KEY_MESSAGE = `${AWS_SECRET_ACCESS_KEY} is set but ${AWS_ACCESS_KEY_ID} is not (or is blank)`
export const INCOMPLETE_HINT =
  `set both ${AWS_ACCESS_KEY_ID} and ${AWS_SECRET_ACCESS_KEY}, ` + "or unset both so the next source is tried"
export const EXPIRATION_HINT =
  "use an ISO-8601 date-time with a time zone, e.g. 2030-01-01T00:00:00Z, " + `or unset ${AWS_CREDENTIAL_EXPIRATION}`

// The expiration is not secret; a long value is cut so a pasted blob cannot flood the message.
const EXPIRATION_ECHO_LIMIT = 40

export const invalidExpirationMessage = (value: string): string =>
  `${AWS_CREDENTIAL_EXPIRATION} is not an ISO-8601 date-time with a time zone (got "${
    value.length > EXPIRATION_ECHO_LIMIT ? `${value.slice(0, EXPIRATION_ECHO_LIMIT)}…` : value
  }")`

export const expiredMessage = (expiration: Date): string =>
  `the credentials in ${AWS_ACCESS_KEY_ID}/${AWS_SECRET_ACCESS_KEY} expired at ${expiration.toISOString()} ` +
  `(${AWS_CREDENTIAL_EXPIRATION}); whatever sets these variables must renew them`

/**
 * Advanced: what the environment holds. Secrets are plain strings here, so a caller must wrap them at once
 * (`Redacted` in the Effect source, the AWS SDK identity in the Promise facade) and never log the result.
 *
 * @category models
 * @since 0.1.0
 */
export type EnvReading =
  | {
      readonly _tag: "Found"
      readonly accessKeyId: string
      readonly secretAccessKey: string
      readonly sessionToken?: string
      readonly expiration?: Date
      readonly accountId?: string
    }
  | { readonly _tag: "Absent"; readonly message: string; readonly hint: string }
  | { readonly _tag: "Invalid"; readonly message: string; readonly variable: string; readonly hint: string }

// RFC 3339 profile of ISO-8601: date, time, optional fraction, and a mandatory zone, since a local time would be
// read in whatever zone the process happens to run in.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i

/** A variable's value, or `undefined` when it is unset, empty or whitespace only (decisions §4). */
const present = (env: Record<string, string | undefined>, name: string): string | undefined => {
  const value = env[name]
  return value === undefined || value.trim() === "" ? undefined : value
}

const parseExpiration = (value: string): Date | undefined => {
  const trimmed = value.trim()
  if (!ISO_DATE_TIME.test(trimmed)) return undefined
  // Date.parse rolls 2030-02-30 over into March; a day the month does not have is rejected instead.
  const [year, month, day] = trimmed.slice(0, 10).split("-").map(Number) as [number, number, number]
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined
  const millis = Date.parse(trimmed)
  return Number.isNaN(millis) ? undefined : new Date(millis)
}

/**
 * Advanced: reads environment credentials from a record such as `process.env`, without Effect, for callers that
 * build their own fast path. Both keys → `Found`; neither → `Absent` (a chain moves on); one without the other, or
 * an unreadable `AWS_CREDENTIAL_EXPIRATION` → `Invalid` naming the variable (a chain stops). Blank values count as
 * unset. It does not compare the expiration with the clock.
 *
 * @category constructors
 * @since 0.1.0
 */
export const readEnvCredentials = (env: Record<string, string | undefined>): EnvReading => {
  const accessKeyId = present(env, AWS_ACCESS_KEY_ID)
  const secretAccessKey = present(env, AWS_SECRET_ACCESS_KEY)
  if (accessKeyId === undefined && secretAccessKey === undefined)
    return { _tag: "Absent", message: ABSENT_MESSAGE, hint: ABSENT_HINT }
  if (secretAccessKey === undefined) {
    return { _tag: "Invalid", message: MISSING_SECRET_MESSAGE, variable: AWS_SECRET_ACCESS_KEY, hint: INCOMPLETE_HINT }
  }
  if (accessKeyId === undefined) {
    return { _tag: "Invalid", message: MISSING_KEY_MESSAGE, variable: AWS_ACCESS_KEY_ID, hint: INCOMPLETE_HINT }
  }

  const rawExpiration = present(env, AWS_CREDENTIAL_EXPIRATION)
  const expiration = rawExpiration === undefined ? undefined : parseExpiration(rawExpiration)
  if (rawExpiration !== undefined && expiration === undefined) {
    return {
      _tag: "Invalid",
      message: invalidExpirationMessage(rawExpiration),
      variable: AWS_CREDENTIAL_EXPIRATION,
      hint: EXPIRATION_HINT
    }
  }
  const sessionToken = present(env, AWS_SESSION_TOKEN)
  const accountId = present(env, AWS_ACCOUNT_ID)

  return {
    _tag: "Found",
    accessKeyId,
    secretAccessKey,
    ...(sessionToken !== undefined ? { sessionToken } : {}),
    ...(expiration !== undefined ? { expiration } : {}),
    ...(accountId !== undefined ? { accountId } : {})
  }
}
