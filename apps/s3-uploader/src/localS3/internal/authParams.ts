/**
 * Reads the SigV4 parameters of a request, from the Authorization header or from a presigned URL's query, and
 * checks their shape. Pure: no keys are looked up and nothing is verified here.
 */
import { type Rejection, reject } from "./s3Error.js"

// SigV4 wire names, from the AWS "Signature Version 4 signing process" reference and the S3 presigned URL guide.
const ALGORITHM = "AWS4-HMAC-SHA256"
const AUTHORIZATION_HEADER = "authorization"
const DATE_HEADER = "x-amz-date"
const TOKEN_HEADER = "x-amz-security-token"
const CONTENT_SHA256_HEADER = "x-amz-content-sha256"
const SCOPE_TERMINATOR = "aws4_request"
// Presigned URLs live at most seven days (S3 presigned URL guide).
const MAX_PRESIGNED_SECONDS = 7 * 24 * 60 * 60

/** The `X-Amz-*` query parameters of a presigned URL; the front removes them before forwarding. */
export const PRESIGN_PARAMS = {
  algorithm: "X-Amz-Algorithm",
  credential: "X-Amz-Credential",
  date: "X-Amz-Date",
  expires: "X-Amz-Expires",
  signedHeaders: "X-Amz-SignedHeaders",
  signature: "X-Amz-Signature",
  token: "X-Amz-Security-Token"
} as const

/** The payload hash values S3 accepts besides a hex SHA-256 (S3 "Authenticating requests" guide). */
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
export const STREAMING_PREFIX = "STREAMING-"
const HEX_SHA256 = /^[0-9a-f]{64}$/
const STREAMING_VALUES = new Set([
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
])

export type Headers = Readonly<Record<string, ReadonlyArray<string> | undefined>>
export type QueryEntries = ReadonlyArray<readonly [string, string]>

/** The parameters of a SigV4-signed request. `sessionToken` is the token sent, compared later with the registered one. */
export interface SigV4Params {
  readonly kind: "header" | "query"
  readonly accessKeyId: string
  readonly region: string
  readonly service: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly signature: string
  readonly signingDate: Date
  readonly sessionToken: string | undefined
  readonly payloadHash: string
  /** Presigned URLs only: seconds the URL stays valid after `signingDate`. */
  readonly expiresSeconds: number | undefined
}

export const firstHeader = (headers: Headers, name: string): string | undefined => headers[name]?.[0]

const firstParam = (query: QueryEntries, name: string): string | undefined => query.find(([key]) => key === name)?.[1]

/** `20261203T163107Z` → Date, or undefined when the text is not in that form. */
const parseAmzDate = (text: string | undefined): Date | undefined => {
  const match = text === undefined ? null : /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(text)
  if (match === null) return undefined
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number]
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s))
  return Number.isNaN(date.getTime()) ? undefined : date
}

interface Common {
  readonly credential: string | undefined
  readonly signedHeaders: string | undefined
  readonly signature: string | undefined
  readonly amzDate: string | undefined
  readonly sessionToken: string | undefined
  readonly payloadHash: string | undefined
  readonly expiresSeconds: number | undefined
}

