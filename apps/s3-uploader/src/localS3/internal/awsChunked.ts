/**
 * Decodes the `aws-chunked` content encoding of streaming uploads (`STREAMING-*` payload hashes): frames of
 * `<hex size>[;chunk-signature=…]\r\n<data>\r\n`, a zero-size frame, then trailer lines and an empty line.
 * s3rver does not know the encoding, so the front forwards the decoded bytes.
 *
 * The last decoded piece is held back until the framing has ended cleanly with the declared length: a client that
 * breaks off or sends broken framing never gives s3rver the full Content-Length, so no object is completed from it.
 */
import { Transform, type TransformCallback } from "node:stream"

// Limitation: the per-frame signatures of `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` bodies and the trailing checksum
// (`x-amz-checksum-*`) are read past, not verified: the request's seed signature over its headers is what proves the
// key. A body altered in flight after the headers therefore goes unnoticed. Verifying the frame signature chain (with
// the signing key the seed signature used) and the CRC32 trailer (`zlib.crc32`) would lift this.

// A frame header or trailer line longer than this is not aws-chunked framing.
const MAX_LINE_BYTES = 4096
const LF = 0x0a

/** The body did not follow the aws-chunked framing or did not have the declared decoded length. */
export class ChunkedFramingError extends Error {
  override readonly name = "ChunkedFramingError"
}

type State = "size" | "data" | "dataEnd" | "trailer" | "done"

export class AwsChunkedDecoder extends Transform {
  private state: State = "size"
  private line = Buffer.alloc(0)
  private remaining = 0
  private decoded = 0
  private held: Buffer | undefined
  private readonly declaredLength: number

  constructor(declaredLength: number) {
    super()
    this.declaredLength = declaredLength
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(this.consume(chunk))
  }

  override _flush(callback: TransformCallback): void {
    callback(this.finish())
  }

  private consume(chunk: Buffer): ChunkedFramingError | undefined {
    let at = 0
    while (at < chunk.length) {
      if (this.state === "data") {
        const piece = chunk.subarray(at, at + this.remaining)
        at += piece.length
        this.remaining -= piece.length
        this.decoded += piece.length
        if (this.decoded > this.declaredLength) return new ChunkedFramingError("more bytes than declared")
        this.emitHeld(piece)
        if (this.remaining === 0) this.state = "dataEnd"
        continue
      }
      if (this.state === "done") return new ChunkedFramingError("bytes after the final frame")
      const end = chunk.indexOf(LF, at)
      const stop = end === -1 ? chunk.length : end + 1
      this.line = Buffer.concat([this.line, chunk.subarray(at, stop)])
      at = stop
      if (this.line.length > MAX_LINE_BYTES) return new ChunkedFramingError("frame line too long")
      if (end === -1) continue
      const error = this.takeLine(this.line.subarray(0, -1).toString("latin1"))
      this.line = Buffer.alloc(0)
      if (error !== undefined) return error
    }
    return undefined
  }

  private finish(): ChunkedFramingError | undefined {
    if (this.state !== "done") return new ChunkedFramingError("the body ended before the final frame")
    if (this.decoded !== this.declaredLength) return new ChunkedFramingError("decoded length differs")
    if (this.held !== undefined) this.push(this.held)
    return undefined
  }

  /** Handles one line (without its `\n`; the `\r` is checked here). */
  private takeLine(text: string): ChunkedFramingError | undefined {
    if (!text.endsWith("\r")) return new ChunkedFramingError("a frame line must end with CRLF")
    const line = text.slice(0, -1)
    switch (this.state) {
      case "size": {
        const size = line.split(";", 1)[0] ?? ""
        if (!/^[0-9a-fA-F]{1,16}$/.test(size)) return new ChunkedFramingError("bad frame size")
        this.remaining = Number.parseInt(size, 16)
        this.state = this.remaining === 0 ? "trailer" : "data"
        return undefined
      }
      case "dataEnd":
        if (line !== "") return new ChunkedFramingError("frame data longer than its size")
        this.state = "size"
        return undefined
      default:
        if (line === "") this.state = "done"
        return undefined
    }
  }

  private emitHeld(piece: Buffer): void {
    if (this.held !== undefined) this.push(this.held)
    this.held = piece
  }
}
