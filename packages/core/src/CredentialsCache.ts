/**
 * The expiry-aware cache behind every credkit provider (decisions §19–22): one fetch for all concurrent callers,
 * refresh ahead of expiry in proportion to the lifetime, serving the last good credentials with backoff when a
 * refresh fails, and targeted invalidation. Time comes from `Clock` only; nothing runs in the background between
 * calls, so a frozen Lambda sandbox never wakes to a timer: refresh happens on access.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"

import * as AwsCredentials from "./AwsCredentials.js"
import { CredentialsError, Expired } from "./CredentialsError.js"
import type { CredentialsSource } from "./CredentialsSource.js"
import {
  BACKOFF_MAX,
  BACKOFF_MIN,
  FATAL_MEMORY,
  SAME_CREDENTIALS_QUIET,
  type Windows,
  windowsFor
} from "./internal/windows.js"

/**
 * Cache settings.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface Options {
  /** Overrides the advisory window table of decisions §19. */
  readonly advisoryWindow?: Duration.Input | undefined
  /** Keep serving (extended) credentials when a refresh fails after they expired. Defaults to the source's choice. */
  readonly staticStability?: boolean | undefined
}

/**
 * A cache around one source.
 *
 * @category models
 * @since 0.1.0
 */
export interface CredentialsCache {
  /** Current credentials, refreshing as the windows require. */
  readonly get: Effect.Effect<AwsCredentials.AwsCredentials, CredentialsError>
  /** Fetch now, ignoring the windows and the backoff (joins a fetch already in flight). */
  readonly refresh: Effect.Effect<AwsCredentials.AwsCredentials, CredentialsError>
  /** Drop the cached credentials if they are the ones named: a service rejected them. */
  readonly invalidate: (accessKeyId: string) => Effect.Effect<void>
  /** The credentials `get` would return at `now` without any work, or `undefined`. Synchronous. */
  readonly peek: (now: number) => AwsCredentials.AwsCredentials | undefined
}

interface Entry extends Windows {
  readonly credentials: AwsCredentials.AwsCredentials
}

type Fetched = AwsCredentials.AwsCredentials

