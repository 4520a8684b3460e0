/**
 * Fuzzing of the profile adapter through its public surface: arbitrary profile files (INI-like text with every
 * kind of line, odd names, a BOM, CRLF, junk) and arbitrary `credential_process` output from a real child process
 * give credentials or a typed `CredentialsError`, never a defect or a hang, never an error that quotes a secret
 * value, and never a polluted prototype. Parse → print → parse stability needs the printer, which is internal: the
 * property tests of packages/profile (ProfileParser.test.ts) cover it.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { type AwsCredentials, CredentialsError, HttpTransport } from "@credkit/core"
import { ProfileCredentials } from "@credkit/profile"
import { afterEach, assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as fc from "fast-check"

import { tempFile, writeTemp } from "./support/files.js"
import { violations } from "./support/loopback.js"
import { captureLogs, errorViews, everyView } from "./support/secrets.js"

const MARKER = "fuzz-profile-secret-Jh6Kl8Mn0Pq2"
const MAX_MESSAGE = 2_000

afterEach(() => {
  assert.deepStrictEqual(violations.splice(0), [])
})

// Nothing a fuzzed file selects may reach the network: the keys that would call STS or SSO are never generated,
// and the transport and the STS client factory fail the test if anything asks for them anyway.
const noNetwork: HttpTransport.Shape = {
  request: (request) =>
    Effect.suspend(() => {
      violations.push(`a fuzzed profile sent a request to ${request.url}`)
      return Effect.fail(new HttpTransport.HttpTransportError({ kind: "refused", responded: false, url: request.url }))
    })
}

// An STS client must never be built from a fuzzed file either.
const noSts: ProfileCredentials.StsClientFactoryShape = {
  clientConfig: {},
  make: () => {
    violations.push("a fuzzed profile built an STS client")
    return Promise.reject(new Error("no STS in fuzz tests"))
  }
}

type Outcome = Exit.Exit<AwsCredentials.AwsCredentials, CredentialsError>

// Resolves once; a log line (any level) that quotes a secret value fails the run.
const resolveWith = async (options: ProfileCredentials.Options): Promise<Outcome> => {
  const logs = captureLogs()
  const exit = await Effect.runPromiseExit(
    ProfileCredentials.source(options).resolve.pipe(
      Effect.provideService(HttpTransport.HttpTransport, noNetwork),
      Effect.provideService(ProfileCredentials.StsClientFactory, noSts),
      Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord({})),
      Effect.provide(logs.layer)
    )
  )
  if (logs.lines.some((line) => line.includes(MARKER))) throw new Error("a log line quotes a secret value")
  return exit
}

const assertTyped = (exit: Outcome): void => {
  if (Exit.isSuccess(exit)) {
    if (everyView(exit.value).includes(MARKER)) throw new Error("resolved credentials show a secret value")
    return
  }
  const failure = Cause.findErrorOption(exit.cause)
  if (failure._tag === "None" || !CredentialsError.is(failure.value) || Cause.hasDies(exit.cause)) {
    throw new Error(`not a typed failure: ${Cause.pretty(exit.cause).slice(0, 500)}`)
  }
  if (failure.value.message.length > MAX_MESSAGE) throw new Error("an unbounded error message")
  if (errorViews(failure.value).includes(MARKER)) throw new Error(`the error quotes a secret: ${failure.value.message}`)
}

const NAMES = ["default", "dev", "a+b", "__proto__", "constructor", "toString", "x y", "ünï", "", "p/q.r@s:t%u"]

const name = fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 8 }))
const key = fc.oneof(
  fc.constantFrom(
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_account_id",
    "region",
    "output",
    "source_profile",
    "__proto__",
    "constructor",
    "prototype",
    "s3"
  ),
  fc.string({ maxLength: 10 })
)
const value = fc.oneof(
  fc.constant(MARKER),
  fc.constant("ASIAFUZZPROFILE00001"),
  fc.string({ maxLength: 20 }),
  fc.string({ maxLength: 20 }).map((text) => `${text}${MARKER}`)
)

// One line of a profile file: headers, properties, continuations, sub-properties, comments and junk.
const line = fc.oneof(
  name.map((n) => `[profile ${n}]`),
  name.map((n) => `[${n}]`),
  name.map((n) => `[sso-session ${n}]`),
  name.map((n) => `[services ${n}]`),
  fc.constantFrom("[profile", "[]", "[ default ]", "[profile default] # trailing", "[profile default]x"),
  fc.tuple(key, fc.constantFrom(" = ", "=", " =", "= ", "\t=\t"), value).map(([k, sep, v]) => `${k}${sep}${v}`),
  fc.tuple(fc.constantFrom("  ", "\t"), key, value).map(([indent, k, v]) => `${indent}${k} = ${v}`),
  fc.tuple(fc.constantFrom("  ", "\t"), value).map(([indent, v]) => `${indent}${v}`),
  fc.tuple(fc.constantFrom("#", ";"), fc.string({ maxLength: 20 })).map(([mark, text]) => `${mark}${text}`),
  fc.constant(""),
  fc.string({ maxLength: 30 })
)

const file = fc
  .tuple(
    fc.array(line, { maxLength: 25 }),
    fc.constantFrom("\n", "\r\n"),
    fc.boolean(),
    fc.oneof(fc.constant(""), fc.string({ maxLength: 200 }))
  )
  .map(([lines, eol, bom, tail]) => `${bom ? "\uFEFF" : ""}${lines.join(eol)}${eol}${tail}`)

describe("ProfileCredentials", () => {
  describe("source (fuzzed files)", () => {
    it("gives credentials or a typed error for any profile files, without quoting a secret or polluting a prototype", async () => {
      await fc.assert(
        fc.asyncProperty(
          file,
          file,
          fc.constantFrom(undefined, ...NAMES.filter((n) => n !== "")),
          async (config, credentials, profile) => {
            const exit = await resolveWith({
              configFile: writeTemp("config", config),
              credentialsFile: writeTemp("credentials", credentials),
              profile
            })
            assertTyped(exit)
            const probe: Record<string, unknown> = {}
            if (Object.keys(Object.prototype).length > 0 || probe["aws_access_key_id"] !== undefined) {
              throw new Error("a profile file polluted Object.prototype")
            }
          }
        ),
        { numRuns: 300, timeout: 5_000 }
      )
    })
  })

  describe("source (fuzzed credential_process output)", () => {
    const SCRIPT = Path.join(import.meta.dirname, "support", "credentialProcess.mjs")

    // Output documents: real field names with any values, the secret planted in the secret fields.
    const document = fc
      .record(
        {
          Version: fc.oneof(fc.constant(1), fc.constant(2), fc.constant("1"), fc.jsonValue({ maxDepth: 1 })),
          AccessKeyId: fc.oneof(fc.constant("ASIAFUZZPROCESS00001"), fc.string(), fc.integer()),
          SecretAccessKey: fc.oneof(fc.constant(MARKER), fc.jsonValue({ maxDepth: 1 })),
          SessionToken: fc.oneof(fc.constant(MARKER), fc.string()),
          Expiration: fc.oneof(
            fc.constantFrom("2031-01-01T00:00:00Z", "2001-01-01T00:00:00Z", "soon", "", "1"),
            fc.string(),
            fc.integer()
          ),
          // The account id is shown on purpose: no planted secret there.
          AccountId: fc.oneof(fc.string(), fc.constant("123456789012"))
        },
        { requiredKeys: [] }
      )
      .map((value) => new TextEncoder().encode(JSON.stringify(value)))
    const output = fc.oneof(
      document,
      fc.uint8Array({ maxLength: 512 }),
      fc.string().map((text) => new TextEncoder().encode(text))
    )

    it("gives credentials or a typed error for any output, without quoting it", async () => {
      const spec = tempFile("spec.json")
      const counter = writeTemp("runs", "")
      const configFile = writeTemp(
        "config",
        `[profile fuzz]\ncredential_process = "${process.execPath}" "${SCRIPT}" "${spec}" "${counter}"\n`
      )
      const credentialsFile = tempFile("no-credentials")
      await fc.assert(
        fc.asyncProperty(output, fc.constantFrom(0, 0, 0, 1), async (stdout, exitCode) => {
          Fs.writeFileSync(spec, JSON.stringify({ stdout: Buffer.from(stdout).toString("base64"), exitCode }))
          assertTyped(
            await resolveWith({
              configFile,
              credentialsFile,
              profile: "fuzz",
              credentialProcessTimeout: Duration.seconds(5)
            })
          )
        }),
        { numRuns: 40, timeout: 10_000 }
      )
      assert.isAtLeast(Fs.readFileSync(counter, "utf8").split("\n").length, 40)
    })
  })
})
