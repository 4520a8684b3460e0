import { createHash, randomBytes } from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { Readable } from "node:stream"
import * as Util from "node:util"
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand
} from "@aws-sdk/client-s3"
import { Upload } from "@aws-sdk/lib-storage"
import { afterEach, assert, describe, it } from "@effect/vitest"
import type { AwsCredentialIdentity } from "@smithy/types"
import * as Redacted from "effect/Redacted"

import { type LocalS3, type LocalS3Options, startLocalS3 } from "../src/localS3/index.js"

const BUCKET = "credkit-test"
const MINUTE = 60_000
const MIB = 1024 * 1024
// Fixture credentials: none of these strings may appear in logs, stats or errors.
const LONG_TERM = {
  accessKeyId: "AKIALOCALS3FIXTURE01",
  secretAccessKey: "fixture-secret-long-term-0001"
} as const
const SESSION = {
  accessKeyId: "ASIALOCALS3FIXTURE02",
  secretAccessKey: "fixture-secret-session-0002",
  sessionToken: "fixture-session-token-0002"
} as const
const SECRETS = [LONG_TERM.secretAccessKey, SESSION.secretAccessKey, SESSION.sessionToken]

const servers: Array<LocalS3> = []
const clients: Array<S3Client> = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const start = async (options: LocalS3Options = {}) => {
  const server = await startLocalS3({ buckets: [BUCKET], ...options })
  servers.push(server)
  return server
}

/** A real S3 client with default settings pointed at the front (S3's 4xx answers are not retried). */
const clientFor = (server: LocalS3, credentials: AwsCredentialIdentity) => {
  const client = new S3Client({ endpoint: server.url, forcePathStyle: true, region: "us-east-1", credentials })
  clients.push(client)
  return client
}

const errorOf = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => assert.fail("expected the request to fail"),
    (error: unknown) => error as Error
  )

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

const getBytes = async (client: S3Client, key: string) => {
  const answer = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
  return Buffer.from(await answer.Body!.transformToByteArray())
}

