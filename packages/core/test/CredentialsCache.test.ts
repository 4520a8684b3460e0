import { inspect } from "node:util"

import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"

import { CredentialsCache, CredentialsError, CredentialsSource } from "../src/index.js"
import { assertNoSecrets, captureLogs, credentials, lasting, scripted } from "./fixtures.js"

const HOUR = 60 * 60 * 1000
const MINUTE = 60 * 1000

describe("CredentialsCache", () => {
  describe("get", () => {
    it.effect("runs exactly one fetch for 1,000 concurrent callers on a cold cache", () =>
      Effect.gen(function* () {
        const gate = yield* Deferred.make<void>()
        const { source, state } = scripted([lasting(HOUR)], { delay: Deferred.await(gate) })
        const cache = yield* CredentialsCache.make(source)

        const fiber = yield* Effect.forkChild(
          Effect.all(
            Array.from({ length: 1000 }, () => cache.get),
            { concurrency: "unbounded" }
          )
        )
        yield* Effect.yieldNow
        yield* Deferred.succeed(gate, undefined)
        const results = yield* Fiber.join(fiber)

        assert.strictEqual(state.calls, 1)
        assert.strictEqual(new Set(results.map((c) => c.accessKeyId)).size, 1)
      })
    )

    it.effect("serves cached credentials without fetching before the advisory window", () =>
      Effect.gen(function* () {
        const { source, state } = scripted([lasting(6 * HOUR)])
        const cache = yield* CredentialsCache.make(source)

        const first = yield* cache.get
        yield* TestClock.adjust(4 * HOUR)
        const second = yield* cache.get

        assert.strictEqual(state.calls, 1)
        assert.strictEqual(second.accessKeyId, first.accessKeyId)
      })
    )

    it.effect("refreshes in the advisory window while other callers keep the current credentials", () =>
      Effect.gen(function* () {
        const gate = yield* Deferred.make<void>()
        let gated = false
        const { source, state } = scripted([lasting(6 * HOUR)], {
          delay: Effect.suspend(() => (gated ? Deferred.await(gate) : Effect.void))
        })
        const cache = yield* CredentialsCache.make(source)
        const first = yield* cache.get

        // 6 h credentials: the advisory window is the last 60 minutes, the mandatory one the last minute.
        yield* TestClock.adjust(5 * HOUR + 30 * MINUTE)
        gated = true
        const refresher = yield* Effect.forkChild(cache.get)
        yield* Effect.yieldNow
        const others = yield* Effect.all(Array.from({ length: 10 }, () => cache.get))
        assert.isTrue(others.every((c) => c.accessKeyId === first.accessKeyId))
        assert.isUndefined(refresher.pollUnsafe())

        yield* Deferred.succeed(gate, undefined)
        const refreshed = yield* Fiber.join(refresher)
        assert.notStrictEqual(refreshed.accessKeyId, first.accessKeyId)
        assert.strictEqual((yield* cache.get).accessKeyId, refreshed.accessKeyId)
        assert.strictEqual(state.calls, 2)
      })
    )

    it.effect("makes every caller wait for the one refresh in the mandatory window", () =>
      Effect.gen(function* () {
        const gate = yield* Deferred.make<void>()
        let gated = false
        const { source, state } = scripted([lasting(HOUR)], {
          delay: Effect.suspend(() => (gated ? Deferred.await(gate) : Effect.void))
        })
        const cache = yield* CredentialsCache.make(source)
        const first = yield* cache.get

        yield* TestClock.adjust(HOUR - 30 * 1000)
        gated = true
        const waiting = yield* Effect.forkChild(
          Effect.all(
            Array.from({ length: 5 }, () => cache.get),
            { concurrency: 5 }
          )
        )
        yield* Effect.yieldNow
        assert.isUndefined(waiting.pollUnsafe())
        yield* Deferred.succeed(gate, undefined)
        const results = yield* Fiber.join(waiting)

        assert.strictEqual(state.calls, 2)
        assert.isTrue(results.every((c) => c.accessKeyId !== first.accessKeyId))
      })
    )

    it.effect("sizes the advisory window by lifetime: 15 minutes for one-hour credentials", () =>
      Effect.gen(function* () {
        const { source, state } = scripted([lasting(HOUR)])
        const cache = yield* CredentialsCache.make(source)
        yield* cache.get

        yield* TestClock.adjust(44 * MINUTE)
        yield* cache.get
        assert.strictEqual(state.calls, 1)
        yield* TestClock.adjust(2 * MINUTE)
        yield* cache.get
        assert.strictEqual(state.calls, 2)
      })
    )

    it.effect("honours a configured advisory window", () =>
      Effect.gen(function* () {
        const { source, state } = scripted([lasting(6 * HOUR)])
        const cache = yield* CredentialsCache.make(source, { advisoryWindow: "10 minutes" })
        yield* cache.get

        yield* TestClock.adjust(6 * HOUR - 11 * MINUTE)
        yield* cache.get
        assert.strictEqual(state.calls, 1)
        yield* TestClock.adjust(2 * MINUTE)
        yield* cache.get
        assert.strictEqual(state.calls, 2)
      })
    )

    it.effect("does not retry sooner than 60 s when a refresh returns the same credentials", () =>
      Effect.gen(function* () {
        const fixed = credentials(1, new Date(HOUR))
        const { source, state } = scripted([() => fixed])
        const cache = yield* CredentialsCache.make(source)
        yield* cache.get

        yield* TestClock.adjust(50 * MINUTE)
        yield* cache.get
        assert.strictEqual(state.calls, 2)
        for (let i = 0; i < 10; i++) {
          yield* TestClock.adjust(5 * 1000)
          yield* cache.get
        }
        assert.strictEqual(state.calls, 2)
        yield* TestClock.adjust(60 * 1000)
        yield* cache.get
        assert.strictEqual(state.calls, 3)
      })
    )

    it.effect("re-checks credentials without an expiration at most every 15 minutes", () =>
      Effect.gen(function* () {
        const fixed = credentials(1)
        const { source, state } = scripted([() => fixed])
        const cache = yield* CredentialsCache.make(source)
        yield* cache.get

        for (let i = 0; i < 12; i++) {
          yield* TestClock.adjust(2 * MINUTE)
          yield* cache.get
        }
        // 24 minutes: one re-check at 16 minutes, the next not before 31.
        assert.strictEqual(state.calls, 2)
      })
    )

    it.effect("turns a source that throws into a typed failure for every waiter", () =>
      Effect.gen(function* () {
        const source = CredentialsSource.make(
          "broken",
          Effect.sync(() => {
            throw new Error("boom")
          })
        )
        const cache = yield* CredentialsCache.make(source)

        const errors = yield* Effect.all(
          Array.from({ length: 3 }, () => Effect.flip(cache.get)),
          { concurrency: 3 }
        )
        assert.isTrue(errors.every((error) => error.reason._tag === "Transport"))
        assert.include(errors[0]?.message ?? "", "broken source failed unexpectedly")
      })
    )

    it.effect("rejects credentials that are already expired", () =>
      Effect.gen(function* () {
        const { source } = scripted([(now, n) => credentials(n, new Date(now - 1))])
        const cache = yield* CredentialsCache.make(source)

        const error = yield* Effect.flip(cache.get)
        assert.strictEqual(error.reason._tag, "Expired")
      })
    )

    it.effect("raises a failure without cached credentials and tries again on the next call", () =>
      Effect.gen(function* () {
        const { source, state } = scripted([
          () => CredentialsError.transport("test", "refused", "connection refused"),
          lasting(HOUR)
        ])
        const cache = yield* CredentialsCache.make(source)

        const error = yield* Effect.flip(cache.get)
        assert.strictEqual(error.reason._tag, "Transport")
        const next = yield* cache.get
        assert.strictEqual(next.accessKeyId, "AKIDTEST0001")
        assert.strictEqual(state.calls, 2)
      })
    )

    it.effect("answers a non-recoverable failure from memory for 5 s without contacting the source", () =>
      Effect.gen(function* () {
        const { source, state } = scripted([
          () => CredentialsError.misconfigured("test", "key without secret"),
          () => CredentialsError.misconfigured("test", "key without secret"),
          lasting(HOUR)
        ])
        const cache = yield* CredentialsCache.make(source)

        yield* Effect.flip(cache.get)
        yield* Effect.flip(cache.get)
        yield* TestClock.adjust(4 * 1000)
        yield* Effect.flip(cache.get)
        assert.strictEqual(state.calls, 1)
        yield* TestClock.adjust(2 * 1000)
        yield* Effect.flip(cache.get)
        assert.strictEqual(state.calls, 2)
      })
    )
  })

  describe("failed refresh", () => {
    it.effect("keeps serving valid credentials and retries no sooner than the backoff", () =>
      Effect.gen(function* () {
        const { source, state } = scripted([
          lasting(6 * HOUR),
          () => CredentialsError.transport("test", "status", "503 from the source")
        ])
        const cache = yield* CredentialsCache.make(source)
        const first = yield* cache.get

        yield* TestClock.adjust(5 * HOUR + 30 * MINUTE)
        const during = yield* cache.get
        assert.strictEqual(during.accessKeyId, first.accessKeyId)
        assert.strictEqual(state.calls, 2)
        for (let i = 0; i < 4; i++) {
          yield* TestClock.adjust(MINUTE)
          yield* cache.get
        }
        assert.strictEqual(state.calls, 2)
        yield* TestClock.adjust(6 * MINUTE)
        yield* cache.get
        assert.strictEqual(state.calls, 3)
      }).pipe(Effect.provide(captureLogs().layer))
    )

    it.effect("extends expired credentials by 5–10 minutes with one warning under static stability", () => {
      const logs = captureLogs()
      return Effect.gen(function* () {
        const { source, state } = scripted(
          [lasting(HOUR), () => CredentialsError.transport("test", "refused", "the source is down")],
          { staticStability: true }
        )
        const cache = yield* CredentialsCache.make(source)
        const first = yield* cache.get

        yield* TestClock.adjust(HOUR + MINUTE)
        const extended = yield* cache.get
        const now = HOUR + MINUTE
        assert.strictEqual(extended.accessKeyId, first.accessKeyId)
        assert.isDefined(extended.expiration)
        const extra = (extended.expiration?.getTime() ?? 0) - now
        assert.isAtLeast(extra, 5 * MINUTE)
        assert.isAtMost(extra, 10 * MINUTE)
        assert.strictEqual(extended.originalExpiration?.getTime(), HOUR)

        const again = yield* Effect.all(Array.from({ length: 20 }, () => cache.get))
        assert.isTrue(again.every((c) => c.accessKeyId === first.accessKeyId))
        assert.strictEqual(state.calls, 2)
        const warnings = logs.lines.filter((line) => line.level === "Warn")
        assert.strictEqual(warnings.length, 1)
        assert.include(warnings[0]?.text ?? "", "serving cached credentials")
        for (const line of logs.lines) assertNoSecrets(line.text)
      }).pipe(Effect.provide(logs.layer))
    })

    it.effect("raises the failure after expiry without static stability", () =>
      Effect.gen(function* () {
        const { source } = scripted([lasting(HOUR), () => CredentialsError.transport("test", "refused", "down")])
        const cache = yield* CredentialsCache.make(source)
        yield* cache.get

        yield* TestClock.adjust(HOUR + MINUTE)
        const error = yield* Effect.flip(cache.get)
        assert.strictEqual(error.reason._tag, "Transport")
      })
    )
  })

  describe("invalidate", () => {
    it.effect("drops only the credentials with the named access key id", () =>
      Effect.gen(function* () {
        const { source, state } = scripted([lasting(6 * HOUR)])
        const cache = yield* CredentialsCache.make(source)
        const first = yield* cache.get

        yield* cache.invalidate("AKIDSOMETHINGELSE")
        assert.strictEqual((yield* cache.get).accessKeyId, first.accessKeyId)
        assert.strictEqual(state.calls, 1)

        yield* cache.invalidate(first.accessKeyId)
        const next = yield* cache.get
        assert.notStrictEqual(next.accessKeyId, first.accessKeyId)
        assert.strictEqual(state.calls, 2)
      })
    )

    it.effect("contacts nothing during a backoff", () =>
      Effect.gen(function* () {
        const { source, state } = scripted(
          [lasting(HOUR), () => CredentialsError.transport("test", "refused", "down")],
          { staticStability: true }
        )
        const cache = yield* CredentialsCache.make(source)
        const first = yield* cache.get
        yield* TestClock.adjust(HOUR + MINUTE)
        yield* cache.get
        assert.strictEqual(state.calls, 2)

        yield* cache.invalidate(first.accessKeyId)
        const served = yield* cache.get
        assert.strictEqual(served.accessKeyId, first.accessKeyId)
        assert.strictEqual(state.calls, 2)
      })
    )
  })

  describe("refresh", () => {
    it.effect("fetches at once, ignoring the windows, and joins a fetch in flight", () =>
      Effect.gen(function* () {
        const { source, state } = scripted([lasting(6 * HOUR)])
        const cache = yield* CredentialsCache.make(source)
        yield* cache.get

        const [a, b] = yield* Effect.all([cache.refresh, cache.refresh], { concurrency: 2 })
        assert.strictEqual(state.calls, 2)
        assert.strictEqual(a.accessKeyId, b.accessKeyId)
      })
    )
  })

  describe("peek", () => {
    it.effect("returns fresh credentials synchronously and nothing once a refresh is due", () =>
      Effect.gen(function* () {
        const { source } = scripted([lasting(HOUR)])
        const cache = yield* CredentialsCache.make(source)
        assert.isUndefined(cache.peek(0))
        const first = yield* cache.get

        assert.strictEqual(cache.peek(10 * MINUTE)?.accessKeyId, first.accessKeyId)
        assert.isUndefined(cache.peek(50 * MINUTE))
      })
    )
  })

  describe("secrets", () => {
    it.effect("never shows secrets in inspect or JSON of credentials and errors", () =>
      Effect.gen(function* () {
        const { source } = scripted([lasting(HOUR), () => CredentialsError.transport("test", "refused", "down")])
        const cache = yield* CredentialsCache.make(source)
        const value = yield* cache.get
        yield* TestClock.adjust(2 * HOUR)
        const error = yield* Effect.flip(cache.get)

        for (const text of [inspect(value, { depth: 10 }), JSON.stringify(value), inspect(error), error.message]) {
          assertNoSecrets(text)
        }
      })
    )
  })
})
