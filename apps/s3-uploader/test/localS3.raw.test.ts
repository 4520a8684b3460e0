import { createHash, randomBytes } from "node:crypto"
import * as Http from "node:http"
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { afterEach, assert, describe, it } from "@effect/vitest"
import { SignatureV4 } from "@smithy/signature-v4"
import type { HttpRequest } from "@smithy/types"

import { type LocalS3, startLocalS3 } from "../src/localS3/index.js"
import { NodeSha256 } from "../src/localS3/internal/signature.js"

const BUCKET = "credkit-raw"
const MINUTE = 60_000
const MIB = 1024 * 1024
const KEY = { accessKeyId: "AKIALOCALS3RAWTEST01", secretAccessKey: "fixture-secret-raw-0001" } as const

const servers: Array<LocalS3> = []
const clients: Array<S3Client> = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const start = async () => {
  const server = await startLocalS3({ buckets: [BUCKET] })
  server.keys.add(KEY)
  servers.push(server)
  const client = new S3Client({
    endpoint: server.url,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: KEY,
    maxAttempts: 1
  })
  clients.push(client)
  return { server, client }
}

const signer = new SignatureV4({
  credentials: KEY,
  region: "us-east-1",
  service: "s3",
  sha256: NodeSha256,
  uriEscapePath: false,
  applyChecksum: false
})

const requestTo = (
  server: LocalS3,
  method: string,
  path: string,
  headers: Record<string, string> = {}
): HttpRequest => ({
  method,
  protocol: "http:",
  hostname: "127.0.0.1",
  port: server.port,
  path,
  query: {},
  headers: { host: `127.0.0.1:${server.port}`, ...headers }
})