const finish = (kind: SigV4Params["kind"], common: Common): SigV4Params | Rejection => {
  const malformed = kind === "header" ? "AuthorizationHeaderMalformed" : "AuthorizationQueryParametersError"
  const scope = common.credential?.split("/")
  if (scope?.length !== 5 || scope[4] !== SCOPE_TERMINATOR || scope.slice(0, 4).some((part) => part === "")) {
    return reject(malformed, "The Credential must be <access key id>/<date>/<region>/<service>/aws4_request.")
  }
  const [accessKeyId, shortDate, region, service] = scope as [string, string, string, string]
  if (common.signedHeaders === undefined || common.signedHeaders === "" || common.signature === undefined) {
    return reject(malformed, "SignedHeaders and Signature are required.")
  }
  const signingDate = parseAmzDate(common.amzDate)
  if (signingDate === undefined) {
    return reject("AccessDenied", "AWS authentication requires a valid x-amz-date header or X-Amz-Date parameter.")
  }
  if (common.amzDate?.slice(0, 8) !== shortDate) {
    return reject(malformed, "Invalid credential date. Date is not the same as X-Amz-Date.")
  }
  const payloadHash = common.payloadHash
  if (payloadHash === undefined) {
    return reject("InvalidRequest", `Missing required header for this request: ${CONTENT_SHA256_HEADER}`)
  }
  if (payloadHash !== UNSIGNED_PAYLOAD && !STREAMING_VALUES.has(payloadHash) && !HEX_SHA256.test(payloadHash)) {
    return reject("InvalidArgument", `${CONTENT_SHA256_HEADER} must be ${UNSIGNED_PAYLOAD}, STREAMING-*, or a sha256.`)
  }
  return {
    kind,
    accessKeyId,
    region,
    service,
    signedHeaders: common.signedHeaders.split(";"),
    signature: common.signature,
    signingDate,
    sessionToken: common.sessionToken === "" ? undefined : common.sessionToken,
    payloadHash,
    expiresSeconds: common.expiresSeconds
  }
}

const fromHeader = (authorization: string, headers: Headers): SigV4Params | Rejection => {
  // Limitation: only AWS4-HMAC-SHA256 is verified. SigV4a (`AWS4-ECDSA-P256-SHA256`, multi-region access points) and
  // signature version 2 get InvalidRequest; no SDK setting of the uploader uses them. An ECDSA verifier would lift it.
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    return reject("InvalidRequest", `The authorization mechanism you have provided is not supported. Use ${ALGORITHM}.`)
  }
  const fields = new Map<string, string>()
  for (const part of authorization.slice(ALGORITHM.length + 1).split(",")) {
    const at = part.indexOf("=")
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim())
  }
  return finish("header", {
    credential: fields.get("Credential"),
    signedHeaders: fields.get("SignedHeaders"),
    signature: fields.get("Signature"),
    amzDate: firstHeader(headers, DATE_HEADER),
    sessionToken: firstHeader(headers, TOKEN_HEADER),
    payloadHash: firstHeader(headers, CONTENT_SHA256_HEADER),
    expiresSeconds: undefined
  })
}

const fromQuery = (query: QueryEntries, headers: Headers): SigV4Params | Rejection => {
  if (firstParam(query, PRESIGN_PARAMS.algorithm) !== ALGORITHM) {
    return reject("AuthorizationQueryParametersError", `X-Amz-Algorithm only supports "${ALGORITHM}".`)
  }
  const expires = Number(firstParam(query, PRESIGN_PARAMS.expires))
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS) {
    return reject("AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and 604800 seconds.")
  }
  return finish("query", {
    credential: firstParam(query, PRESIGN_PARAMS.credential),
    signedHeaders: firstParam(query, PRESIGN_PARAMS.signedHeaders),
    signature: firstParam(query, PRESIGN_PARAMS.signature),
    amzDate: firstParam(query, PRESIGN_PARAMS.date),
    sessionToken: firstParam(query, PRESIGN_PARAMS.token),
    payloadHash: firstHeader(headers, CONTENT_SHA256_HEADER) ?? UNSIGNED_PAYLOAD,
    expiresSeconds: expires
  })
}

/**
 * The SigV4 parameters of the request, or why it is refused before any key is looked up: no authentication at all
 * (this endpoint requires signing), two mechanisms at once, another algorithm, or malformed parameters.
 */
export const readSigV4Params = (headers: Headers, query: QueryEntries): SigV4Params | Rejection => {
  const authorization = firstHeader(headers, AUTHORIZATION_HEADER)
  const presigned = query.some(([key]) => key === PRESIGN_PARAMS.algorithm)
  if (authorization !== undefined && presigned) {
    return reject("InvalidArgument", "Only one auth mechanism allowed: the X-Amz-Algorithm parameter or the header.")
  }
  if (authorization !== undefined) return fromHeader(authorization, headers)
  if (presigned) return fromQuery(query, headers)
  return reject("AccessDenied", "Access Denied: this endpoint requires SigV4-signed requests.")
}

export const isRejection = (value: SigV4Params | Rejection): value is Rejection => "code" in value
