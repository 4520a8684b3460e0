import { CredentialsError } from "@credkit/core"
import { afterEach, assert, beforeEach, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"

import { EnvCredentials, fromEnv } from "../src/index.js"
import { makeEnvProvider } from "../src/internal/provider.js"

const VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_ACCOUNT_ID"
] as const

const KEYS = { AWS_ACCESS_KEY_ID: "AKIAPROMISETEST001", AWS_SECRET_ACCESS_KEY: "promise-secret" }

// process.env is the real boundary of fromEnv: each test starts from an environment without credentials and the
// variables the developer had are put back afterwards.
let saved: Record<string, string | undefined> = {}
beforeEach(() => {
  saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]))
  for (const name of VARIABLES) delete process.env[name]
})
afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
})

const setEnv = (env: Record<string, string>) => Object.assign(process.env, env)

const rejectionOf = (promise: Promise<unknown>): Promise<CredentialsError> =>
  promise.then(
    () => assert.fail("expected a rejection"),
    (error: unknown) => {
      assert.isTrue(error instanceof CredentialsError, "rejects with the CredentialsError class of @credkit/core")
      return error as CredentialsError
    }
  )

const effectError = (env: Record<string, string>) =>
  Effect.runPromise(
    EnvCredentials.source().resolve.pipe(
      Effect.flip,
      Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))
    )
  )

