/**
 * Recomputes a request's SigV4 signature with `@smithy/signature-v4`'s canonicalisation, from what the request
 * carries: its method, path and query as received, exactly the headers it lists as signed (`date` included), the
 * payload hash it declares and its own timestamp. The body is never read here. S3 signs the path as sent (single URI
 * encoding), hence `uriEscapePath: false`.
 *
 * `SignatureV4.sign` is not called directly: it drops a signed `date` header and adds `x-amz-date` and the session
 * token itself, so it could not rebuild every canonical request a client may have signed. The verifier reuses its
 * canonical request, string to sign and signing key instead.
 */
import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from "node:crypto"
import {
  ALGORITHM_IDENTIFIER,
  createScope,
  getCanonicalHeaders,
  getSigningKey,
  SignatureV4
} from "@smithy/signature-v4"
import type { Checksum, HttpRequest, SourceData } from "@smithy/types"

import { firstHeader, type Headers, type QueryEntries, type SigV4Params } from "./authParams.js"

// The host a request was sent to (an HttpRequest field; the canonical request uses the signed `host` header).
const HOST_HEADER = "host"

/** SHA-256 and HMAC-SHA256 on node:crypto, in the shape `@smithy/signature-v4` expects. */
export class NodeSha256 implements Checksum {
  private readonly secret: SourceData | undefined
  private hash: Hash | Hmac

  constructor(secret?: SourceData) {
    this.secret = secret
    this.hash = NodeSha256.create(secret)
  }

  private static create(secret: SourceData | undefined): Hash | Hmac {
    if (secret === undefined) return createHash("sha256")
    if (typeof secret === "string") return createHmac("sha256", secret)
    const bytes = ArrayBuffer.isView(secret)
      ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength)
      : new Uint8Array(secret)
    return createHmac("sha256", bytes)
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk)
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()))
  }

  reset(): void {
    this.hash = NodeSha256.create(this.secret)
  }
}

/** What the canonical request is built from. */
export interface SignedRequest {
  readonly method: string
  /** The path exactly as received, still percent-encoded. */
  readonly rawPath: string
  /** The query, decoded, in the order received. */
  readonly query: QueryEntries
  readonly headers: Headers
}

const toSmithyRequest = (request: SignedRequest, params: SigV4Params): HttpRequest => {
  const query: Record<string, string | Array<string>> = Object.create(null)
  for (const [key, value] of request.query) {
    const seen = query[key]
    query[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]
  }
  const headers: Record<string, string> = Object.create(null)
  for (const name of params.signedHeaders) {
    const values = request.headers[name]
    if (values !== undefined) headers[name] = values.join(",")
  }
  return {
    method: request.method,
    protocol: "http:",
    hostname: firstHeader(request.headers, HOST_HEADER) ?? "",
    path: request.rawPath,
    query,
    headers
  }
}

/** A `SignatureV4` that computes the signature a received request should carry, without changing the request. */
class RequestVerifier extends SignatureV4 {
  async expected(request: HttpRequest, params: SigV4Params, secretAccessKey: string): Promise<string> {
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(params.signedHeaders))
    const canonicalRequest = this.createCanonicalRequest(request, canonicalHeaders, params.payloadHash)
    const { longDate, shortDate } = this.formatDate(params.signingDate)
    const scope = createScope(shortDate, params.region, params.service)
    const stringToSign = await this.createStringToSign(longDate, scope, canonicalRequest, ALGORITHM_IDENTIFIER)
    const credentials = { accessKeyId: params.accessKeyId, secretAccessKey }
    const key = await getSigningKey(NodeSha256, credentials, shortDate, params.region, params.service)
    return createHmac("sha256", key).update(stringToSign).digest("hex")
  }
}

/** The hex signature the request should carry if it was signed with `secretAccessKey`. */
export const expectedSignature = (
  request: SignedRequest,
  params: SigV4Params,
  secretAccessKey: string
): Promise<string> =>
  new RequestVerifier({
    credentials: { accessKeyId: params.accessKeyId, secretAccessKey },
    region: params.region,
    service: params.service,
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false
  }).expected(toSmithyRequest(request, params), params, secretAccessKey)

/** Compares two secrets or signatures in constant time, whatever their lengths. */
export const constantTimeEqual = (a: string, b: string): boolean =>
  timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest())
