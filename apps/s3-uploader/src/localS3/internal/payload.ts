/**
 * Prepares the body of an accepted request for s3rver, by the payload hash the request declared (and signed):
 * - a hex SHA-256: the body is read to its end and checked before anything reaches s3rver, as S3 stores nothing
 *   whose hash differs; small bodies stay in memory, larger ones are spooled to a temporary file;
 * - `STREAMING-*`: the aws-chunked framing is decoded while streaming;
 * - `UNSIGNED-PAYLOAD`: the body streams through untouched.
 */
import { createHash, randomUUID } from "node:crypto"
import { createReadStream, createWriteStream } from "node:fs"
import * as Fs from "node:fs/promises"
import type * as Http from "node:http"
import * as Path from "node:path"
import { pipeline, Readable, Transform } from "node:stream"
import * as StreamPromises from "node:stream/promises"

import { STREAMING_PREFIX, UNSIGNED_PAYLOAD } from "./authParams.js"
import { AwsChunkedDecoder } from "./awsChunked.js"
import { type Rejection, reject } from "./s3Error.js"

// Bodies up to this size are checked in memory; larger ones are spooled to disk (multipart parts are 5 MiB+).
const IN_MEMORY_LIMIT_BYTES = 1024 * 1024
// The decoded length of an aws-chunked body (S3 "Signature calculation: transfer payload in multiple chunks").
const DECODED_LENGTH_HEADER = "x-amz-decoded-content-length"

/** The body to forward. `stream` is undefined for requests without a body. */
export interface ForwardBody {
  readonly stream: Readable | undefined
  /** Bytes s3rver receives; undefined when unknown (the request came with chunked transfer encoding). */
  readonly contentLength: number | undefined
  /** Whether the aws-chunked framing was removed, so its headers must go too. */
  readonly chunkedDecoded: boolean
  readonly dispose: () => Promise<void>
}

const noop = (): Promise<void> => Promise.resolve()

const declaredLength = (value: string | undefined): number | undefined =>
  value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined

const hasBody = (req: Http.IncomingMessage): boolean =>
  req.headers["transfer-encoding"] !== undefined || (declaredLength(req.headers["content-length"]) ?? 0) > 0

/** Reads the whole body while hashing it: into memory when small, else into a file under `spoolDir`. */
const readChecked = async (
  req: Http.IncomingMessage,
  expectedHash: string,
  spoolDir: string
): Promise<ForwardBody | Rejection> => {
  const hash = createHash("sha256")
  const tap = new Transform({
    transform: (chunk: Buffer, _encoding, callback) => {
      hash.update(chunk)
      callback(null, chunk)
    }
  })
  const length = declaredLength(req.headers["content-length"])
  if (length === undefined ? !hasBody(req) : length <= IN_MEMORY_LIMIT_BYTES) {
    const chunks: Array<Buffer> = []
    await StreamPromises.pipeline(req, tap, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) chunks.push(chunk)
    })
    if (hash.digest("hex") !== expectedHash) return reject("XAmzContentSHA256Mismatch")
    const body = Buffer.concat(chunks)
    if (length === undefined)
      return { stream: undefined, contentLength: undefined, chunkedDecoded: false, dispose: noop }
    return { stream: Readable.from([body]), contentLength: body.length, chunkedDecoded: false, dispose: noop }
  }
  const file = Path.join(spoolDir, randomUUID())
  const dispose = () => Fs.rm(file, { force: true })
  const size = await StreamPromises.pipeline(req, tap, createWriteStream(file)).then(
    () => Fs.stat(file).then((stat) => stat.size),
    (error: unknown) => dispose().then(() => Promise.reject(error))
  )
  if (hash.digest("hex") !== expectedHash) {
    await dispose()
    return reject("XAmzContentSHA256Mismatch")
  }
  return { stream: createReadStream(file), contentLength: size, chunkedDecoded: false, dispose }
}

/**
 * Rejects (with the client's error) when the client breaks off while its body is being read.
 *
 * Limitation: streamed bodies (`UNSIGNED-PAYLOAD`, `STREAMING-*`) reach s3rver as they arrive, and s3rver 3.7.1
 * writes an object in place. A client that breaks off such an upload gets IncompleteBody and no new object is
 * completed, but an object already stored under the same key is left truncated, where S3 would keep it whole.
 * Spooling these bodies like hex-hashed ones before forwarding would lift this, at the cost of streaming.
 */
export const prepareBody = async (
  req: Http.IncomingMessage,
  payloadHash: string,
  spoolDir: string
): Promise<ForwardBody | Rejection> => {
  if (payloadHash.startsWith(STREAMING_PREFIX)) {
    const decodedLength = declaredLength(req.headers[DECODED_LENGTH_HEADER] as string | undefined)
    if (decodedLength === undefined) return reject("MissingContentLength")
    const decoded = pipeline(req, new AwsChunkedDecoder(decodedLength), () => {})
    return { stream: decoded, contentLength: decodedLength, chunkedDecoded: true, dispose: noop }
  }
  if (payloadHash !== UNSIGNED_PAYLOAD) return readChecked(req, payloadHash, spoolDir)
  if (!hasBody(req)) return { stream: undefined, contentLength: undefined, chunkedDecoded: false, dispose: noop }
  return {
    stream: req,
    contentLength: declaredLength(req.headers["content-length"]),
    chunkedDecoded: false,
    dispose: noop
  }
}
