import { Readable } from "node:stream"
import * as StreamPromises from "node:stream/promises"
import { assert, describe, it } from "@effect/vitest"

import { AwsChunkedDecoder, ChunkedFramingError } from "../src/localS3/internal/awsChunked.js"

const TRAILER = "x-amz-checksum-crc32:DUoRhQ==\r\n\r\n"
const FRAMED = `6\r\nhello \r\n5;chunk-signature=ab12\r\nworld\r\n0\r\n${TRAILER}`

/** Decodes `body` fed in pieces of `pieceSize` bytes; the decoded text, or the framing error's message. */
const decode = async (body: string, declaredLength: number, pieceSize = body.length) => {
  const bytes = Buffer.from(body, "latin1")
  const pieces: Array<Buffer> = []
  for (let at = 0; at < bytes.length; at += pieceSize) pieces.push(bytes.subarray(at, at + pieceSize))
  const out: Array<Buffer> = []
  return StreamPromises.pipeline(Readable.from(pieces), new AwsChunkedDecoder(declaredLength), async (source) => {
    for await (const chunk of source as AsyncIterable<Buffer>) out.push(chunk)
  }).then(
    () => Buffer.concat(out).toString("latin1"),
    (error: unknown) => {
      assert.instanceOf(error, ChunkedFramingError)
      return `error: ${(error as Error).message}`
    }
  )
}

describe("localS3", () => {
  describe("AwsChunkedDecoder", () => {
    it("yields the payload when the frames arrive whole", async () => {
      assert.strictEqual(await decode(FRAMED, 11), "hello world")
    })

    it("yields the payload when the frames arrive one byte at a time", async () => {
      for (const pieceSize of [1, 2, 3, 7]) assert.strictEqual(await decode(FRAMED, 11, pieceSize), "hello world")
    })

    it("yields an empty payload when the body is only the final frame", async () => {
      assert.strictEqual(await decode(`0\r\n\r\n`, 0), "")
    })

    it("fails when the decoded length differs from the declared one", async () => {
      assert.strictEqual(await decode(FRAMED, 12), "error: decoded length differs")
      assert.strictEqual(await decode(FRAMED, 10), "error: more bytes than declared")
    })

    it("fails when a frame is longer than its size", async () => {
      assert.strictEqual(await decode(`3\r\nhello\r\n0\r\n\r\n`, 5), "error: frame data longer than its size")
    })

    it("fails when a size is not hexadecimal", async () => {
      assert.strictEqual(await decode(`zz\r\nhello\r\n0\r\n\r\n`, 5), "error: bad frame size")
    })

    it("fails when the body ends before the final frame", async () => {
      assert.strictEqual(await decode(`5\r\nhello\r\n`, 5), "error: the body ended before the final frame")
      assert.strictEqual(await decode(`5\r\nhello\r\n0\r\n`, 5), "error: the body ended before the final frame")
    })

    it("fails when bytes follow the final frame", async () => {
      assert.strictEqual(await decode(`5\r\nhello\r\n0\r\n\r\nextra`, 5), "error: bytes after the final frame")
    })

    it("fails when lines end with a bare line feed", async () => {
      assert.strictEqual(await decode(`5\nhello\n0\n\n`, 5), "error: a frame line must end with CRLF")
    })

    it("emits nothing of the last piece when the framing breaks at the end", async () => {
      const out: Array<string> = []
      const decoder = new AwsChunkedDecoder(10)
      decoder.on("data", (chunk: Buffer) => out.push(chunk.toString()))
      decoder.on("error", () => undefined)
      decoder.write(Buffer.from("5\r\nhello\r\n5\r\nworld\r\n"))
      decoder.end()
      await new Promise((resolve) => decoder.on("close", resolve))

      assert.deepStrictEqual(out, ["hello"])
    })
  })
})
