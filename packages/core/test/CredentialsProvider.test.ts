import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

import { AwsCredentials, CredentialsError, CredentialsProvider } from "../src/index.js"
import { credentials, lasting, scripted } from "./fixtures.js"

describe("CredentialsProvider", () => {
  describe("layerTest", () => {
    it.effect("provides fixed credentials", () =>
      Effect.gen(function* () {
        const provider = yield* CredentialsProvider
        const value = yield* provider.get
        assert.strictEqual(value.accessKeyId, "AKIDFIXED")
        assert.strictEqual(value.source, "test")
      }).pipe(
        Effect.provide(
          CredentialsProvider.layerTest({ accessKeyId: "AKIDFIXED", secretAccessKey: "x", source: "test" })
        )
      )
    )

    it.effect("plays a script of credentials and errors, repeating the last step", () =>
      Effect.gen(function* () {
        const provider = yield* CredentialsProvider
        assert.strictEqual((yield* provider.get).accessKeyId, "AKIDTEST0001")
        const error = yield* Effect.flip(provider.get)
        assert.strictEqual(error.reason._tag, "Transport")
        assert.strictEqual((yield* provider.get).accessKeyId, "AKIDTEST0002")
        assert.strictEqual((yield* provider.refresh).accessKeyId, "AKIDTEST0002")
      }).pipe(
        Effect.provide(
          CredentialsProvider.layerTest([
            credentials(1),
            CredentialsError.transport("test", "refused", "refused"),
            credentials(2)
          ])
        )
      )
    )
  })

  describe("fromSource", () => {
    it.effect("puts the source behind the cache", () => {
      const { source, state } = scripted([lasting(60 * 60 * 1000)])
      return Effect.gen(function* () {
        const provider = yield* CredentialsProvider
        yield* provider.get
        yield* provider.get
        assert.strictEqual(state.calls, 1)
        assert.isFunction(provider.peek)
      }).pipe(Effect.provide(CredentialsProvider.fromSource(source)))
    })
  })

  describe("AwsCredentials.make", () => {
    it("treats an empty session token as none and keeps the secrets redacted", () => {
      const value = AwsCredentials.make({ accessKeyId: "AKID", secretAccessKey: "s", sessionToken: "", source: "env" })
      assert.isUndefined(value.sessionToken)
      assert.strictEqual(String(value.secretAccessKey), "<redacted>")
      assert.strictEqual(AwsCredentials.accessKeyIdSuffix({ accessKeyId: "AKIDEXAMPLE1234" }), "1234")
    })
  })
})
