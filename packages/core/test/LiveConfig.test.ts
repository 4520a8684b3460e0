import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

import { LiveConfig } from "../src/index.js"

describe("LiveConfig", () => {
  describe("variables", () => {
    it.effect("reads from the provider in context", () =>
      Effect.gen(function* () {
        const values = yield* LiveConfig.variables(["CREDKIT_A", "CREDKIT_B"])
        assert.deepStrictEqual(values, { CREDKIT_A: "one", CREDKIT_B: undefined })
      }).pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({ CREDKIT_A: "one" }))))
    )

    it.effect("reads the process environment as it is now when no provider is given", () =>
      Effect.gen(function* () {
        process.env.CREDKIT_LIVE_TEST = "first"
        const first = yield* LiveConfig.variables(["CREDKIT_LIVE_TEST"])
        process.env.CREDKIT_LIVE_TEST = "second"
        const second = yield* LiveConfig.variables(["CREDKIT_LIVE_TEST"])
        delete process.env.CREDKIT_LIVE_TEST
        assert.strictEqual(first.CREDKIT_LIVE_TEST, "first")
        assert.strictEqual(second.CREDKIT_LIVE_TEST, "second")
      })
    )
  })

  describe("unwrap", () => {
    it.effect("unwraps a record of configs key by key and keeps plain values such as durations", () =>
      Effect.gen(function* () {
        const timeout = Duration.seconds(2)
        const options = yield* LiveConfig.unwrap<{ readonly profile: string; readonly timeout: Duration.Duration }>({
          profile: Config.String("CREDKIT_PROFILE"),
          timeout: Config.succeed(timeout)
        })
        assert.strictEqual(options.profile, "dev")
        assert.isTrue(Duration.equals(options.timeout, timeout))
      }).pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({ CREDKIT_PROFILE: "dev" }))))
    )
  })
})