/**
 * Builds a cache around a source. The source's requirements are captured when the cache is built.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.fnUntraced(function* <R>(source: CredentialsSource<R>, options?: Options) {
  const context = yield* Effect.context<R>()
  const configured =
    options?.advisoryWindow === undefined ? undefined : Duration.fromInputUnsafe(options.advisoryWindow)
  const staticStability = options?.staticStability ?? source.staticStability ?? false
  const fetch = Effect.provideContext(source.resolve, context)

  let entry: Entry | undefined
  let served: Fetched | undefined
  let backoffUntil = 0
  let quietUntil = 0
  let invalidated = false
  let fatal: { readonly error: CredentialsError; readonly until: number } | undefined
  let inflight: Deferred.Deferred<Fetched, CredentialsError> | undefined

  const accept = Effect.fnUntraced(function* (credentials: Fetched, now: number) {
    if (entry !== undefined && !invalidated && AwsCredentials.isSame(entry.credentials, credentials)) {
      if (credentials.expiration === undefined) {
        // Long-term keys that did not change: the next re-check is a full interval away (decisions §22).
        entry = { credentials: entry.credentials, ...windowsFor(now, undefined, configured) }
        return served ?? entry.credentials
      }
      // The source has not rotated yet: leave it alone for a while, but never past half the remaining lifetime.
      const quiet = yield* Random.nextBetween(
        Duration.toMillis(SAME_CREDENTIALS_QUIET),
        Duration.toMillis(SAME_CREDENTIALS_QUIET) * 1.5
      )
      quietUntil = now + Math.min(quiet, Math.max(0, (entry.expiresAt - now) / 2))
      yield* Effect.logDebug(
        `${source.name}: refresh returned the same credentials; next try in ${Math.round((quietUntil - now) / 1000)} s`
      )
      return served ?? entry.credentials
    }
    entry = { credentials, ...windowsFor(now, credentials.expiration, configured) }
    served = credentials
    backoffUntil = 0
    quietUntil = 0
    invalidated = false
    fatal = undefined
    const left = AwsCredentials.millisLeft(credentials, now)
    yield* Effect.logInfo(
      left === undefined
        ? `credentials resolved from ${credentials.source} (key …${AwsCredentials.accessKeyIdSuffix(credentials)}, no expiration)`
        : `credentials resolved from ${credentials.source} (key …${AwsCredentials.accessKeyIdSuffix(credentials)}), expire at ${credentials.expiration?.toISOString()} (${Math.round(left / 1000)} s left)`
    )
    return credentials
  })

  const reject = Effect.fnUntraced(function* (error: CredentialsError, now: number) {
    if (!error.reason.recoverable) {
      fatal = { error, until: now + Duration.toMillis(FATAL_MEMORY) }
      return yield* Effect.fail(error)
    }
    if (entry === undefined || (!staticStability && now >= entry.expiresAt)) return yield* Effect.fail(error)
    const backoff = yield* Random.nextBetween(Duration.toMillis(BACKOFF_MIN), Duration.toMillis(BACKOFF_MAX))
    const current = entry.credentials
    backoffUntil = staticStability ? now + backoff : Math.min(now + backoff, entry.expiresAt)
    invalidated = false
    served =
      staticStability && entry.expiresAt < backoffUntil
        ? { ...current, expiration: new Date(backoffUntil), originalExpiration: current.expiration }
        : current
    yield* Effect.logWarning(
      `refresh from ${source.name} failed (${error.reason._tag}: ${error.reason.message}); serving cached credentials ` +
        `(key …${AwsCredentials.accessKeyIdSuffix(current)}${current.expiration === undefined ? "" : `, expiring ${current.expiration.toISOString()}`}) ` +
        `until ${new Date(backoffUntil).toISOString()}, when the next attempt is made`
    )
    return served
  })

  // A source that throws must not leave the waiters hanging: the defect becomes a typed failure for all of them.
  const defectToError = (defect: unknown) =>
    Effect.fail(
      CredentialsError.transport(source.name, "other", `the ${source.name} source failed unexpectedly`, {
        cause: defect
      })
    )

  const runFetch = (deferred: Deferred.Deferred<Fetched, CredentialsError>) =>
    Effect.gen(function* () {
      const result = yield* Effect.result(Effect.catchDefect(fetch, defectToError))
      const now = yield* Clock.currentTimeMillis
      const outcome =
        result._tag === "Failure"
          ? reject(result.failure, now)
          : result.success.expiration !== undefined && result.success.expiration.getTime() <= now
            ? reject(
                new CredentialsError({
                  source: result.success.source,
                  reason: new Expired({
                    message: `the source returned credentials that expired at ${result.success.expiration.toISOString()}`,
                    hint: "check the clock of this machine and of the credentials source"
                  })
                }),
                now
              )
            : accept(result.success, now)
      const exit = yield* Effect.exit(outcome)
      inflight = undefined
      yield* Deferred.done(deferred, exit)
    }).pipe(
      Effect.onInterrupt(() =>
        Effect.andThen(
          Effect.sync(() => {
            inflight = undefined
          }),
          Deferred.interrupt(deferred)
        )
      ),
      Effect.withSpan("CredentialsCache.refresh", { attributes: { "credentials.source": source.name } })
    )

  const join = Effect.suspend(() => {
    if (inflight !== undefined) return Deferred.await(inflight)
    return Effect.gen(function* () {
      const deferred = yield* Deferred.make<Fetched, CredentialsError>()
      inflight = deferred
      // Detached: a caller that gives up (timeout, interruption) does not cancel the fetch the others wait for.
      yield* Effect.forkDetach(runFetch(deferred))
      return yield* Deferred.await(deferred)
    })
  })

  const get = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    if (fatal !== undefined && now < fatal.until) return yield* Effect.fail(fatal.error)
    if (entry === undefined || served === undefined) return yield* join
    // During a backoff the source is not contacted at all (decisions §20, §21).
    if (now < backoffUntil) return served
    if (invalidated || now >= entry.expiresAt || (now >= entry.mandatoryAt && now >= quietUntil)) return yield* join
    if (now >= entry.refreshAt && now >= quietUntil) {
      // Advisory window: the caller that starts the refresh waits for it; the others get the cached credentials.
      if (inflight !== undefined) return served
      return yield* join
    }
    return served
  })

  const peek = (now: number): Fetched | undefined => {
    if (entry === undefined || served === undefined || inflight !== undefined) return undefined
    if (fatal !== undefined && now < fatal.until) return undefined
    if (now < backoffUntil) return served
    return !invalidated && now < entry.refreshAt ? served : undefined
  }

  const invalidate = (accessKeyId: string) =>
    Effect.sync(() => {
      if (entry !== undefined && entry.credentials.accessKeyId === accessKeyId) invalidated = true
    })

  return { get, refresh: join, invalidate, peek } satisfies CredentialsCache
})