describe("localS3", () => {
  describe("startLocalS3", () => {
    it("round-trips the exact bytes when PutObject and GetObject use a registered key", async () => {
      const server = await start()
      server.keys.add(LONG_TERM)
      const client = clientFor(server, LONG_TERM)
      const bytes = randomBytes(64 * 1024)

      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "dir/a b+c~d.bin", Body: bytes }))

      assert.deepStrictEqual(await getBytes(client, "dir/a b+c~d.bin"), bytes)
      assert.strictEqual(server.stats.rejected, 0)
      assert.strictEqual(server.stats.accepted, 2)
    })

    it("serves every operation of the uploader when the key has a valid session token", async () => {
      const server = await start()
      server.keys.add({ ...SESSION, expiration: new Date(Date.now() + 60 * MINUTE) })
      const client = clientFor(server, SESSION)

      await client.send(new HeadBucketCommand({ Bucket: BUCKET }))
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "ops/one.txt", Body: "one" }))
      const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "ops/one.txt" }))
      const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "ops/", MaxKeys: 10 }))
      await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "ops/one.txt" }))
      const gone = await errorOf(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "ops/one.txt" })))

      assert.strictEqual(head.ContentLength, 3)
      assert.deepStrictEqual(
        listed.Contents?.map((entry) => entry.Key),
        ["ops/one.txt"]
      )
      assert.strictEqual(gone.name, "NotFound")
      assert.strictEqual(server.stats.rejected, 0)
    })

    it("round-trips a multipart upload when lib-storage sends 5 MiB parts", async () => {
      const server = await start()
      server.keys.add(SESSION)
      const client = clientFor(server, SESSION)
      const bytes = randomBytes(12 * MIB)

      const upload = new Upload({
        client,
        params: { Bucket: BUCKET, Key: "big.bin", Body: bytes },
        partSize: 5 * MIB,
        queueSize: 2
      })
      await upload.done()

      const stored = await getBytes(client, "big.bin")
      assert.strictEqual(sha256(stored), sha256(bytes))
      const parts = server.requests().filter((entry) => entry.method === "PUT" && entry.path === `/${BUCKET}/big.bin`)
      assert.strictEqual(parts.length, 3)
      assert.strictEqual(server.stats.rejected, 0)
    })

    it("decodes the aws-chunked body when PutObject streams with a checksum trailer", async () => {
      const server = await start()
      server.keys.add(LONG_TERM)
      const client = clientFor(server, LONG_TERM)
      const pieces = [randomBytes(70_000), randomBytes(1), randomBytes(200_000)]
      const total = pieces.reduce((sum, piece) => sum + piece.length, 0)

      await client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: "streamed.bin", Body: Readable.from(pieces), ContentLength: total })
      )

      const stored = await getBytes(client, "streamed.bin")
      assert.deepStrictEqual(stored, Buffer.concat(pieces))
      const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "streamed.bin" }))
      assert.isUndefined(head.ContentEncoding)
    })

    it("aborts a multipart upload when AbortMultipartUpload names a pending upload", async () => {
      const server = await start()
      server.keys.add(LONG_TERM)
      const client = clientFor(server, LONG_TERM)
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "aborted.bin" }))
      const UploadId = created.UploadId!
      await client.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: "aborted.bin", UploadId, PartNumber: 1, Body: randomBytes(1024) })
      )

      await client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: "aborted.bin", UploadId }))
      const again = await errorOf(
        client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: "aborted.bin", UploadId }))
      )

      assert.strictEqual(again.name, "NoSuchUpload")
      assert.strictEqual(server.stats.rejected, 0)
    })

    it("rejects with SignatureDoesNotMatch when the secret is wrong", async () => {
      const server = await start()
      server.keys.add(LONG_TERM)
      const client = clientFor(server, { ...LONG_TERM, secretAccessKey: "not-the-registered-secret" })

      const error = await errorOf(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "x.txt", Body: "x" })))

      assert.strictEqual(error.name, "SignatureDoesNotMatch")
      assert.deepStrictEqual(server.stats.rejectedByCode, { SignatureDoesNotMatch: 1 })
      assert.strictEqual(server.stats.accepted, 0)
    })

    it("refuses before the body is sent when a large upload expecting 100-continue is signed wrongly", async () => {
      const server = await start()
      server.keys.add(LONG_TERM)
      const wrong = clientFor(server, { ...LONG_TERM, secretAccessKey: "not-the-registered-secret" })
      const right = clientFor(server, LONG_TERM)
      const bytes = randomBytes(3 * MIB)

      const error = await errorOf(wrong.send(new PutObjectCommand({ Bucket: BUCKET, Key: "large.bin", Body: bytes })))
      await right.send(new PutObjectCommand({ Bucket: BUCKET, Key: "large.bin", Body: bytes }))

      assert.strictEqual(error.name, "SignatureDoesNotMatch")
      assert.strictEqual(sha256(await getBytes(right, "large.bin")), sha256(bytes))
    })

    it("rejects with InvalidAccessKeyId when the key is unknown or was removed", async () => {
      const server = await start()
      server.keys.add(LONG_TERM)
      const unknown = clientFor(server, { accessKeyId: "AKIANOTREGISTERED001", secretAccessKey: "whatever" })
      const client = clientFor(server, LONG_TERM)

      const first = await errorOf(unknown.send(new HeadBucketCommand({ Bucket: BUCKET })))
      await client.send(new HeadBucketCommand({ Bucket: BUCKET }))
      assert.isTrue(server.keys.remove(LONG_TERM.accessKeyId))
      const afterRemoval = await errorOf(client.send(new ListObjectsV2Command({ Bucket: BUCKET })))

      // A HEAD answer has no body, so the SDK only sees the status, as with S3.
      assert.strictEqual((first as Error & { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode, 403)
      assert.strictEqual(afterRemoval.name, "InvalidAccessKeyId")
      assert.deepStrictEqual(server.stats.rejectedByCode, { InvalidAccessKeyId: 2 })
    })

    it("accepts a key when resolveUnknown finds it", async () => {
      const asked: Array<string> = []
      const server = await start({
        resolveUnknown: (accessKeyId) => {
          asked.push(accessKeyId)
          return accessKeyId === SESSION.accessKeyId ? Promise.resolve(SESSION) : undefined
        }
      })
      const client = clientFor(server, SESSION)

      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "lazy.txt", Body: "lazy" }))

      assert.strictEqual((await getBytes(client, "lazy.txt")).toString(), "lazy")
      assert.deepStrictEqual(asked, [SESSION.accessKeyId, SESSION.accessKeyId])
    })

    it("accepts a key when its secret and token are registered as Redacted values", async () => {
      const server = await start()
      server.keys.add({
        accessKeyId: SESSION.accessKeyId,
        secretAccessKey: Redacted.make(SESSION.secretAccessKey),
        sessionToken: Redacted.make(SESSION.sessionToken)
      })

      await clientFor(server, SESSION).send(new HeadBucketCommand({ Bucket: BUCKET }))

      assert.strictEqual(server.stats.accepted, 1)
    })

    it("answers InternalError when resolveUnknown throws", async () => {
      const server = await start({ resolveUnknown: () => Promise.reject(new Error("lookup failed")) })
      const client = clientFor(server, SESSION)

      const error = await errorOf(client.send(new ListObjectsV2Command({ Bucket: BUCKET })))

      assert.strictEqual(error.name, "InternalError")
      assert.isAbove(server.requests().length, 0)
      for (const entry of server.requests()) assert.strictEqual(entry.outcome, "InternalError")
    })

    it("rejects with ExpiredToken when the clock passes the registered expiration", async () => {
      let now = Date.now()
      const server = await start({ now: () => now })
      server.keys.add({ ...SESSION, expiration: new Date(now + MINUTE) })
      const client = clientFor(server, SESSION)

      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "t.txt", Body: "t" }))
      now += 2 * MINUTE
      const error = await errorOf(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "t.txt" })))

      assert.strictEqual(error.name, "ExpiredToken")
      assert.include(error.message, "expired")
    })

    it("rejects with InvalidToken when the session token differs from the registered one", async () => {
      const server = await start()
      server.keys.add(SESSION)
      const client = clientFor(server, { ...SESSION, sessionToken: "another-token" })

      const error = await errorOf(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "t.txt", Body: "t" })))

      assert.strictEqual(error.name, "InvalidToken")
    })

    it("rejects with RequestTimeTooSkewed when the clocks differ by more than 15 minutes", async () => {
      const server = await start({ now: () => Date.now() + 20 * MINUTE })
      server.keys.add(LONG_TERM)
      const client = clientFor(server, LONG_TERM)

      const error = await errorOf(client.send(new ListObjectsV2Command({ Bucket: BUCKET })))

      assert.strictEqual(error.name, "RequestTimeTooSkewed")
    })

    it("rejects with AccessDenied when the request is not signed", async () => {
      const server = await start()
      server.keys.add(LONG_TERM)

      const answer = await fetch(`${server.url}/${BUCKET}/anything.txt`, { method: "PUT", body: "unsigned" })
      const text = await answer.text()

      assert.strictEqual(answer.status, 403)
      assert.strictEqual(answer.headers.get("content-type"), "application/xml")
      assert.include(text, "<Code>AccessDenied</Code>")
      assert.match(text, /<RequestId>[0-9A-F]+<\/RequestId>/)
      const listed = await clientFor(server, LONG_TERM).send(new ListObjectsV2Command({ Bucket: BUCKET }))
      assert.strictEqual(listed.KeyCount, 0)
    })

    it("passes s3rver's NoSuchBucket through when the bucket does not exist", async () => {
      const server = await start()
      server.keys.add(LONG_TERM)
      const client = clientFor(server, LONG_TERM)

      const error = await errorOf(client.send(new GetObjectCommand({ Bucket: "no-such-bucket", Key: "k" })))

      assert.strictEqual(error.name, "NoSuchBucket")
      assert.deepStrictEqual(server.requests().at(-1), {
        method: "GET",
        path: "/no-such-bucket/k",
        accessKeyIdSuffix: "RE01",
        outcome: "Accepted",
        status: 404
      })
    })

    it("uses the given directory and creates the configured buckets when told to", async () => {
      const directory = await Fs.mkdtemp(Path.join(Os.tmpdir(), "credkit-local-s3-test-"))
      const server = await start({ directory, buckets: ["first", "second"] })
      server.keys.add(LONG_TERM)
      const client = clientFor(server, LONG_TERM)

      await client.send(new HeadBucketCommand({ Bucket: "second" }))
      await server.close()

      assert.includeMembers(await Fs.readdir(directory), ["first", "second"])
      await Fs.rm(directory, { recursive: true, force: true })
    })

    it("records no secret when requests are accepted and refused", async () => {
      const server = await start()
      server.keys.add(LONG_TERM)
      server.keys.add(SESSION)
      const errors = [
        await errorOf(
          clientFor(server, { ...SESSION, sessionToken: "x" }).send(new HeadBucketCommand({ Bucket: BUCKET }))
        ),
        await errorOf(
          clientFor(server, { ...LONG_TERM, secretAccessKey: "y" }).send(new ListObjectsV2Command({ Bucket: BUCKET }))
        )
      ]
      await clientFor(server, SESSION).send(new PutObjectCommand({ Bucket: BUCKET, Key: "s.txt", Body: "s" }))

      const seen = [
        JSON.stringify(server.requests()),
        JSON.stringify(server.stats),
        JSON.stringify(server.keys.list()),
        Util.inspect(server, { depth: 5 }),
        Util.inspect(server.keys.list(), { depth: 5 }),
        ...errors.map((error) => `${error.message} ${JSON.stringify(error)}`)
      ].join("\n")
      for (const secret of SECRETS) assert.notInclude(seen, secret)
      assert.deepStrictEqual(
        server.requests().map((entry) => [entry.accessKeyIdSuffix, entry.outcome]),
        [
          ["RE02", "InvalidToken"],
          ["RE01", "SignatureDoesNotMatch"],
          ["RE02", "Accepted"]
        ]
      )
      assert.deepStrictEqual(server.keys.list(), [
        { accessKeyId: LONG_TERM.accessKeyId, hasSessionToken: false, expiration: undefined },
        { accessKeyId: SESSION.accessKeyId, hasSessionToken: true, expiration: undefined }
      ])
    })
  })
})
