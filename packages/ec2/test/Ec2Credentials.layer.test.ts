import { CredentialsProvider } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import { beforeEach } from "vitest"

import { Ec2Credentials } from "../src/index.js"
import { captureLogs, emulator, seen, withEnv } from "./support.js"

const EXT = "/latest/meta-data/iam/security-credentials-extended/"

const get = CredentialsProvider.use((provider) => provider.get)

describe("Ec2Credentials", () => {
  beforeEach(() => {
    Ec2Credentials.clearUnreachableMemory()
  })

  describe("layer", () => {
    it.effect("costs three requests cold and one request per steady-state refresh", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ clock: true })
        const program = Effect.gen(function* () {
          const first = yield* get
          assert.lengthOf(seen(emu), 3)

          // Six-hour credentials enter the refresh window one hour before they expire.
          yield* TestClock.adjust("5 hours")
          yield* TestClock.adjust("1 second")
          emu.control.clearRequests()
          const second = yield* get
          assert.notStrictEqual(second.accessKeyId, first.accessKeyId)
          assert.deepStrictEqual(seen(emu), [`GET ${EXT}credkit-role 200`])
        })
        yield* program.pipe(Effect.provide(Ec2Credentials.layer({ endpoint: emu.url })), withEnv({}))
      })
    )

    it.effect("shares one fetch sequence among 1,000 concurrent cold callers", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        const all = yield* Effect.all(
          Array.from({ length: 1000 }, () => get),
          { concurrency: "unbounded" }
        ).pipe(Effect.provide(Ec2Credentials.layer({ endpoint: emu.url })), withEnv({}))

        assert.strictEqual(new Set(all.map((credentials) => credentials.accessKeyId)).size, 1)
        assert.lengthOf(seen(emu), 3)
      })
    )

    it.effect("picks up a renamed role at the next refresh without an error reaching the caller", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ clock: true })
        const program = Effect.gen(function* () {
          assert.strictEqual((yield* get).source, "ec2:credkit-role")
          emu.control.renameRole("replacement-role")
          yield* TestClock.adjust("5 hours")
          yield* TestClock.adjust("1 second")
          const renamed = yield* get
          assert.strictEqual(renamed.source, "ec2:replacement-role")
          assert.strictEqual(renamed.accessKeyId, emu.control.current().accessKeyId)
        })
        yield* program.pipe(Effect.provide(Ec2Credentials.layer({ endpoint: emu.url })), withEnv({}))
      })
    )

    it.effect("keeps serving extended credentials with one warning when IMDS goes down and they expire", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ clock: true })
        const logs = captureLogs()
        const program = Effect.gen(function* () {
          const original = yield* get
          yield* Effect.promise(() => emu.close())
          yield* TestClock.adjust("6 hours")
          yield* TestClock.adjust("1 minute")

          for (let call = 0; call < 5; call++) {
            const served = yield* get
            const now = yield* Clock.currentTimeMillis
            assert.strictEqual(served.accessKeyId, original.accessKeyId)
            assert.isAbove(served.expiration?.getTime() ?? 0, now)
            assert.strictEqual(served.originalExpiration?.getTime(), original.expiration?.getTime())
            yield* TestClock.adjust("30 seconds")
          }
          assert.lengthOf(logs.warnings(), 1)
          assert.include(logs.warnings()[0], "serving cached credentials")
        })
        yield* program.pipe(
          Effect.provide(Ec2Credentials.layer({ endpoint: emu.url })),
          withEnv({}),
          Effect.provide(logs.layer)
        )
      })
    )
  })

  describe("layerConfig", () => {
    it.effect("reads its options from Config values", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ roleName: "from-config" })
        const layer = Ec2Credentials.layerConfig({
          endpoint: Config.String("IMDS_URL"),
          roleName: Config.String("IMDS_ROLE")
        })
        const credentials = yield* get.pipe(
          Effect.provide(layer),
          withEnv({ IMDS_URL: emu.url, IMDS_ROLE: "from-config" })
        )

        assert.strictEqual(credentials.source, "ec2:from-config")
        assert.lengthOf(seen(emu), 2)
      })
    )

    it.effect("fails the layer with the ConfigError when a Config value is missing", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          Layer.build(Ec2Credentials.layerConfig({ endpoint: Config.String("IMDS_URL") })).pipe(withEnv({}))
        )

        assert.strictEqual(error._tag, "ConfigError")
        assert.include(error.message, "IMDS_URL")
      })
    )
  })
})
