import * as fs from "node:fs"
import * as path from "node:path"

import { CredentialsProvider } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import { TestClock } from "effect/testing"

import { ProfileCredentials } from "../src/index.js"
import { tempDir, withEnv } from "./support/home.js"
import { ReplayHandler, readTraffic, sameUri } from "./support/replay.js"

const VECTORS = path.resolve(import.meta.dirname, "../../../../shared/vectors")
const SUITE = path.join(VECTORS, "profile-provider")

interface Expected {
  readonly access_key_id: string
  readonly secret_access_key: string
  readonly session_token?: string
  readonly account_id?: string
  readonly expiry?: number
}

interface TestCase {
  readonly name: string
  readonly docs: string
  readonly result: { readonly Ok?: Expected; readonly ErrorContains?: string }
}

/**
 * Failing cases: the vectors quote the Rust SDK's messages; ours differ, so each case names our reason tag and a
 * substring of our message (vectors README, "Rules" #2). No case differs from decisions.md: like the upstream
 * runner, this one runs the profile source alone, so the environment keys of `e2e_assume_role` are not consulted
 * and `empty_config` fails (Unavailable) instead of falling through.
 */
const ERRORS: Readonly<Record<string, readonly [string, string]>> = {
  credential_process_failure: ["InvalidResponse", `credential_process of profile "default" exited with code 1`],
  credential_process_invalid: ["InvalidResponse", `credential_process of profile "default" did not print a JSON`],
  empty_config: ["Unavailable", "no profile files"],
  invalid_config: ["Misconfigured", "could not parse profile file"]
}

/** The label each successful case must carry. */
const LABELS: Readonly<Record<string, string>> = {
  credential_process: "process:default",
  credential_process_account_id_fallback: "process:default"
}

// They need a POSIX shell with echo and base64.
const NEEDS_SHELL = (name: string) => name.startsWith("credential_process")

const scenarios = fs
  .readdirSync(SUITE, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()

const readJson = <A>(file: string): A => JSON.parse(fs.readFileSync(file, "utf8")) as A

describe("ProfileCredentials", () => {
  describe("source (vectors/profile-provider)", () => {
    it("covers the 14 scenarios", () => {
      assert.strictEqual(scenarios.length, 14)
    })

    for (const name of scenarios) {
      const dir = path.join(SUITE, name)
      const testCase = readJson<TestCase>(path.join(dir, "test-case.json"))
      const run = process.platform === "win32" && NEEDS_SHELL(name) ? it.effect.skip : it.effect
      run(`profile-provider/${name}: ${testCase.docs}`, () =>
        Effect.gen(function* () {
          // Rules #4: the recorded expirations (2021, 2022) lie in the future of the Unix epoch.
          yield* TestClock.setTime(0)
          const home = yield* tempDir
          if (fs.existsSync(path.join(dir, "fs", "home"))) {
            fs.cpSync(path.join(dir, "fs", "home"), home, { recursive: true })
          }
          const { EXPOSE_SECRETS_FOR_TESTS: _, ...recorded } = readJson<Record<string, string>>(
            path.join(dir, "env.json")
          )
          const env = { ...recorded, HOME: home }
          const exchanges = readTraffic(path.join(dir, "http-traffic.json"))
          const handler = new ReplayHandler(exchanges)

          const exit = yield* CredentialsProvider.use((provider) => provider.get).pipe(
            Effect.provide(ProfileCredentials.layer()),
            withEnv(env),
            Effect.provideService(
              ProfileCredentials.StsClientFactory,
              ProfileCredentials.stsClientFactory({ requestHandler: handler })
            ),
            Effect.exit
          )

          assert.strictEqual(handler.urls.length, exchanges.length, `requests sent: ${handler.urls.join(", ")}`)
          exchanges.forEach((exchange, index) => {
            assert.isTrue(sameUri(exchange.uri, handler.urls[index] ?? ""), `request ${index}: ${handler.urls[index]}`)
          })

          const expected = testCase.result.Ok
          if (expected !== undefined) {
            if (Exit.isFailure(exit)) return assert.fail(`expected credentials, got ${String(exit.cause)}`)
            const credentials = exit.value
            assert.strictEqual(credentials.accessKeyId, expected.access_key_id)
            assert.strictEqual(Redacted.value(credentials.secretAccessKey), expected.secret_access_key)
            assert.strictEqual(
              credentials.sessionToken === undefined ? undefined : Redacted.value(credentials.sessionToken),
              expected.session_token
            )
            assert.strictEqual(credentials.accountId, expected.account_id)
            assert.strictEqual(
              credentials.expiration === undefined ? undefined : credentials.expiration.getTime() / 1000,
              expected.expiry
            )
            assert.strictEqual(credentials.source, LABELS[name] ?? "role:default")
            return
          }
          const [tag, text] = ERRORS[name] ?? ["", ""]
          if (Exit.isSuccess(exit)) return assert.fail(`expected an error containing ${text}`)
          const error = exit.cause.reasons[0]
          assert.strictEqual(error?._tag, "Fail")
          if (error?._tag !== "Fail") return
          assert.strictEqual(error.error.reason._tag, tag)
          assert.include(error.error.message, text)
        })
      )
    }
  })
})
