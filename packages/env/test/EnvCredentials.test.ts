import { AwsCredentials, CredentialsChain, CredentialsProvider, CredentialsSource } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import { TestClock } from "effect/testing"

import { EnvCredentials } from "../src/index.js"

const KEYS = { AWS_ACCESS_KEY_ID: "AKIAEFFECTTEST0001", AWS_SECRET_ACCESS_KEY: "effect-secret" }

const withEnv = (env: Record<string, string | undefined>) =>
  Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))

const resolveError = (env: Record<string, string | undefined>) =>
  EnvCredentials.source().resolve.pipe(Effect.flip, withEnv(env))

const currentKey = Effect.gen(function* () {
  const provider = yield* CredentialsProvider
  return (yield* provider.get).accessKeyId
})

// Credentials that expire at 01:00 on the test clock, read at 00:00; the environment rotates right after the first
// read, and the provider is asked again `minutes` later.
const rotationAfter = (minutes: number, layer: Layer.Layer<CredentialsProvider, unknown>) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(0)
    const env: Record<string, string | undefined> = {
      ...KEYS,
      AWS_CREDENTIAL_EXPIRATION: "1970-01-01T01:00:00Z",
      CREDKIT_ENV_ADVISORY_WINDOW: "25 minutes"
    }
    const program = Effect.gen(function* () {
      yield* currentKey
      env.AWS_ACCESS_KEY_ID = "AKIDROTATED"
      env.AWS_CREDENTIAL_EXPIRATION = "1970-01-01T02:00:00Z"
      yield* TestClock.adjust(`${minutes} minutes`)
      return yield* currentKey
    })
    return yield* program.pipe(Effect.provide(layer), withEnv(env))
  })

const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.map(Logger.formatJson, (line) => {
    lines.push(line)
  })
  return {
    lines,
    provide: <A, E, R>(self: Effect.Effect<A, E, R>) =>
      self.pipe(Effect.provide(Logger.layer([logger])), Effect.provideService(References.MinimumLogLevel, "Debug"))
  }
}

