import * as util from "node:util"
import { CredentialsProvider } from "@credkit/core"
import { afterEach, assert, beforeEach, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import { TestClock } from "effect/testing"

import { EnvCredentials, fromEnv, readEnvCredentials } from "../src/index.js"

const ACCESS_KEY_ID = "AKIASECRETSTEST9876"
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETFIXTURE"
const TOKEN = "IQoJb3JpZ2luX2VjSESSIONTOKENFIXTURE//////////wEaCXVzLWVhc3QtMSJH"
const FIXTURE_SECRETS = [SECRET, TOKEN, "SECRETFIXTURE", "SESSIONTOKENFIXTURE"]

// Every environment that makes the package say something, each holding the fixture secrets where it can.
const SCENARIOS: ReadonlyArray<readonly [string, Record<string, string>]> = [
  [
    "complete",
    {
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_SESSION_TOKEN: TOKEN,
      AWS_CREDENTIAL_EXPIRATION: "2100-01-01T00:00:00Z"
    }
  ],
  ["secret without key id", { AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN }],
  ["key id without secret", { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SESSION_TOKEN: TOKEN }],
  [
    "unreadable expiration",
    {
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_SESSION_TOKEN: TOKEN,
      AWS_CREDENTIAL_EXPIRATION: "soon"
    }
  ],
  [
    "expired",
    {
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_SESSION_TOKEN: TOKEN,
      AWS_CREDENTIAL_EXPIRATION: "2001-01-01T00:00:00Z"
    }
  ],
  ["no credentials", { AWS_SESSION_TOKEN: TOKEN }]
]

// Logs and errors show at most the last four characters of the key id; the credentials value shows it whole (it
// is not secret), but never the secret key or the token.
const assertNoSecrets = (outputs: ReadonlyArray<string>, options: { readonly keyIdSuffixOnly: boolean }) => {
  assert.isNotEmpty(outputs)
  for (const output of outputs) {
    for (const secret of FIXTURE_SECRETS) assert.notInclude(output, secret)
    if (options.keyIdSuffixOnly) assert.notInclude(output, ACCESS_KEY_ID)
  }
}

const render = (value: unknown): Array<string> => [
  util.inspect(value, { depth: 10, showHidden: true }),
  JSON.stringify(value) ?? "",
  String(value),
  ...(value instanceof Error ? [value.message, value.stack ?? ""] : [])
]

describe("secrets", () => {
  describe("EnvCredentials", () => {
    it.effect("never appear in logs, errors, inspect or JSON", () =>
      Effect.gen(function* () {
        const lines: Array<string> = []
        const errors: Array<string> = []
        const credentials: Array<string> = []
        const logger = Logger.map(Logger.formatJson, (line) => {
          lines.push(line)
        })
        // Late enough for the "expired" scenario to fail and the "complete" one to succeed.
        yield* TestClock.setTime(Date.UTC(2050, 0, 1))
        yield* Effect.forEach(SCENARIOS, ([, env]) =>
          Effect.gen(function* () {
            const provider = yield* CredentialsProvider
            const got = yield* Effect.result(provider.get)
            const refreshed = yield* Effect.result(provider.refresh)
            for (const result of [got, refreshed]) {
              if (result._tag === "Failure") errors.push(...render(result.failure))
              else credentials.push(...render(result.success), ...render(result.success.secretAccessKey))
            }
          }).pipe(
            Effect.provide(EnvCredentials.layer()),
            Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))
          )
        ).pipe(Effect.provide(Logger.layer([logger])), Effect.provideService(References.MinimumLogLevel, "Debug"))

        assert.isTrue(
          lines.some((line) => line.includes("…9876")),
          "the success path was logged"
        )
        assertNoSecrets(lines, { keyIdSuffixOnly: true })
        assertNoSecrets(errors, { keyIdSuffixOnly: true })
        assertNoSecrets(credentials, { keyIdSuffixOnly: false })
      })
    )
  })

  describe("fromEnv", () => {
    const VARIABLES = Object.keys(SCENARIOS[0]![1])
    let saved: Record<string, string | undefined> = {}
    beforeEach(() => {
      saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]))
    })
    afterEach(() => {
      for (const name of VARIABLES) {
        if (saved[name] === undefined) delete process.env[name]
        else process.env[name] = saved[name]
      }
    })

    it("never puts them in logger lines, rejections, inspect or JSON", async () => {
      const lines: Array<string> = []
      const record = (...content: Array<unknown>) => lines.push(content.map((part) => util.inspect(part)).join(" "))
      const outputs: Array<string> = []
      for (const [, env] of SCENARIOS) {
        for (const name of VARIABLES) delete process.env[name]
        Object.assign(process.env, env)
        const provider = fromEnv({ logger: { debug: record, info: record, warn: record, error: record } })
        // The resolved identity carries the secret by design: it is what an AWS SDK client signs with.
        await provider().then(
          () => undefined,
          (error: unknown) => outputs.push(...render(error))
        )
      }
      assert.strictEqual(lines.length, 1)
      assert.include(lines[0], "…9876")
      assertNoSecrets(lines, { keyIdSuffixOnly: true })
      assert.strictEqual(outputs.length, 5 * 5)
      assertNoSecrets(outputs, { keyIdSuffixOnly: true })
    })
  })

  describe("readEnvCredentials", () => {
    it("never puts them in the message of an Absent or Invalid reading", () => {
      const readings = SCENARIOS.map(([, env]) => readEnvCredentials(env)).filter((reading) => reading._tag !== "Found")
      assert.strictEqual(readings.length, 4)
      assertNoSecrets(
        readings.map((reading) => JSON.stringify(reading)),
        { keyIdSuffixOnly: true }
      )
    })
  })
})
