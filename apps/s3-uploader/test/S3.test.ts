import { PutObjectCommand } from "@aws-sdk/client-s3"
import { AwsCredentials, CredentialsProvider } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

import { type LocalS3, startLocalS3 } from "../src/localS3/index.js"
import * as S3 from "../src/S3.js"

const BUCKET = "credkit-s3-service"
const EXPIRED = {
  accessKeyId: "ASIAS3SERVICEEXPIRED",
  secretAccessKey: "fixture-expired-secret",
  sessionToken: "fixture-expired-token"
}
const FRESH = {
  accessKeyId: "ASIAS3SERVICEFRESH01",
  secretAccessKey: "fixture-fresh-secret",
  sessionToken: "fixture-fresh-token"
}

/** A provider that serves `sets[0]` until it is invalidated, then the next set, and records every `invalidate`. */
const scriptedProvider = (sets: ReadonlyArray<typeof FRESH>) => {
  const invalidated: Array<string> = []
  let index = 0
  const current = () => sets[Math.min(index, sets.length - 1)] as typeof FRESH
  const next = Effect.sync(() => AwsCredentials.make({ ...current(), source: "test" }))
  const layer = Layer.succeed(
    CredentialsProvider,
    CredentialsProvider.of({
      get: next,
      refresh: next,
      invalidate: (accessKeyId) =>
        Effect.sync(() => {
          invalidated.push(accessKeyId)
          if (current().accessKeyId === accessKeyId) index++
        })
    })
  )
  return { layer, invalidated }
}

const put = (server: LocalS3, provider: Layer.Layer<CredentialsProvider>) =>
  Effect.gen(function* () {
    const { client } = yield* S3.S3
    return yield* Effect.promise(() => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "k", Body: "body" })))
  }).pipe(Effect.provide(S3.layer({ endpoint: server.url, pathStyle: true }).pipe(Layer.provide(provider))))

const withServer = <A, E>(use: (server: LocalS3) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.promise(() => startLocalS3({ buckets: [BUCKET] })),
    use,
    (server) => Effect.promise(() => server.close())
  )

describe("S3", () => {
  describe("layer", () => {
    it.live("signs with the provider's credentials when a request is sent", () =>
      withServer((server) =>
        Effect.gen(function* () {
          server.keys.add(FRESH)
          const { layer } = scriptedProvider([FRESH])

          const answer = yield* put(server, layer)

          assert.isString(answer.ETag)
          assert.deepStrictEqual(
            server.requests().map((r) => r.accessKeyIdSuffix),
            ["SH01"]
          )
        })
      )
    )

    it.live("invalidates the rejected key and retries once when S3 answers ExpiredToken", () =>
      withServer((server) =>
        Effect.gen(function* () {
          server.keys.add({ ...EXPIRED, expiration: new Date(Date.now() - 60_000) })
          server.keys.add(FRESH)
          const { layer, invalidated } = scriptedProvider([EXPIRED, FRESH])

          const answer = yield* put(server, layer)

          assert.isString(answer.ETag)
          assert.deepStrictEqual(invalidated, [EXPIRED.accessKeyId])
          assert.deepStrictEqual(server.stats.rejectedByCode, { ExpiredToken: 1 })
          assert.strictEqual(server.stats.accepted, 1)
        })
      )
    )

    it.live("fails without a retry when S3 answers SignatureDoesNotMatch", () =>
      withServer((server) =>
        Effect.gen(function* () {
          server.keys.add({ ...FRESH, secretAccessKey: "another-secret" })
          const { layer, invalidated } = scriptedProvider([FRESH])

          const failure = yield* Effect.flip(
            Effect.gen(function* () {
              const { client } = yield* S3.S3
              return yield* Effect.tryPromise(() =>
                client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "k", Body: "body" }))
              )
            }).pipe(Effect.provide(S3.layer({ endpoint: server.url, pathStyle: true }).pipe(Layer.provide(layer))))
          )

          assert.strictEqual((failure.cause as Error).name, "SignatureDoesNotMatch")
          assert.deepStrictEqual(invalidated, [])
          assert.strictEqual(server.stats.rejected, 1)
        })
      )
    )
  })
})
