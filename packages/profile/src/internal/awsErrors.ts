/**
 * Maps errors of the AWS SDK clients and providers credkit delegates to (STS, SSO, web identity) onto the reasons
 * of `CredentialsError`. The SDK has already retried throttling and 5xx answers when an error arrives here.
 */
import { CredentialsError } from "@credkit/core"

/** The caller may not assume the role: the trust policy or the caller's permissions. */
const TRUST_CODES = new Set(["AccessDenied", "AssumeRoleUnauthorizedAccess"])

/** The credentials or token presented were refused. */
const REFUSED_CODES = new Set([
  "ExpiredToken",
  "InvalidIdentityToken",
  "IDPRejectedClaim",
  "InvalidClientTokenId",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "UnrecognizedClient",
  "Unauthorized"
])

/** Answers worth another try later; the SDK's own retries are exhausted. */
const BUSY_CODES = new Set([
  "Throttling",
  "RequestLimitExceeded",
  "TooManyRequests",
  "IDPCommunicationError",
  "ServiceUnavailable",
  "InternalFailure"
])

/** A token file that cannot be read, and the like: the configuration points at something unusable. */
const FILE_CODES = new Set(["ENOENT", "EACCES", "EISDIR", "ENOTDIR", "EPERM"])

interface SdkError {
  readonly name?: unknown
  readonly code?: unknown
  readonly message?: unknown
  readonly $fault?: unknown
  readonly $metadata?: { readonly httpStatusCode?: unknown }
}

// SDK messages name ARNs, files and conditions, never credentials; they are cut short all the same.
const detail = (error: SdkError): string =>
  typeof error.message === "string" && error.message !== "" ? `: ${error.message.slice(0, 300)}` : ""

const transportKind = (code: string): "refused" | "timeout" | "reset" | "other" =>
  code === "ECONNREFUSED"
    ? "refused"
    : code === "TimeoutError" || code === "ETIMEDOUT" || code === "RequestTimeout"
      ? "timeout"
      : code === "ECONNRESET" || code === "EPIPE"
        ? "reset"
        : "other"

/**
 * `what` names the call ("AssumeRole of arn:... (profile "A") via STS in us-east-1"); `trustHint` is added to
 * access-denied answers.
 */
export const mapAwsError = (label: string, what: string, cause: unknown, trustHint?: string): CredentialsError => {
  const error = (typeof cause === "object" && cause !== null ? cause : {}) as SdkError
  const code =
    typeof error.code === "string" ? error.code : typeof error.name === "string" ? error.name : "UnknownError"
  // The SDK names modelled errors after their code plus "Exception" (InvalidIdentityToken → ...Exception).
  const known = code.endsWith("Exception") && code !== "Exception" ? code.slice(0, -"Exception".length) : code
  const status = typeof error.$metadata?.httpStatusCode === "number" ? error.$metadata.httpStatusCode : undefined
  const answered = status === undefined ? "" : ` with HTTP ${status}`
  const message = `${what} failed${answered} (${code})${detail(error)}`

  if (TRUST_CODES.has(known)) return CredentialsError.unauthorized(label, message, { code, hint: trustHint, cause })
  if (REFUSED_CODES.has(known)) return CredentialsError.unauthorized(label, message, { code, cause })
  if (FILE_CODES.has(code)) return CredentialsError.misconfigured(label, message, { cause })
  if (BUSY_CODES.has(known) || (status !== undefined && status >= 500) || error.$fault === "server") {
    return CredentialsError.transport(label, "status", message, {
      hint: "the service is busy or failing; the next fetch tries again",
      cause
    })
  }
  if (status === undefined && code === "CredentialsProviderError") {
    return CredentialsError.unauthorized(label, message, { code, cause })
  }
  if (status === undefined) return CredentialsError.transport(label, transportKind(code), message, { cause })
  return CredentialsError.misconfigured(label, message, { cause })
}
