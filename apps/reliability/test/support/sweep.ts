/**
 * The secret-leak sweep: run a scenario and search everything it exposed for the fixture secrets. For the Effect
 * API that is every log line at every level, the spans (attributes, events, exits), the result or the error with its
 * cause chain. For the Promise API it is the AWS SDK logger's lines, `process.emitWarning` output and rejections;
 * the resolved identity is the one value that must carry the secrets (it signs requests), so only its label and
 * its views through the provider are searched.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Tracer from "effect/Tracer"

import { assertClean, captureLogs, Exposure, recordingTracer, sdkLogger } from "./secrets.js"

/** Runs `program` with a capturing logger (Debug and up) and tracer, then asserts no secret was exposed. */
export const sweep = <A, E>(
  scenario: string,
  program: Effect.Effect<A, E>,
  secrets: () => ReadonlyArray<string>
): Effect.Effect<{ readonly exit: Exit.Exit<A, E>; readonly exposure: Exposure }> =>
  Effect.gen(function* () {
    const logs = captureLogs()
    const traces = recordingTracer()
    const exit = yield* Effect.exit(
      program.pipe(Effect.provide(logs.layer), Effect.provideService(Tracer.Tracer, traces.tracer))
    )
    const exposure = new Exposure().add("log lines", logs.lines.join("\n")).add("spans", traces.dump())
    if (Exit.isSuccess(exit)) exposure.value("result", exit.value)
    else exposure.error("error", Cause.squash(exit.cause)).add("cause", Cause.pretty(exit.cause))
    assertClean(exposure, secrets(), scenario)
    return { exit, exposure }
  })

/** What a Promise-API scenario gets: an AWS SDK logger whose lines are searched. */
export interface PromiseProbe {
  readonly logger: ReturnType<typeof sdkLogger>["logger"]
}

/**
 * Runs a Promise-API scenario; every resolution or rejection it reports through `settle` is searched, as are the
 * logger's lines and the process warnings emitted meanwhile.
 */
export const sweepPromise = async (
  scenario: string,
  run: (probe: PromiseProbe, settle: (outcome: Promise<unknown>) => Promise<unknown>) => Promise<void>,
  secrets: () => ReadonlyArray<string>
): Promise<Exposure> => {
  const logs = sdkLogger()
  const warnings: Array<string> = []
  const onWarning = (warning: Error) => {
    warnings.push(`${warning.name}: ${warning.message}`)
  }
  const exposure = new Exposure()
  process.on("warning", onWarning)
  try {
    await run({ logger: logs.logger }, (outcome) =>
      outcome.then(
        (value) => {
          // Only the label and the expiration of an identity are public; its secrets are handed over on purpose.
          const { source, expiration, accountId } = value as {
            source?: unknown
            expiration?: unknown
            accountId?: unknown
          }
          exposure.value("identity label", { source, expiration, accountId })
          return value
        },
        (error: unknown) => {
          exposure.error("rejection", error)
          return error
        }
      )
    )
    // emitWarning delivers on the next tick.
    await new Promise((resolve) => setImmediate(resolve))
  } finally {
    process.off("warning", onWarning)
  }
  exposure.add("logger lines", logs.lines.join("\n")).add("process warnings", warnings.join("\n"))
  assertClean(exposure, secrets(), scenario)
  return exposure
}
