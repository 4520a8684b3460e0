/**
 * The front's decision for one request, in S3's order of checks: the SigV4 parameters, the access key, the session
 * token, the key's expiry, the request time, and last the signature itself.
 */
import * as Redacted from "effect/Redacted"

import type { RegisteredKey } from "../KeyRegistry.js"
import { isRejection, readSigV4Params, type SigV4Params } from "./authParams.js"
import { type Rejection, reject } from "./s3Error.js"
import { constantTimeEqual, expectedSignature, type SignedRequest } from "./signature.js"

// S3 refuses requests whose time is more than 15 minutes away from its clock (S3 "RequestTimeTooSkewed").
const MAX_SKEW_MS = 15 * 60 * 1000
// The only service a credential scope may name for this endpoint.
const SERVICE = "s3"

export interface AuthorizeDeps {
  readonly lookup: (accessKeyId: string) => Promise<RegisteredKey | undefined>
  readonly now: () => number
  /** When set, the region the credential scope must name. */
  readonly region: string | undefined
}

/** The outcome: the verified parameters, or the rejection with the key id when one was read. */
export type Decision =
  | { readonly ok: true; readonly params: SigV4Params }
  | { readonly ok: false; readonly rejection: Rejection; readonly accessKeyId: string | undefined }

const refuse = (rejection: Rejection, params?: SigV4Params): Decision => ({
  ok: false,
  rejection,
  accessKeyId: params?.accessKeyId
})

const tokenMatches = (key: RegisteredKey, sent: string | undefined): boolean => {
  if (key.sessionToken === undefined || sent === undefined) return key.sessionToken === undefined && sent === undefined
  return constantTimeEqual(Redacted.value(key.sessionToken), sent)
}

/** The checks that need the scope and the clock but no secret. */
const checkScopeAndTime = (params: SigV4Params, deps: AuthorizeDeps): Rejection | undefined => {
  const malformed = params.kind === "header" ? "AuthorizationHeaderMalformed" : "AuthorizationQueryParametersError"
  if (params.service !== SERVICE) {
    return reject(malformed, `The credential scope names the service "${params.service}"; this endpoint is "s3".`)
  }
  if (deps.region !== undefined && params.region !== deps.region) {
    return reject(malformed, `The region "${params.region}" is wrong; expecting "${deps.region}".`)
  }
  const signedAt = params.signingDate.getTime()
  const now = deps.now()
  if (params.expiresSeconds !== undefined) {
    if (signedAt - now > MAX_SKEW_MS) return reject("RequestTimeTooSkewed")
    if (now > signedAt + params.expiresSeconds * 1000) return reject("AccessDenied", "Request has expired")
    return undefined
  }
  return Math.abs(now - signedAt) > MAX_SKEW_MS ? reject("RequestTimeTooSkewed") : undefined
}

export const authorize = async (request: SignedRequest, deps: AuthorizeDeps): Promise<Decision> => {
  const params = readSigV4Params(request.headers, request.query)
  if (isRejection(params)) return refuse(params)

  const key = await deps.lookup(params.accessKeyId)
  if (key === undefined) return refuse(reject("InvalidAccessKeyId"), params)
  if (!tokenMatches(key, params.sessionToken)) return refuse(reject("InvalidToken"), params)
  if (key.expiration !== undefined && deps.now() >= key.expiration.getTime()) {
    return refuse(reject("ExpiredToken"), params)
  }
  const scopeOrTime = checkScopeAndTime(params, deps)
  if (scopeOrTime !== undefined) return refuse(scopeOrTime, params)

  const expected = await expectedSignature(request, params, Redacted.value(key.secretAccessKey))
  if (!constantTimeEqual(expected, params.signature)) return refuse(reject("SignatureDoesNotMatch"), params)
  return { ok: true, params }
}
