/**
 * Forwards an accepted request to s3rver on loopback, unsigned: s3rver serves anonymous requests, and the SigV4
 * parameters (Authorization, the session token, presigned query parameters) were checked by the front already.
 * The response, status and headers included, streams back to the client unchanged.
 */
import * as Http from "node:http"
import * as StreamPromises from "node:stream/promises"

import { PRESIGN_PARAMS } from "./authParams.js"
import { ChunkedFramingError } from "./awsChunked.js"
import type { ForwardBody } from "./payload.js"
import { reject, type S3ErrorCode, sendRejection, statusOf } from "./s3Error.js"
import { safeDecode } from "./url.js"

// s3rver listens on loopback only.
const LOOPBACK_HOST = "127.0.0.1"
// Per-hop headers (RFC 9110 §7.6.1) and `expect`, which the front answered itself.
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]
// The credentials travel no further than the front.
const AUTH_HEADERS = ["authorization", "x-amz-security-token"]
// Headers of the aws-chunked encoding, meaningless once the body is decoded.
const CHUNKED_HEADERS = ["x-amz-decoded-content-length", "x-amz-trailer"]
const AWS_CHUNKED = "aws-chunked"
const PRESIGN_PARAM_NAMES = new Set<string>(Object.values(PRESIGN_PARAMS))

export interface Upstream {
  readonly port: number
  readonly agent: Http.Agent
}

/** How the exchange ended: forwarded (with s3rver's status), or refused while the body was relayed. */
export interface Forwarded {
  readonly outcome: "Accepted" | S3ErrorCode
  readonly status: number
}

/** The path and query to request from s3rver: as received, without presigned-URL parameters. */
export const upstreamPath = (rawPath: string, rawQuery: string): string => {
  const kept = rawQuery.split("&").filter((part) => {
    const name = part.split("=", 1)[0] ?? ""
    return part !== "" && !PRESIGN_PARAM_NAMES.has(safeDecode(name))
  })
  return kept.length === 0 ? rawPath : `${rawPath}?${kept.join("&")}`
}

const requestHeaders = (incoming: Http.IncomingHttpHeaders, body: ForwardBody): Http.OutgoingHttpHeaders => {
  const headers: Http.OutgoingHttpHeaders = { ...incoming }
  for (const name of [...HOP_BY_HOP, ...AUTH_HEADERS, "expect", "content-length"]) delete headers[name]
  if (body.chunkedDecoded) {
    for (const name of CHUNKED_HEADERS) delete headers[name]
    const encodings = (incoming["content-encoding"] ?? "")
      .split(",")
      .map((token) => token.trim())
      .filter((token) => token !== "" && token.toLowerCase() !== AWS_CHUNKED)
    if (encodings.length === 0) delete headers["content-encoding"]
    else headers["content-encoding"] = encodings.join(",")
  }
  if (body.contentLength !== undefined) headers["content-length"] = body.contentLength
  return headers
}

const responseHeaders = (incoming: Http.IncomingHttpHeaders): Http.OutgoingHttpHeaders => {
  const headers: Http.OutgoingHttpHeaders = { ...incoming }
  for (const name of HOP_BY_HOP) delete headers[name]
  return headers
}

export const forward = (
  upstream: Upstream,
  req: Http.IncomingMessage,
  res: Http.ServerResponse,
  body: ForwardBody,
  path: string
): Promise<Forwarded> =>
  new Promise((resolve) => {
    let settled = false
    const finish = (forwarded: Forwarded) => {
      if (settled) return
      settled = true
      resolve(forwarded)
    }
    const outgoing = Http.request({
      host: LOOPBACK_HOST,
      port: upstream.port,
      agent: upstream.agent,
      method: req.method ?? "GET",
      path,
      headers: requestHeaders(req.headers, body)
    })
    // A failing body means the client broke off or sent broken framing; a failing exchange means s3rver did.
    const fail = (error: unknown, from: "body" | "upstream") => {
      outgoing.destroy()
      if (res.headersSent) {
        res.destroy()
        return finish({ outcome: "Accepted", status: res.statusCode })
      }
      const rejection =
        from === "upstream"
          ? reject("InternalError")
          : error instanceof ChunkedFramingError
            ? reject("IncompleteBody", `The aws-chunked body is malformed: ${error.message}.`)
            : reject("IncompleteBody")
      sendRejection(res, rejection, true)
      finish({ outcome: rejection.code, status: statusOf(rejection.code) })
    }
    outgoing.on("error", (error) => fail(error, "upstream"))
    outgoing.on("response", (answer) => {
      const status = answer.statusCode ?? 502
      res.writeHead(status, responseHeaders(answer.headers))
      StreamPromises.pipeline(answer, res).then(
        () => finish({ outcome: "Accepted", status }),
        () => finish({ outcome: "Accepted", status })
      )
    })
    if (body.stream === undefined) outgoing.end()
    else body.stream.on("error", (error) => fail(error, "body")).pipe(outgoing)
  })