describe("fromEnv", () => {
  describe("fromEnv", () => {
    it("resolves the identity with source env when both keys are set", async () => {
      setEnv(KEYS)
      assert.deepStrictEqual(await fromEnv()(), {
        accessKeyId: "AKIAPROMISETEST001",
        secretAccessKey: "promise-secret",
        source: "env"
      })
    })

    it("resolves every field when all five variables are set", async () => {
      setEnv({
        ...KEYS,
        AWS_SESSION_TOKEN: "promise-token",
        AWS_CREDENTIAL_EXPIRATION: "2100-01-01T00:00:00Z",
        AWS_ACCOUNT_ID: "123456789012"
      })
      assert.deepStrictEqual(await fromEnv()(), {
        accessKeyId: "AKIAPROMISETEST001",
        secretAccessKey: "promise-secret",
        sessionToken: "promise-token",
        expiration: new Date(Date.UTC(2100, 0, 1)),
        accountId: "123456789012",
        source: "env"
      })
    })

    it("reads the environment when called, not when made", async () => {
      const provider = fromEnv()
      setEnv(KEYS)
      assert.strictEqual((await provider()).accessKeyId, "AKIAPROMISETEST001")
    })

    it("keeps what it read until forceRefresh", async () => {
      setEnv(KEYS)
      const provider = fromEnv()
      const first = await provider()
      setEnv({ AWS_ACCESS_KEY_ID: "AKIDROTATED", AWS_SECRET_ACCESS_KEY: "rotated-secret" })
      assert.strictEqual(await provider(), first)
      assert.strictEqual(await provider({ forceRefresh: false }), first)
      const refreshed = await provider({ forceRefresh: true })
      assert.deepStrictEqual([refreshed.accessKeyId, refreshed.secretAccessKey], ["AKIDROTATED", "rotated-secret"])
      assert.strictEqual(await provider(), refreshed)
    })

    it("rejects with Unavailable, letting a chain move on, when no variable is set", async () => {
      const error = await rejectionOf(fromEnv()())
      assert.strictEqual(error.name, "CredentialsError")
      assert.strictEqual(error.reason._tag, "Unavailable")
      assert.strictEqual(error.source, "env")
      assert.isTrue(error.tryNextLink)
      assert.strictEqual(error.message, (await effectError({})).message)
    })

    for (const [env, variable] of [
      [{ AWS_ACCESS_KEY_ID: "AKID" }, "AWS_SECRET_ACCESS_KEY"],
      [{ AWS_SECRET_ACCESS_KEY: "secret", AWS_ACCESS_KEY_ID: "  " }, "AWS_ACCESS_KEY_ID"],
      [{ ...KEYS, AWS_CREDENTIAL_EXPIRATION: "2100-01-01" }, "AWS_CREDENTIAL_EXPIRATION"]
    ] as const) {
      it(`rejects with Misconfigured naming ${variable}, like the Effect source, when missing or bad`, async () => {
        setEnv(env)
        const error = await rejectionOf(fromEnv()())
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.isFalse(error.tryNextLink)
        assert.include(error.reason.message, variable)
        const expected = await effectError(env)
        assert.strictEqual(error.message, expected.message)
        assert.strictEqual(error.reason.hint, expected.reason.hint)
      })
    }

    it("rejects with Expired when AWS_CREDENTIAL_EXPIRATION has passed", async () => {
      setEnv({ ...KEYS, AWS_CREDENTIAL_EXPIRATION: "2001-01-01T00:00:00Z" })
      const error = await rejectionOf(fromEnv()())
      assert.strictEqual(error.reason._tag, "Expired")
      assert.isFalse(error.tryNextLink)
      assert.strictEqual(
        error.message,
        (await effectError({ ...KEYS, AWS_CREDENTIAL_EXPIRATION: "2001-01-01T00:00:00Z" })).message
      )
    })

    it("reads again on the next call after a failed read", async () => {
      const provider = fromEnv()
      await rejectionOf(provider())
      setEnv(KEYS)
      assert.strictEqual((await provider()).accessKeyId, "AKIAPROMISETEST001")
    })

    it("logs one debug line per read through the logger, with the key id suffix only", async () => {
      const calls: Array<readonly [string, string]> = []
      const record =
        (level: string) =>
        (...content: Array<unknown>) =>
          calls.push([level, content.map(String).join(" ")])
      setEnv({ ...KEYS, AWS_SESSION_TOKEN: "promise-token", AWS_CREDENTIAL_EXPIRATION: "2100-01-01T00:00:00Z" })
      const provider = fromEnv({
        logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") }
      })
      await provider()
      await provider()
      assert.deepStrictEqual(calls, [
        ["debug", "[credkit] credentials resolved from env (key …T001, expire at 2100-01-01T00:00:00.000Z)"]
      ])
      await provider({ forceRefresh: true })
      assert.strictEqual(calls.length, 2)
    })

    it("emits no process warning without a logger", async () => {
      const warnings: Array<Error> = []
      const onWarning = (warning: Error) => warnings.push(warning)
      process.on("warning", onWarning)
      setEnv(KEYS)
      await fromEnv()()
      await new Promise((resolve) => setImmediate(resolve))
      process.off("warning", onWarning)
      assert.deepStrictEqual(warnings, [])
    })
  })

  describe("makeEnvProvider", () => {
    const MINUTE = 60_000

    const fixture = (env: Record<string, string | undefined>) => {
      const clock = { monotonic: 1_000, wall: Date.UTC(2030, 0, 1) }
      let reads = 0
      const provider = makeEnvProvider({
        variables: () => {
          reads++
          return env
        },
        monotonicMillis: () => clock.monotonic,
        wallMillis: () => clock.wall
      })
      return { provider, clock, reads: () => reads }
    }

    it("reads nothing until the first call", () => {
      const { reads } = fixture({ ...KEYS })
      assert.strictEqual(reads(), 0)
    })

    it("peeks at the kept credentials without reading the environment, and at nothing once they are due", async () => {
      const { provider, clock, reads } = fixture({ ...KEYS })
      assert.isUndefined(provider.peek())
      const identity = await provider()
      assert.strictEqual(provider.peek(), identity)
      assert.strictEqual(reads(), 1)
      clock.monotonic += 15 * MINUTE
      assert.isUndefined(provider.peek())
      assert.strictEqual(reads(), 1)
    })

    it("reads the environment again once 15 minutes have passed on the monotonic clock", async () => {
      const env: Record<string, string | undefined> = { ...KEYS }
      const { provider, clock, reads } = fixture(env)
      await provider()
      env.AWS_ACCESS_KEY_ID = "AKIDROTATED"
      clock.monotonic += 15 * MINUTE - 1
      assert.strictEqual((await provider()).accessKeyId, "AKIAPROMISETEST001")
      assert.strictEqual(reads(), 1)
      clock.monotonic += 1
      assert.strictEqual((await provider()).accessKeyId, "AKIDROTATED")
      assert.strictEqual(reads(), 2)
    })

    it("ignores wall-clock jumps for the re-read interval", async () => {
      const { provider, clock, reads } = fixture({ ...KEYS })
      await provider()
      clock.wall += 24 * 60 * MINUTE
      await provider()
      clock.wall -= 48 * 60 * MINUTE
      await provider()
      assert.strictEqual(reads(), 1)
    })

    it("reads again when the kept credentials expire, and rejects with Expired when they are stale", async () => {
      const env: Record<string, string | undefined> = { ...KEYS, AWS_CREDENTIAL_EXPIRATION: "2030-01-01T00:05:00Z" }
      const { provider, clock, reads } = fixture(env)
      await provider()
      clock.wall += 5 * MINUTE
      const error = await rejectionOf(provider())
      assert.strictEqual(error.reason._tag, "Expired")
      assert.strictEqual(reads(), 2)
      env.AWS_CREDENTIAL_EXPIRATION = "2030-01-01T01:00:00Z"
      assert.strictEqual((await provider()).expiration?.toISOString(), "2030-01-01T01:00:00.000Z")
    })

    it("reads again on forceRefresh inside the interval", async () => {
      const { provider, reads } = fixture({ ...KEYS })
      await provider()
      await provider({ forceRefresh: true })
      assert.strictEqual(reads(), 2)
    })
  })
})