describe("EnvCredentials", () => {
  describe("source", () => {
    it.effect("resolves redacted credentials with source env when every variable is set", () =>
      Effect.gen(function* () {
        const credentials = yield* EnvCredentials.source().resolve.pipe(
          withEnv({
            ...KEYS,
            AWS_SESSION_TOKEN: "effect-token",
            AWS_CREDENTIAL_EXPIRATION: "2030-01-01T00:00:00Z",
            AWS_ACCOUNT_ID: "123456789012"
          })
        )
        assert.strictEqual(credentials.accessKeyId, "AKIAEFFECTTEST0001")
        assert.isTrue(Redacted.isRedacted(credentials.secretAccessKey))
        assert.strictEqual(Redacted.value(credentials.secretAccessKey), "effect-secret")
        assert.strictEqual(credentials.sessionToken && Redacted.value(credentials.sessionToken), "effect-token")
        assert.strictEqual(credentials.expiration?.toISOString(), "2030-01-01T00:00:00.000Z")
        assert.strictEqual(credentials.accountId, "123456789012")
        assert.strictEqual(credentials.source, "env")
      })
    )

    for (const blank of ["", "  "]) {
      it.effect(`leaves out the session token when it is ${JSON.stringify(blank)}`, () =>
        Effect.gen(function* () {
          const credentials = yield* EnvCredentials.source().resolve.pipe(
            withEnv({ ...KEYS, AWS_SESSION_TOKEN: blank })
          )
          assert.isUndefined(credentials.sessionToken)
          assert.isUndefined(credentials.expiration)
        })
      )
    }

    it.effect("fails with Unavailable, letting a chain move on, when no variable is set", () =>
      Effect.gen(function* () {
        const error = yield* resolveError({ AWS_REGION: "eu-west-1" })
        assert.strictEqual(error.reason._tag, "Unavailable")
        assert.strictEqual(error.source, "env")
        assert.isTrue(error.tryNextLink)
        assert.include(error.message, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
      })
    )

    it.effect("fails with Unavailable when both keys are whitespace", () =>
      Effect.gen(function* () {
        const error = yield* resolveError({ AWS_ACCESS_KEY_ID: " ", AWS_SECRET_ACCESS_KEY: "\t" })
        assert.strictEqual(error.reason._tag, "Unavailable")
      })
    )

    for (const [env, variable] of [
      [{ AWS_ACCESS_KEY_ID: "AKID" }, "AWS_SECRET_ACCESS_KEY"],
      [{ AWS_SECRET_ACCESS_KEY: "secret" }, "AWS_ACCESS_KEY_ID"],
      [{ ...KEYS, AWS_CREDENTIAL_EXPIRATION: "next tuesday" }, "AWS_CREDENTIAL_EXPIRATION"]
    ] as const) {
      it.effect(`fails with Misconfigured naming ${variable}, stopping a chain, when it is missing or unreadable`, () =>
        Effect.gen(function* () {
          const error = yield* resolveError(env)
          assert.strictEqual(error.reason._tag, "Misconfigured")
          assert.isFalse(error.tryNextLink)
          assert.include(error.reason.message, variable)
          assert.isString(error.reason.hint)
        })
      )
    }

    it.effect("fails with Expired when AWS_CREDENTIAL_EXPIRATION has passed on the clock", () =>
      Effect.gen(function* () {
        const env = { ...KEYS, AWS_CREDENTIAL_EXPIRATION: "2030-01-01T00:00:00Z" }
        yield* TestClock.setTime(Date.UTC(2029, 11, 31, 23, 59))
        assert.strictEqual((yield* EnvCredentials.source().resolve.pipe(withEnv(env))).source, "env")

        yield* TestClock.setTime(Date.UTC(2030, 0, 1))
        const error = yield* resolveError(env)
        assert.strictEqual(error.reason._tag, "Expired")
        assert.isFalse(error.tryNextLink)
        assert.include(error.message, "expired at 2030-01-01T00:00:00.000Z")
      })
    )

    it.effect("reads the variables when it runs, not when it is built", () =>
      Effect.gen(function* () {
        const source = EnvCredentials.source()
        const first = yield* source.resolve.pipe(withEnv({ ...KEYS, AWS_ACCESS_KEY_ID: "AKIDFIRST" }))
        const second = yield* source.resolve.pipe(withEnv({ ...KEYS, AWS_ACCESS_KEY_ID: "AKIDSECOND" }))
        assert.deepStrictEqual([first.accessKeyId, second.accessKeyId], ["AKIDFIRST", "AKIDSECOND"])
      })
    )

    it.effect("logs one debug line per attempt with the outcome and no values", () =>
      Effect.gen(function* () {
        const logs = captureLogs()
        yield* logs.provide(EnvCredentials.source().resolve.pipe(withEnv(KEYS)))
        yield* logs.provide(Effect.exit(EnvCredentials.source().resolve.pipe(withEnv({}))))
        yield* logs.provide(Effect.exit(EnvCredentials.source().resolve.pipe(withEnv({ AWS_ACCESS_KEY_ID: "AKID" }))))
        assert.strictEqual(logs.lines.length, 3)
        assert.include(logs.lines[0], "env: found credentials (key …0001)")
        assert.include(logs.lines[1], "env: skipped (Unavailable)")
        assert.include(logs.lines[2], "env: failed (Misconfigured: AWS_SECRET_ACCESS_KEY)")
        for (const line of logs.lines) {
          assert.include(line, "DEBUG")
          assert.include(line, "EnvCredentials.resolve")
          assert.include(line, "credentials.source")
        }
      })
    )
  })

  describe("in a chain", () => {
    const fallback = CredentialsSource.make(
      "fallback",
      Effect.succeed(AwsCredentials.make({ accessKeyId: "AKIDFALLBACK", secretAccessKey: "s", source: "fallback" }))
    )

    it.effect("lets the next source answer when no variable is set", () =>
      Effect.gen(function* () {
        const credentials = yield* CredentialsChain.make([EnvCredentials.source(), fallback]).resolve.pipe(withEnv({}))
        assert.strictEqual(credentials.source, "fallback")
      })
    )

    it.effect("stops the chain with its own error when the secret is missing", () =>
      Effect.gen(function* () {
        const error = yield* CredentialsChain.make([EnvCredentials.source(), fallback]).resolve.pipe(
          Effect.flip,
          withEnv({ AWS_ACCESS_KEY_ID: "AKID" })
        )
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.strictEqual(error.source, "env")
        assert.deepStrictEqual(
          error.attempts?.map((attempt) => [attempt.source, attempt.outcome]),
          [
            ["env", "failed"],
            ["fallback", "not-reached"]
          ]
        )
      })
    )
  })

  describe("layer", () => {
    it.effect("provides CredentialsProvider with the environment's credentials", () =>
      Effect.gen(function* () {
        const provider = yield* CredentialsProvider
        const credentials = yield* provider.get
        assert.strictEqual(credentials.source, "env")
        assert.strictEqual(Redacted.value(credentials.secretAccessKey), "effect-secret")
      }).pipe(Effect.provide(EnvCredentials.layer()), withEnv(KEYS))
    )

    it.effect("keeps credentials without an expiration for 15 minutes, then reads the environment again", () =>
      Effect.gen(function* () {
        const env: Record<string, string | undefined> = { ...KEYS }
        const program = Effect.gen(function* () {
          const first = yield* currentKey
          env.AWS_ACCESS_KEY_ID = "AKIDROTATED"
          yield* TestClock.adjust("14 minutes")
          const kept = yield* currentKey
          yield* TestClock.adjust("1 minute")
          const reread = yield* currentKey
          return [first, kept, reread]
        })
        const keys = yield* program.pipe(Effect.provide(EnvCredentials.layer()), withEnv(env))
        assert.deepStrictEqual(keys, ["AKIAEFFECTTEST0001", "AKIAEFFECTTEST0001", "AKIDROTATED"])
      })
    )

    it.effect("reads the environment again at once on refresh", () =>
      Effect.gen(function* () {
        const env: Record<string, string | undefined> = { ...KEYS }
        const program = Effect.gen(function* () {
          const provider = yield* CredentialsProvider
          yield* provider.get
          env.AWS_ACCESS_KEY_ID = "AKIDREFRESHED"
          return (yield* provider.refresh).accessKeyId
        })
        assert.strictEqual(yield* program.pipe(Effect.provide(EnvCredentials.layer()), withEnv(env)), "AKIDREFRESHED")
      })
    )

    it.effect("refreshes credentials that expire in an hour 15 minutes ahead by default", () =>
      Effect.gen(function* () {
        assert.strictEqual(yield* rotationAfter(40, EnvCredentials.layer()), "AKIAEFFECTTEST0001")
        assert.strictEqual(yield* rotationAfter(46, EnvCredentials.layer()), "AKIDROTATED")
      })
    )

    it.effect("refreshes 25 minutes ahead of expiry when advisoryWindow says so", () =>
      Effect.gen(function* () {
        assert.strictEqual(
          yield* rotationAfter(40, EnvCredentials.layer({ advisoryWindow: "25 minutes" })),
          "AKIDROTATED"
        )
      })
    )
  })

  describe("layerConfig", () => {
    it.effect("takes advisoryWindow from a Config value", () =>
      Effect.gen(function* () {
        const layer = EnvCredentials.layerConfig({ advisoryWindow: Config.Duration("CREDKIT_ENV_ADVISORY_WINDOW") })
        assert.strictEqual(yield* rotationAfter(40, layer), "AKIDROTATED")
      })
    )

    it.effect("takes the whole options object as one Config value", () =>
      Effect.gen(function* () {
        const layer = EnvCredentials.layerConfig(
          Config.all({ advisoryWindow: Config.Duration("CREDKIT_ENV_ADVISORY_WINDOW") })
        )
        assert.strictEqual(yield* rotationAfter(40, layer), "AKIDROTATED")
      })
    )

    it.effect("keeps the default windows when no option is given", () =>
      Effect.gen(function* () {
        assert.strictEqual(yield* rotationAfter(40, EnvCredentials.layerConfig({})), "AKIAEFFECTTEST0001")
      })
    )

    it.effect("fails to build when the Config value is unreadable", () =>
      Effect.gen(function* () {
        const layer = EnvCredentials.layerConfig({ advisoryWindow: Config.Duration("CREDKIT_ENV_ADVISORY_WINDOW") })
        const exit = yield* Effect.exit(
          currentKey.pipe(Effect.provide(layer), withEnv({ ...KEYS, CREDKIT_ENV_ADVISORY_WINDOW: "soon" }))
        )
        assert.isTrue(Exit.isFailure(exit))
      })
    )
  })
})
