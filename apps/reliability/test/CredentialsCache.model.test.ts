/**
 * A model-based property test of core's cache (decisions §19–21): fast-check draws schedules of concurrent
 * callers, forced refreshes, invalidations, clock jumps and changes of what a scripted source does (rotate, return
 * the same set, fail, fail for good, return expired credentials, answer slowly), runs them under TestClock and
 * checks the promises over everything that happened:
 * - never two fetches at once;
 * - never credentials that are expired when handed out;
 * - stale (originally expired) credentials only within a backoff after a failed refresh, never when valid ones
 *   could be fetched;
 * - no fetch during a backoff or the fatal-error memory unless a caller forced a refresh;
 * - a call fails only when a fetch failed during it or within the backoff before it;
 * - a caller never gets an older credential set after a newer one was handed out.
 */
import { AwsCredentials, CredentialsCache, CredentialsError, CredentialsSource } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as References from "effect/References"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"

// decisions §20: the backoff after a failed refresh lasts 5–10 min; a fatal failure is remembered for 5 s.
const BACKOFF_MIN_MS = 5 * 60_000
const BACKOFF_MAX_MS = 10 * 60_000
const FATAL_MEMORY_MS = 5_000
const MINUTE = 60_000

type Mode = "rotate" | "same" | "fail" | "fatal" | "expired"

type Command =
  | { readonly _tag: "Call"; readonly callers: number }
  | { readonly _tag: "Refresh" }
  | { readonly _tag: "Invalidate"; readonly which: "current" | "other" }
  | { readonly _tag: "Advance"; readonly ms: number }
  | { readonly _tag: "Source"; readonly mode: Mode; readonly latency: number; readonly lifetime: number }

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ _tag: fc.constant("Call" as const), callers: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Refresh" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ _tag: fc.constant("Invalidate" as const), which: fc.constantFrom("current", "other") })
  },
  {
    weight: 4,
    arbitrary: fc.record({
      _tag: fc.constant("Advance" as const),
      ms: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 3_000 }),
        fc.integer({ min: 30_000, max: 5 * MINUTE }),
        fc.integer({ min: 0, max: 20 * MINUTE })
      )
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({
      _tag: fc.constant("Source" as const),
      mode: fc.constantFrom<Mode>("rotate", "rotate", "same", "fail", "fail", "fatal", "expired"),
      latency: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000 })),
      lifetime: fc.constantFrom(2 * MINUTE, 2 * MINUTE, 15 * MINUTE, 60 * MINUTE, 6 * 60 * MINUTE)
    })
  }
)

// An outage around expiry, so static stability (serving past the original expiration) is reached often.
const outageArb: fc.Arbitrary<ReadonlyArray<Command>> = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 60_000, max: 4 * MINUTE }))
  .map(([callers, ms]) => [
    { _tag: "Source", mode: "rotate", latency: 0, lifetime: 2 * MINUTE },
    { _tag: "Refresh" },
    { _tag: "Source", mode: "fail", latency: 0, lifetime: 2 * MINUTE },
    { _tag: "Advance", ms },
    { _tag: "Call", callers },
    { _tag: "Advance", ms },
    { _tag: "Call", callers }
  ])

const scheduleArb: fc.Arbitrary<ReadonlyArray<Command>> = fc
  .array(
    fc.oneof({ weight: 6, arbitrary: commandArb.map((command) => [command]) }, { weight: 1, arbitrary: outageArb }),
    {
      minLength: 1,
      maxLength: 30
    }
  )
  .map((groups) => groups.flat())

interface Served {
  readonly kind: "get" | "refresh"
  readonly startedAt: number
  readonly at: number
  readonly exit: Exit.Exit<AwsCredentials.AwsCredentials, CredentialsError>
}

interface Fetch {
  readonly startedAt: number
  readonly endedAt: number
  readonly outcome: "ok" | "recoverable" | "fatal"
}

const issuedIndex = (credentials: AwsCredentials.AwsCredentials): number => Number(credentials.accessKeyId.slice(4))

/** Runs one schedule under TestClock and returns what happened. */
const runSchedule = (commands: ReadonlyArray<Command>) =>
  Effect.gen(function* () {
    let mode: Mode = "rotate"
    let latency = 0
    let lifetime = 60 * MINUTE
    let active = 0
    let maxActive = 0
    let issued = 0
    let last: AwsCredentials.AwsCredentials | undefined
    const secrets = new Map<string, string>()
    const fetches: Array<Fetch> = []
    const refreshes: Array<number> = []
    const served: Array<Served> = []

    const issue = (expiresAt: number) => {
      issued++
      const credentials = AwsCredentials.make({
        accessKeyId: `ASIA${String(issued).padStart(8, "0")}`,
        secretAccessKey: `secret-${issued}`,
        expiration: new Date(expiresAt),
        source: "scripted"
      })
      secrets.set(credentials.accessKeyId, `secret-${issued}`)
      return credentials
    }

    const resolve = Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      const planned = { mode, latency, lifetime }
      active++
      maxActive = Math.max(maxActive, active)
      yield* Effect.sleep(planned.latency)
      const now = yield* Clock.currentTimeMillis
      active--
      const record = (outcome: Fetch["outcome"]) => fetches.push({ startedAt, endedAt: now, outcome })
      switch (planned.mode) {
        case "fail":
          record("recoverable")
          return yield* CredentialsError.transport("scripted", "status", "the scripted source answers 503")
        case "fatal":
          record("fatal")
          return yield* CredentialsError.misconfigured("scripted", "the scripted source is misconfigured")
        case "expired":
          record("recoverable")
          return issue(now - 1_000)
        case "same":
          record("ok")
          if (last !== undefined && (last.expiration?.getTime() ?? 0) > now) return last
          last = issue(now + planned.lifetime)
          return last
        case "rotate":
          record("ok")
          last = issue(now + planned.lifetime)
          return last
      }
    })

    const cache = yield* CredentialsCache.make(CredentialsSource.make("scripted", resolve, { staticStability: true }))
    const fibers: Array<Fiber.Fiber<void>> = []
    const call = (kind: Served["kind"]) =>
      Effect.gen(function* () {
        const startedAt = yield* Clock.currentTimeMillis
        if (kind === "refresh") refreshes.push(startedAt)
        const exit = yield* Effect.exit(kind === "get" ? cache.get : cache.refresh)
        served.push({ kind, startedAt, at: yield* Clock.currentTimeMillis, exit })
      })

    for (const command of commands) {
      switch (command._tag) {
        case "Call":
          for (let index = 0; index < command.callers; index++) fibers.push(yield* Effect.forkChild(call("get")))
          break
        case "Refresh":
          fibers.push(yield* Effect.forkChild(call("refresh")))
          break
        case "Invalidate":
          yield* cache.invalidate(command.which === "current" && last !== undefined ? last.accessKeyId : "ASIAOTHER")
          break
        case "Advance":
          yield* TestClock.adjust(command.ms)
          break
        case "Source":
          mode = command.mode
          latency = command.latency
          lifetime = command.lifetime
          break
      }
      yield* Effect.yieldNow
    }
    // Let every call finish against a healthy source.
    mode = "rotate"
    yield* TestClock.adjust("1 hour")
    yield* Fiber.joinAll(fibers)
    return { served, fetches, refreshes, maxActive, secrets }
  }).pipe(Effect.provide(TestClock.layer()), Effect.provideService(References.MinimumLogLevel, "None"))

