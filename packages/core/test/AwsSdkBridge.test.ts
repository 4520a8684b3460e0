import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { inspect } from "node:util"

import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

import {
  CredentialsError,
  CredentialsProvider,
  CredentialsSource,
  fromCredentialIdentityProvider,
  fromStatic,
  toCredentialIdentityProvider
} from "../src/index.js"
import { assertNoSecrets, credentials, SECRET } from "./fixtures.js"

const HOUR = 60 * 60 * 1000

/** A loopback server that records request headers and answers S3-like XML. */
const recordingServer = async () => {
  const seen: Array<IncomingHttpHeaders> = []
  const server: Server = createServer((req, res) => {
    seen.push(req.headers)
    req.resume()
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": "5" })
    res.end("hello")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

const countingLayer = (expiresInMs?: number) => {
  const state = { calls: 0 }
  const source = CredentialsSource.make(
    "test",
    Effect.sync(() =>
      credentials(++state.calls, expiresInMs === undefined ? undefined : new Date(Date.now() + expiresInMs))
    )
  )
  return { layer: CredentialsProvider.fromSource(source), state }
}

describe("AwsSdkBridge", () => {
  describe("toCredentialIdentityProvider", () => {
    it("signs a real S3 request with the provider's access key id", async () => {
      const server = await recordingServer()
      try {
        const { layer } = countingLayer(HOUR)
        const client = new S3Client({
          region: "us-east-1",
          endpoint: server.url,
          forcePathStyle: true,
          credentials: toCredentialIdentityProvider(layer),
          maxAttempts: 1
        })
        const response = await client.send(new GetObjectCommand({ Bucket: "bucket", Key: "key" }))
        assert.strictEqual(await response.Body?.transformToString(), "hello")
        const authorization = String(server.seen[0]?.authorization)
        assert.include(authorization, "Credential=AKIDTEST0001/")
        assert.strictEqual(server.seen[0]?.["x-amz-security-token"], `${"fixtureSESSIONTOKENvalue+abcdefghij=="}1`)
        client.destroy()
      } finally {
        await server.close()
      }
    })

    it("caches across calls and fetches again on forceRefresh", async () => {
      const { layer, state } = countingLayer(HOUR)
      const provider = toCredentialIdentityProvider(layer)
      const a = await provider()
      const b = await provider()
      assert.strictEqual(a.accessKeyId, b.accessKeyId)
      assert.strictEqual(state.calls, 1)
      const c = await provider({ forceRefresh: true })
      assert.strictEqual(state.calls, 2)
      assert.notStrictEqual(c.accessKeyId, a.accessKeyId)
      assert.strictEqual(c.source, "test")
    })

    it("does not build the layer before the first call", async () => {
      let built = 0
      const layer = Layer.effectDiscard(Effect.sync(() => built++)).pipe(
        Layer.provideMerge(CredentialsProvider.layerTest({ accessKeyId: "AKID", secretAccessKey: "s", source: "test" }))
      )
      const provider = toCredentialIdentityProvider(layer)
      assert.strictEqual(built, 0)
      await provider()
      assert.strictEqual(built, 1)
    })

    it("rejects with CredentialsError carrying reason, source and tryNextLink", async () => {
      const provider = toCredentialIdentityProvider(
        CredentialsProvider.layerTest([CredentialsError.unavailable("env", "AWS_ACCESS_KEY_ID is not set")])
      )
      const error = await provider().then(
        () => assert.fail("expected a rejection"),
        (e: unknown) => e
      )
      assert.instanceOf(error, CredentialsError)
      assert.instanceOf(error, Error)
      const typed = error as CredentialsError
      assert.strictEqual(typed.name, "CredentialsError")
      assert.strictEqual(typed.reason._tag, "Unavailable")
      assert.strictEqual(typed.source, "env")
      assert.isTrue(typed.tryNextLink)
      assert.include(typed.message, "AWS_ACCESS_KEY_ID is not set")
    })

    it("forwards warnings to the AWS SDK logger and never a secret", async () => {
      const lines: Array<string> = []
      const logger = {
        debug: (m: unknown) => void lines.push(`debug ${m}`),
        info: (m: unknown) => void lines.push(`info ${m}`),
        warn: (m: unknown) => void lines.push(`warn ${m}`),
        error: (m: unknown) => void lines.push(`error ${m}`)
      }
      const { layer } = countingLayer(HOUR)
      const provider = toCredentialIdentityProvider(layer, { logger })
      const identity = await provider()
      assert.isTrue(lines.some((line) => line.startsWith("info [credkit] credentials resolved from test")))
      for (const line of lines) assertNoSecrets(line)
      assert.strictEqual(identity.secretAccessKey, `${SECRET}1`)
    })

    it("rejects with a timeout error when the deadline passes", async () => {
      const slow = CredentialsProvider.fromSource(
        CredentialsSource.make("slow", Effect.as(Effect.sleep("2 seconds"), credentials(1)))
      )
      const provider = toCredentialIdentityProvider(slow, { timeout: 50 })
      const error = (await provider().catch((e: unknown) => e)) as CredentialsError
      assert.strictEqual(error.reason._tag, "Transport")
      assert.include(error.message, "50 ms")
    })
  })

  describe("fromStatic", () => {
    it("returns the given credentials with source static", async () => {
      const identity = await fromStatic({ accessKeyId: "AKIDSTATIC", secretAccessKey: SECRET })()
      assert.strictEqual(identity.accessKeyId, "AKIDSTATIC")
      assert.strictEqual(identity.source, "static")
    })

    it("rejects with Misconfigured when a key is missing", async () => {
      const error = (await fromStatic({ accessKeyId: "AKID", secretAccessKey: "" })().catch(
        (e) => e
      )) as CredentialsError
      assert.strictEqual(error.reason._tag, "Misconfigured")
    })
  })

  describe("fromCredentialIdentityProvider", () => {
    it.effect("wraps an AWS SDK provider as a source with redacted secrets", () =>
      Effect.gen(function* () {
        const source = fromCredentialIdentityProvider(
          async () => ({ accessKeyId: "AKIDSDK", secretAccessKey: SECRET, accountId: "123456789012" }),
          { name: "aws-sdk" }
        )
        const value = yield* source.resolve
        assert.strictEqual(value.accessKeyId, "AKIDSDK")
        assert.strictEqual(value.accountId, "123456789012")
        assertNoSecrets(inspect(value))
      })
    )

    it.effect("maps tryNextLink errors to Unavailable and others to a stopping error", () =>
      Effect.gen(function* () {
        const skip = Object.assign(new Error("Could not load credentials"), { tryNextLink: true })
        const stop = new Error("AccessDenied: not authorized")
        const a = yield* Effect.flip(fromCredentialIdentityProvider(() => Promise.reject(skip)).resolve)
        const b = yield* Effect.flip(fromCredentialIdentityProvider(() => Promise.reject(stop)).resolve)
        assert.isTrue(a.tryNextLink)
        assert.isFalse(b.tryNextLink)
        assert.include(b.message, "AccessDenied")
      })
    )
  })
})
