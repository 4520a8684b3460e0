import { type CredentialsError, CredentialsProvider } from "@credkit/core"
import { Ec2Credentials } from "@credkit/ec2"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"

import { DefaultCredentials } from "../src/index.js"
import { tempDir } from "./support/scenario.js"
import { blackhole, captureLogs, containerEmulator, homeWith, imdsEmulator, withEnv } from "./support/servers.js"

const STATIC = "[default]\naws_access_key_id = AKIALAPTOPKEY0000001\naws_secret_access_key = laptop-secret-value\n"
const KEYS = { AWS_ACCESS_KEY_ID: "AKIAENVIRONMENT00001", AWS_SECRET_ACCESS_KEY: "environment-secret-value" }

const get = <E>(layer: Layer.Layer<CredentialsProvider, E>) =>
  CredentialsProvider.use((provider) => provider.get).pipe(Effect.provide(layer))

const outcomes = (error: CredentialsError) =>
  (error.attempts ?? []).map((attempt) => `${attempt.source}:${attempt.outcome}`).join(" ")

describe("DefaultCredentials", () => {
  describe("sources", () => {
    it("names the five sources in chain order", () => {
      assert.deepStrictEqual(
        DefaultCredentials.sources().map((source) => source.name),
        ["env", "profile", "web-identity", "container", "ec2"]
      )
    })
  })

  describe("layer", () => {
    it.effect("prefers environment keys over every other source", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({ credentials: STATIC })
        const credentials = yield* get(DefaultCredentials.layer()).pipe(withEnv({ ...KEYS, HOME: home }))
        assert.strictEqual(credentials.source, "env")
        assert.strictEqual(credentials.accessKeyId, KEYS.AWS_ACCESS_KEY_ID)
      })
    )

    it.live("never contacts IMDS when a profile has credentials (a laptop)", () =>
      Effect.gen(function* () {
        const imds = yield* imdsEmulator()
        const home = yield* homeWith({ credentials: STATIC })
        const env = { HOME: home, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }

        const credentials = yield* CredentialsProvider.use((provider) =>
          Effect.andThen(provider.get, provider.refresh)
        ).pipe(Effect.provide(DefaultCredentials.layer()), withEnv(env))
        const report = yield* DefaultCredentials.explain().pipe(withEnv(env))

        assert.strictEqual(credentials.source, "profile:default")
        assert.strictEqual(report.source, "profile:default")
        assert.deepStrictEqual(imds.control.requests(), [])
      })
    )

    it.live("resolves the instance role with its account id when nothing else is configured", () =>
      Effect.gen(function* () {
        yield* Ec2Credentials.clearUnreachableMemory()
        const imds = yield* imdsEmulator({ mode: "v2-only", roleName: "app-role", accountId: "210987654321" })
        const home = yield* tempDir

        const credentials = yield* get(DefaultCredentials.layer()).pipe(
          withEnv({ HOME: home, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url })
        )

        assert.strictEqual(credentials.source, "ec2:app-role")
        assert.strictEqual(credentials.accessKeyId, imds.control.current().accessKeyId)
        assert.strictEqual(credentials.accountId, "210987654321")
        assert.strictEqual(imds.control.requests().length, 3)
      })
    )

    it.live("takes IMDS settings from the selected profile", () =>
      Effect.gen(function* () {
        yield* Ec2Credentials.clearUnreachableMemory()
        const imds = yield* imdsEmulator({ roleName: "profile-configured" })
        const home = yield* homeWith({ config: `[profile dev]\nec2_metadata_service_endpoint = ${imds.url}\n` })

        const credentials = yield* get(DefaultCredentials.layer({ profile: "dev" })).pipe(withEnv({ HOME: home }))

        assert.strictEqual(credentials.source, "ec2:profile-configured")
      })
    )

    it.live("passes the ec2 and ecs options to their sources", () =>
      Effect.gen(function* () {
        yield* Ec2Credentials.clearUnreachableMemory()
        const imds = yield* imdsEmulator({ roleName: "option-role" })
        const ecs = yield* containerEmulator()
        const home = yield* tempDir

        const fromEc2 = yield* get(DefaultCredentials.layer({ ec2: { endpoint: imds.url } })).pipe(
          withEnv({ HOME: home })
        )
        const fromEcs = yield* get(DefaultCredentials.layer({ ecs: { relativeUriBase: ecs.baseUrl } })).pipe(
          withEnv({ HOME: home, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: ecs.relativeUri })
        )

        assert.strictEqual(fromEc2.source, "ec2:option-role")
        assert.strictEqual(fromEcs.source, "container")
        assert.strictEqual(fromEcs.accessKeyId, ecs.control.current().accessKeyId)
      })
    )

    it.effect("uses the profile option over AWS_PROFILE", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          credentials:
            "[a]\naws_access_key_id = AKIAPROFILEA\naws_secret_access_key = a\n[b]\naws_access_key_id = AKIAPROFILEB\naws_secret_access_key = b\n"
        })
        const env = { HOME: home, AWS_PROFILE: "a", AWS_EC2_METADATA_DISABLED: "true" }

        const byVariable = yield* get(DefaultCredentials.layer()).pipe(withEnv(env))
        const byOption = yield* get(DefaultCredentials.layer({ profile: "b" })).pipe(withEnv(env))

        assert.strictEqual(byVariable.source, "profile:a")
        assert.strictEqual(byOption.source, "profile:b")
      })
    )

    it.effect("stops at a source that is present but broken instead of falling through", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({ credentials: STATIC })

        const error = yield* Effect.flip(
          get(DefaultCredentials.layer()).pipe(
            withEnv({ HOME: home, AWS_ACCESS_KEY_ID: KEYS.AWS_ACCESS_KEY_ID, AWS_EC2_METADATA_DISABLED: "true" })
          )
        )

        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.strictEqual(error.source, "env")
        assert.strictEqual(
          outcomes(error),
          "env:failed profile:not-reached web-identity:not-reached container:not-reached ec2:not-reached"
        )
      })
    )

    it.live("lists every source with its reason when nothing answers, then fails at once for 60 s", () =>
      Effect.gen(function* () {
        yield* Ec2Credentials.clearUnreachableMemory()
        const hole = yield* blackhole
        const home = yield* tempDir
        const env = { HOME: home, AWS_EC2_METADATA_SERVICE_ENDPOINT: hole.url }

        const [first, second] = yield* CredentialsProvider.use((provider) =>
          Effect.all([Effect.flip(provider.get), Effect.flip(provider.get)])
        ).pipe(Effect.provide(DefaultCredentials.layer({ ec2: { timeout: "300 millis" } })), withEnv(env))
        const connections = hole.connections()
        const report = yield* DefaultCredentials.explain().pipe(withEnv(env))

        assert.strictEqual(first.reason._tag, "ChainExhausted")
        assert.strictEqual(
          outcomes(first),
          "env:skipped profile:skipped web-identity:skipped container:skipped ec2:skipped"
        )
        for (const attempt of first.attempts ?? []) {
          assert.strictEqual(attempt.reason, "Unavailable")
          assert.include(first.message, `${attempt.source}: skipped (Unavailable): ${attempt.message}`)
        }
        assert.include(first.attempts?.[4]?.message, `IMDS unreachable at ${hole.url}`)
        assert.isAbove(connections, 0)
        // The second resolution and the report reuse the process-wide memory: no new connection.
        assert.strictEqual(second.reason._tag, "ChainExhausted")
        assert.include(second.attempts?.[4]?.message, "not tried again")
        assert.include(report.attempts[4]?.message, "not tried again")
        assert.strictEqual(hole.connections(), connections)
      })
    )

    it.live("bounds a resolution by the timeout option and names the source that ran out of time", () =>
      Effect.gen(function* () {
        yield* Ec2Credentials.clearUnreachableMemory()
        const hole = yield* blackhole
        const home = yield* tempDir
        const layer = DefaultCredentials.layer({ timeout: "300 millis", ec2: { timeout: "30 seconds" } })

        const error = yield* Effect.flip(
          get(layer).pipe(withEnv({ HOME: home, AWS_EC2_METADATA_SERVICE_ENDPOINT: hole.url }))
        )

        // IMDS alone would have waited 30 s: the chain's deadline cut it.
        assert.strictEqual(error.reason._tag, "Transport")
        assert.strictEqual(error.reason._tag === "Transport" ? error.reason.kind : undefined, "timeout")
        assert.strictEqual(error.source, "chain")
        assert.include(error.message, "300 ms deadline")
        assert.strictEqual(
          outcomes(error),
          "env:skipped profile:skipped web-identity:skipped container:skipped ec2:failed"
        )
        assert.strictEqual(hole.connections(), 1)
      })
    )

    it.effect("warns once per process when environment keys shadow AWS_PROFILE, never for the profile option", () =>
      Effect.gen(function* () {
        const logs = captureLogs()
        const home = yield* tempDir
        const env = { ...KEYS, HOME: home, AWS_PROFILE: "dev" }

        yield* get(DefaultCredentials.layer({ profile: "dev" })).pipe(Effect.provide(logs.layer), withEnv(env))
        const optionWarnings = logs.warnings().length
        yield* get(DefaultCredentials.layer()).pipe(Effect.provide(logs.layer), withEnv(env))
        yield* get(DefaultCredentials.layer()).pipe(Effect.provide(logs.layer), withEnv(env))

        assert.strictEqual(optionWarnings, 0)
        assert.strictEqual(logs.warnings().length, 1)
        assert.include(logs.warnings()[0], 'AWS_PROFILE is set to \\"dev\\"')
        assert.notInclude(logs.warnings()[0], KEYS.AWS_SECRET_ACCESS_KEY)
      })
    )
  })

  describe("layerConfig", () => {
    it.live("reads the options, nested ones included, through Config", () =>
      Effect.gen(function* () {
        yield* Ec2Credentials.clearUnreachableMemory()
        const imds = yield* imdsEmulator({ roleName: "config-role" })
        const home = yield* homeWith({ config: "[profile dev]\nregion = eu-west-1\n" })
        const layer = DefaultCredentials.layerConfig({
          profile: Config.String("CHAIN_PROFILE"),
          ec2: { endpoint: Config.String("CHAIN_IMDS") }
        })

        const credentials = yield* get(layer).pipe(withEnv({ HOME: home, CHAIN_PROFILE: "dev", CHAIN_IMDS: imds.url }))

        assert.strictEqual(credentials.source, "ec2:config-role")
      })
    )

    it.effect("fails the layer with a ConfigError when an option is missing", () =>
      Effect.gen(function* () {
        const layer = DefaultCredentials.layerConfig({ profile: Config.String("CHAIN_PROFILE") })

        const error = yield* Effect.flip(
          CredentialsProvider.use((provider) => provider.get).pipe(Effect.provide(layer), withEnv({}))
        )

        assert.strictEqual(error._tag, "ConfigError")
      })
    )
  })

  describe("explain", () => {
    it.effect("reports the winner and every source, the key id as its last four characters", () =>
      Effect.gen(function* () {
        const home = yield* tempDir
        const report = yield* DefaultCredentials.explain().pipe(
          withEnv({ ...KEYS, HOME: home, AWS_ACCOUNT_ID: "123456789012" })
        )

        assert.deepStrictEqual(
          { ...report, attempts: report.attempts.map(({ elapsedMs: _, ...attempt }) => attempt) },
          {
            ok: true,
            source: "env",
            credentials: { accessKeyIdSuffix: "0001", accountId: "123456789012" },
            attempts: [
              { source: "env", outcome: "succeeded" },
              { source: "profile", outcome: "not-reached" },
              { source: "web-identity", outcome: "not-reached" },
              { source: "container", outcome: "not-reached" },
              { source: "ec2", outcome: "not-reached" }
            ]
          }
        )
        assert.notInclude(JSON.stringify(report), KEYS.AWS_ACCESS_KEY_ID)
        assert.notInclude(JSON.stringify(report), KEYS.AWS_SECRET_ACCESS_KEY)
      })
    )

    it.effect("resolves to a report of every reason instead of failing when nothing is found", () =>
      Effect.gen(function* () {
        const home = yield* tempDir
        const report = yield* DefaultCredentials.explain().pipe(
          withEnv({ HOME: home, AWS_EC2_METADATA_DISABLED: "true" })
        )

        assert.isFalse(report.ok)
        assert.isUndefined(report.credentials)
        assert.deepStrictEqual(
          report.attempts.map((attempt) => [attempt.source, attempt.outcome, attempt.reason]),
          [
            ["env", "skipped", "Unavailable"],
            ["profile", "skipped", "Unavailable"],
            ["web-identity", "skipped", "Unavailable"],
            ["container", "skipped", "Unavailable"],
            ["ec2", "skipped", "Unavailable"]
          ]
        )
        assert.include(report.attempts[4]?.message, "AWS_EC2_METADATA_DISABLED")
      })
    )

    it.effect("hints that environment keys shadow AWS_PROFILE", () =>
      Effect.gen(function* () {
        const home = yield* tempDir
        const report = yield* DefaultCredentials.explain().pipe(withEnv({ ...KEYS, HOME: home, AWS_PROFILE: "dev" }))

        assert.include(report.attempts[0]?.hint, 'AWS_PROFILE="dev" is ignored')
      })
    )
  })
})