/** Sends a request as built, over node:http, and reads the whole answer. */
const send = (server: LocalS3, request: HttpRequest, body?: Uint8Array) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const outgoing = Http.request(
      { host: "127.0.0.1", port: server.port, method: request.method, path: request.path, headers: request.headers },
      (answer) => {
        const chunks: Array<Buffer> = []
        answer.on("data", (chunk: Buffer) => chunks.push(chunk))
        answer.on("end", () => resolve({ status: answer.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
      }
    )
    outgoing.on("error", reject)
    outgoing.end(body)
  })

// RFC 3986 encoding, as SigV4 canonical queries use it.
const encode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** A presigned URL's request: S3 signs presigned URLs over `UNSIGNED-PAYLOAD`, as the S3 request presigner does. */
const presign = (server: LocalS3, path: string, signingDate = new Date()) =>
  signer.presign(requestTo(server, "GET", path, { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }), {
    expiresIn: 60,
    signingDate
  })

const urlOf = (server: LocalS3, request: HttpRequest) => {
  const query = Object.entries(request.query ?? {})
    .map(([name, value]) => `${encode(name)}=${encode(String(value))}`)
    .join("&")
  return `${server.url}${request.path}?${query}`
}

/** Polls until `read` gives a value; the test's timeout bounds the wait. */
const waitFor = async <A>(read: () => A | undefined): Promise<A> => {
  for (;;) {
    const value = read()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

const codeOf = (text: string) => /<Code>([^<]+)<\/Code>/.exec(text)?.[1]

const storedBytes = async (client: S3Client, key: string) => {
  const answer = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
  return Buffer.from(await answer.Body!.transformToByteArray())
}

describe("localS3", () => {
  describe("startLocalS3", () => {
    it("serves a presigned GET when its signature and lifetime are valid", async () => {
      const { server, client } = await start()
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "shared.txt", Body: "presigned body" }))

      const presigned = await presign(server, `/${BUCKET}/shared.txt`)
      const answer = await fetch(urlOf(server, presigned))

      assert.strictEqual(answer.status, 200)
      assert.strictEqual(await answer.text(), "presigned body")
      assert.deepStrictEqual(server.requests().at(-1)?.path, `/${BUCKET}/shared.txt`)
    })

    it("rejects a presigned GET with AccessDenied when the URL has expired", async () => {
      const { server } = await start()

      const presigned = await presign(server, `/${BUCKET}/shared.txt`, new Date(Date.now() - 2 * MINUTE))
      const answer = await fetch(urlOf(server, presigned))

      assert.strictEqual(answer.status, 403)
      assert.strictEqual(codeOf(await answer.text()), "AccessDenied")
    })

    it("rejects a presigned URL with SignatureDoesNotMatch when it is used for another key", async () => {
      const { server } = await start()

      const presigned = await presign(server, `/${BUCKET}/one.txt`)
      const answer = await fetch(urlOf(server, presigned).replace("/one.txt?", "/two.txt?"))

      assert.strictEqual(answer.status, 403)
      assert.strictEqual(codeOf(await answer.text()), "SignatureDoesNotMatch")
    })

    for (const size of [1000, 2 * MIB]) {
      it(`rejects with XAmzContentSHA256Mismatch and keeps the object when a ${size}-byte body differs from its hash`, async () => {
        const { server, client } = await start()
        const original = randomBytes(100)
        await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "kept.bin", Body: original }))
        const declared = randomBytes(size)
        const sent = Buffer.from(declared)
        sent[sent.length - 1] = (sent.at(-1) ?? 0) ^ 0xff

        const request = await signer.sign(
          requestTo(server, "PUT", `/${BUCKET}/kept.bin`, {
            "content-length": String(size),
            "x-amz-content-sha256": sha256(declared)
          })
        )
        const answer = await send(server, request, sent)

        assert.strictEqual(answer.status, 400)
        assert.strictEqual(codeOf(answer.text), "XAmzContentSHA256Mismatch")
        assert.deepStrictEqual(await storedBytes(client, "kept.bin"), original)
        assert.strictEqual(server.stats.rejectedByCode.XAmzContentSHA256Mismatch, 1)
      })
    }

    for (const payloadHash of ["UNSIGNED-PAYLOAD", sha256(Buffer.alloc(3 * MIB))]) {
      it(`records IncompleteBody when the client breaks off a ${payloadHash.slice(0, 8)} upload`, async () => {
        const { server } = await start()
        const request = await signer.sign(
          requestTo(server, "PUT", `/${BUCKET}/cut.bin`, {
            "content-length": String(3 * MIB),
            "x-amz-content-sha256": payloadHash
          })
        )

        const outgoing = Http.request({
          host: "127.0.0.1",
          port: server.port,
          method: "PUT",
          path: request.path,
          headers: request.headers
        })
        outgoing.on("error", () => undefined)
        outgoing.write(Buffer.alloc(64 * 1024), () => outgoing.destroy())
        const entry = await waitFor(() => server.requests().at(-1))

        assert.deepStrictEqual([entry.outcome, entry.status], ["IncompleteBody", 400])
        assert.strictEqual(server.stats.accepted, 0)
      })
    }

    it("decodes signed aws-chunked frames when the payload is STREAMING-AWS4-HMAC-SHA256-PAYLOAD", async () => {
      const { server, client } = await start()
      const frames = "4;chunk-signature=aa\r\nwiki\r\n5;chunk-signature=bb\r\npedia\r\n0;chunk-signature=cc\r\n\r\n"

      const request = await signer.sign(
        requestTo(server, "PUT", `/${BUCKET}/framed.txt`, {
          "content-encoding": "aws-chunked",
          "content-length": String(Buffer.byteLength(frames)),
          "x-amz-decoded-content-length": "9",
          "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
        })
      )
      const answer = await send(server, request, Buffer.from(frames))

      assert.strictEqual(answer.status, 200)
      assert.strictEqual((await storedBytes(client, "framed.txt")).toString(), "wikipedia")
    })

    it("rejects with IncompleteBody and stores nothing when the aws-chunked framing is broken", async () => {
      const { server, client } = await start()
      const frames = "5\r\nhello\r\n3\r\nabcdef\r\n0\r\n\r\n"

      const request = await signer.sign(
        requestTo(server, "PUT", `/${BUCKET}/broken.txt`, {
          "content-encoding": "aws-chunked",
          "content-length": String(Buffer.byteLength(frames)),
          "x-amz-decoded-content-length": "8",
          "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
        })
      )
      const answer = await send(server, request, Buffer.from(frames))
      const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "broken.txt" })).then(
        () => "stored",
        (error: Error) => error.name
      )

      assert.strictEqual(answer.status, 400)
      assert.strictEqual(codeOf(answer.text), "IncompleteBody")
      assert.strictEqual(head, "NotFound")
    })

    it("rejects with AuthorizationHeaderMalformed when the credential scope names another service", async () => {
      const { server } = await start()
      const other = new SignatureV4({
        credentials: KEY,
        region: "us-east-1",
        service: "sqs",
        sha256: NodeSha256,
        uriEscapePath: false
      })

      const request = await other.sign(requestTo(server, "GET", `/${BUCKET}/x`))
      const answer = await send(server, request)

      assert.strictEqual(answer.status, 400)
      assert.strictEqual(codeOf(answer.text), "AuthorizationHeaderMalformed")
    })

    it("removes its temporary directory when closed, and closing twice is harmless", async () => {
      const { server, client } = await start()
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "gone.txt", Body: "x" }))

      await server.close()
      await server.close()
      const after = await fetch(`${server.url}/${BUCKET}/gone.txt`).then(
        () => "answered",
        () => "refused"
      )

      assert.strictEqual(after, "refused")
    })
  })
})