const check = (outcome: Effect.Success<ReturnType<typeof runSchedule>>): void => {
  const { served, fetches, refreshes, maxActive, secrets } = outcome
  assert.isAtMost(maxActive, 1, "two fetches ran at once")

  const failures = fetches.filter((fetch) => fetch.outcome !== "ok")
  const recoverable = failures.filter((fetch) => fetch.outcome === "recoverable")
  const fatal = failures.filter((fetch) => fetch.outcome === "fatal")
  // Fetches are recorded in the order they ended, which timestamps alone cannot tell apart under TestClock.
  const succeededBefore = (failure: Fetch) =>
    fetches.slice(0, fetches.indexOf(failure)).some((fetch) => fetch.outcome === "ok")
  const refreshedWithin = (from: number, to: number) => refreshes.some((time) => time >= from && time <= to)

  for (const fetch of fetches) {
    // During a backoff (at least its 5-minute minimum) or the 5 s fatal memory, only a forced refresh fetches. A
    // backoff starts only when the cache held credentials, so the failure must come after a success.
    for (const failure of recoverable) {
      const inBackoff = fetch.startedAt > failure.endedAt && fetch.startedAt < failure.endedAt + BACKOFF_MIN_MS
      if (inBackoff && succeededBefore(failure) && !refreshedWithin(failure.endedAt, fetch.startedAt)) {
        assert.fail(`a fetch at ${fetch.startedAt} ran during the backoff after the failure at ${failure.endedAt}`)
      }
    }
    for (const failure of fatal) {
      const inMemory = fetch.startedAt > failure.endedAt && fetch.startedAt < failure.endedAt + FATAL_MEMORY_MS
      if (inMemory && !refreshedWithin(failure.endedAt, fetch.startedAt)) {
        assert.fail(`a fetch at ${fetch.startedAt} ran within 5 s of the fatal failure at ${failure.endedAt}`)
      }
    }
  }

  let newest = 0
  for (const call of [...served].sort((a, b) => a.at - b.at)) {
    const recentFailure = failures.some(
      (fetch) => fetch.endedAt <= call.at && call.startedAt - fetch.endedAt < BACKOFF_MAX_MS
    )
    if (Exit.isFailure(call.exit)) {
      if (!recentFailure) assert.fail(`a call at ${call.startedAt} failed with no failed fetch to explain it`)
      continue
    }
    const credentials = call.exit.value
    assert.strictEqual(
      secrets.get(credentials.accessKeyId),
      `secret-${issuedIndex(credentials)}`,
      "unknown credentials"
    )
    const expiresAt = credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY
    assert.isAbove(expiresAt, call.at, `credentials handed out at ${call.at} had expired at ${expiresAt}`)
    const originallyExpired = (credentials.originalExpiration ?? credentials.expiration)?.getTime() ?? Infinity
    if (originallyExpired <= call.at && !recentFailure) {
      assert.fail(`stale credentials handed out at ${call.at} with no failed refresh in the last 10 minutes`)
    }
    const index = issuedIndex(credentials)
    assert.isAtLeast(index, newest, `an older credential set was handed out at ${call.at}`)
    newest = index
  }
}

describe("CredentialsCache", () => {
  describe("make (model-based)", () => {
    it("keeps its promises under random callers, failures, clock jumps and invalidations", async () => {
      await fc.assert(
        fc.asyncProperty(scheduleArb, async (commands) => {
          check(await Effect.runPromise(runSchedule(commands)))
        }),
        { numRuns: 300 }
      )
    })

    it("lets many callers of a cold cache share one fetch", async () => {
      const outcome = await Effect.runPromise(
        runSchedule([
          { _tag: "Source", mode: "rotate", latency: 2_000, lifetime: 60 * MINUTE },
          { _tag: "Call", callers: 6 },
          { _tag: "Call", callers: 6 },
          { _tag: "Advance", ms: 2_000 }
        ])
      )
      check(outcome)
      assert.strictEqual(outcome.fetches.length, 1)
      assert.strictEqual(outcome.served.length, 12)
    })
  })
})
