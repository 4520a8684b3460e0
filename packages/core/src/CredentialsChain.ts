/**
 * Tries sources in order (decisions §2–3): an absent source lets the chain move on, a present but broken one stops
 * it with its own error. The failure lists every source with what happened, how long it took and a hint.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

import type { AwsCredentials } from "./AwsCredentials.js"
import { type Attempt, ChainExhausted, CredentialsError, Transport } from "./CredentialsError.js"
import * as CredentialsSource from "./CredentialsSource.js"

/**
 * The result of running a chain with its report, whether or not it found credentials.
 *
 * @category models
 * @since 0.1.0
 */
export interface Resolution {
  readonly credentials?: AwsCredentials | undefined
  readonly error?: CredentialsError | undefined
  readonly attempts: ReadonlyArray<Attempt>
}

const failedAttempt = (source: string, error: CredentialsError, elapsedMs: number): Attempt => ({
  source,
  outcome: error.tryNextLink ? "skipped" : "failed",
  reason: error.reason._tag,
  message: error.reason.message,
  // Absent rather than `undefined`, so a printed report shows only what is known.
  ...(error.reason.hint !== undefined ? { hint: error.reason.hint } : {}),
  elapsedMs
})

/**
 * Runs the sources in order and returns the winner (if any) with the full report; never fails.
 *
 * @category constructors
 * @since 0.1.0
 */
export const resolveWithReport = <R>(
  sources: ReadonlyArray<CredentialsSource.CredentialsSource<R>>
): Effect.Effect<Resolution, never, R> =>
  Effect.gen(function* () {
    const attempts: Array<Attempt> = []
    for (const [index, source] of sources.entries()) {
      const started = yield* Clock.currentTimeMillis
      // A source that throws is reported like any failed source; the rest of the report survives.
      const result = yield* Effect.result(
        Effect.catchDefect(source.resolve, (defect) => unexpected(source.name, defect))
      )
      const elapsedMs = (yield* Clock.currentTimeMillis) - started
      if (result._tag === "Success") {
        attempts.push({ source: source.name, outcome: "succeeded", elapsedMs })
        yield* Effect.logDebug(`chain: ${source.name} succeeded`)
        return { credentials: result.success, attempts: [...attempts, ...notReached(sources.slice(index + 1))] }
      }
      const error = result.failure
      attempts.push(failedAttempt(source.name, error, elapsedMs))
      yield* Effect.logDebug(`chain: ${source.name} ${error.tryNextLink ? "skipped" : "failed"} (${error.reason._tag})`)
      if (!error.tryNextLink) {
        const all = [...attempts, ...notReached(sources.slice(index + 1))]
        return {
          error: new CredentialsError({ source: error.source, reason: error.reason, attempts: all }),
          attempts: all
        }
      }
    }
    const error = new CredentialsError({
      source: "chain",
      reason: new ChainExhausted({
        message: `no credentials found after trying ${sources.map((source) => source.name).join(", ")}`
      }),
      attempts
    })
    return { error, attempts }
  }).pipe(Effect.withSpan("CredentialsChain.resolve"))

const unexpected = (name: string, defect: unknown) =>
  Effect.fail(
    new CredentialsError({
      source: name,
      reason: new Transport({ kind: "other", message: `the ${name} source failed unexpectedly`, cause: defect })
    })
  )

const notReached = <R>(sources: ReadonlyArray<CredentialsSource.CredentialsSource<R>>): Array<Attempt> =>
  sources.map((source) => ({ source: source.name, outcome: "not-reached", elapsedMs: 0 }))

/**
 * Combines sources into one source named `chain` that fails with the full attempt report.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <R>(
  sources: ReadonlyArray<CredentialsSource.CredentialsSource<R>>,
  options?: { readonly name?: string | undefined; readonly staticStability?: boolean | undefined }
): CredentialsSource.CredentialsSource<R> =>
  CredentialsSource.make(
    options?.name ?? "chain",
    Effect.flatMap(resolveWithReport(sources), (resolution) =>
      resolution.credentials !== undefined
        ? Effect.succeed(resolution.credentials)
        : Effect.fail(resolution.error as CredentialsError)
    ),
    { staticStability: options?.staticStability ?? sources.some((source) => source.staticStability === true) }
  )
