/**
 * The S3 error responses the front answers itself: code, HTTP status and S3's wording, written as S3's XML error
 * document so AWS SDK clients map them to named exceptions. Messages are fixed strings: never a key, token or body.
 */

import { randomBytes } from "node:crypto"
import type * as Http from "node:http"

// Error codes and statuses as listed in the Amazon S3 API reference, "Error responses".
const ERRORS = {
  AccessDenied: [403, "Access Denied"],
  AuthorizationHeaderMalformed: [400, "The authorization header is malformed."],
  AuthorizationQueryParametersError: [400, "The X-Amz-* query parameters of this presigned request are malformed."],
  ExpiredToken: [400, "The provided token has expired."],
  IncompleteBody: [400, "You did not provide the number of bytes specified by the Content-Length HTTP header."],
  InternalError: [500, "We encountered an internal error. Please try again."],
  InvalidAccessKeyId: [403, "The AWS Access Key Id you provided does not exist in our records."],
  InvalidArgument: [400, "Invalid argument."],
  InvalidRequest: [400, "Invalid request."],
  MissingContentLength: [411, "You must provide the Content-Length HTTP header."],
  InvalidToken: [400, "The provided token is malformed or otherwise invalid."],
  NoSuchBucket: [404, "The specified bucket does not exist"],
  NoSuchUpload: [
    404,
    "The specified upload does not exist. The upload ID may be invalid, or it was aborted or completed."
  ],
  RequestTimeTooSkewed: [403, "The difference between the request time and the current time is too large."],
  SignatureDoesNotMatch: [
    403,
    "The request signature we calculated does not match the signature you provided. Check your key and signing method."
  ],
  XAmzContentSHA256Mismatch: [400, "The provided 'x-amz-content-sha256' header does not match what was computed."]
} as const satisfies Record<string, readonly [number, string]>

/** An error code the front answers with instead of forwarding the request. */
export type S3ErrorCode = keyof typeof ERRORS

/** A decision to refuse a request: the code, and optionally a more precise fixed message than the default. */
export interface Rejection {
  readonly code: S3ErrorCode
  readonly message?: string
}

export const reject = (code: S3ErrorCode, message?: string): Rejection =>
  message === undefined ? { code } : { code, message }

export const statusOf = (code: S3ErrorCode): number => ERRORS[code][0]

const escapeXml = (text: string): string => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * Writes the rejection. A HEAD response carries no body, as with S3. `closeConnection` is for requests whose body
 * was not read (an unanswered `Expect: 100-continue`), so the socket is not reused mid-body.
 */
export const sendRejection = (res: Http.ServerResponse, rejection: Rejection, closeConnection: boolean): void => {
  const requestId = randomBytes(8).toString("hex").toUpperCase()
  const message = rejection.message ?? ERRORS[rejection.code][1]
  const body =
    res.req.method === "HEAD"
      ? ""
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${rejection.code}</Code><Message>${escapeXml(message)}` +
        `</Message><RequestId>${requestId}</RequestId></Error>`
  res.writeHead(statusOf(rejection.code), {
    "content-type": "application/xml",
    "content-length": Buffer.byteLength(body),
    "x-amz-request-id": requestId,
    ...(closeConnection ? { connection: "close" } : {})
  })
  res.end(body)
}
