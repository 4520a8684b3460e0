/**
 * Turns failures into what a user reads: a code, a message that names what failed and what to check, and whether it
 * concerns one object or the whole run. Messages are composed here and never copy a raw S3 response or error body,
 * since a signature error from S3 may echo the canonical request (with the session token in it).
 */

/** How far a failure reaches: one object, or everything (the bucket, the credentials, the configuration). */
export type Scope = "object" | "run" | "configuration"

export interface Problem {
  readonly code: string
  readonly message: string
  readonly hint?: string | undefined
  readonly scope: Scope
}

export interface Where {
  readonly bucket: string
  readonly key?: string | undefined
  /** The endpoint URL or "AWS S3". */
  readonly target: string
  /** The credential source label. */
  readonly source: string | undefined
}

// Node's file-system error codes worth a sentence of their own.
const FILE_ERRORS: Record<string, string> = {
  ENOENT: "the file does not exist (removed after it was listed?)",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ELOOP: "too many levels of symbolic links",
  EIO: "I/O error",
  EMFILE: "too many open files"
}

/** A file-system error as a short reason. */
export const describeFileError = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code !== undefined && FILE_ERRORS[code] !== undefined) return `${FILE_ERRORS[code]} (${code})`
  return code !== undefined ? `cannot read (${code})` : "cannot read"
}

const codeOf = (error: unknown): string => {
  const value = error as { name?: unknown; code?: unknown; Code?: unknown } | undefined
  for (const candidate of [value?.Code, value?.name, value?.code]) {
    if (typeof candidate === "string" && candidate !== "" && candidate !== "Error") return candidate
  }
  return "Error"
}

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "TimeoutError"])

/** An error from S3, the network, the credentials provider or the file system, as a `Problem`. */
export const describe = (error: unknown, where: Where): Problem => {
  const code = codeOf(error)
  const object = where.key === undefined ? `s3://${where.bucket}` : `s3://${where.bucket}/${where.key}`
  const from = where.source === undefined ? "" : ` from ${where.source}`
  const run = (message: string, hint?: string): Problem => ({ code, message, hint, scope: "run" })

  if (code === "CredentialsError") {
    const failure = error as { message: string; reason?: { _tag?: string; hint?: string } }
    return {
      code: `CredentialsError.${failure.reason?._tag ?? "Unknown"}`,
      message: `no credentials: ${failure.message}`,
      hint: failure.reason?.hint,
      scope: failure.reason?._tag === "Misconfigured" ? "configuration" : "run"
    }
  }
  switch (code) {
    case "NoSuchBucket":
      return run(
        `bucket "${where.bucket}" does not exist at ${where.target}`,
        "create the bucket, or check its name, --region and --endpoint"
      )
    case "AccessDenied":
    case "Forbidden":
    case "AllAccessDisabled":
      return {
        code,
        message: `access denied to ${object} for the credentials${from}`,
        hint: "the identity needs s3:PutObject, and s3:GetObject to verify (s3:ListBucket for the bucket check)",
        scope: "object"
      }
    case "InvalidAccessKeyId":
      return run(
        `S3 does not know the access key id of the credentials${from} (InvalidAccessKeyId)`,
        "the key may be deleted or belong to another partition or endpoint; check the credentials"
      )
    case "SignatureDoesNotMatch":
      return run(
        `S3 rejected the request signature: the secret key${from} does not match its access key id (SignatureDoesNotMatch)`,
        "check the secret access key (AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key)"
      )
    case "ExpiredToken":
    case "TokenRefreshRequired":
      return run(`the session credentials${from} have expired (${code})`, "refresh them, or check the clock")
    case "InvalidToken":
      return run(`S3 rejected the session token of the credentials${from} (InvalidToken)`)
    case "PermanentRedirect":
    case "AuthorizationHeaderMalformed":
    case "IllegalLocationConstraintException":
      return run(`bucket "${where.bucket}" is in another region (${code})`, "pass the bucket's region with --region")
    case "NoSuchKey":
    case "NotFound":
      return {
        code,
        message: `${object} was not found when it was read back`,
        scope: where.key === undefined ? "run" : "object"
      }
    case "AbortError":
      return { code, message: "interrupted", scope: "run" }
  }
  if (code.startsWith("E") && code === code.toUpperCase()) {
    if (NETWORK_CODES.has(code))
      return run(`cannot reach ${where.target} (${code})`, "check --endpoint and the network")
    return { code, message: describeFileError(error), scope: "object" }
  }
  if (NETWORK_CODES.has(code)) return run(`cannot reach ${where.target} (${code})`, "check --endpoint and the network")
  const message = (error as { message?: unknown } | undefined)?.message
  if (typeof message === "string" && /region is missing/i.test(message)) {
    return {
      code: "RegionMissing",
      message: "no region is set",
      hint: "pass --region or set AWS_REGION",
      scope: "configuration"
    }
  }
  const status = statusOf(error)
  return {
    code,
    message: `${object}: ${code}${status === undefined ? "" : ` (HTTP ${status})`}`,
    scope: "object"
  }
}
