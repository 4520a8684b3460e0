import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"

import { AwsCredentials, type CredentialsError, CredentialsSource } from "../src/index.js"

/** Distinctive fixture secrets: no test output may ever contain them. */
export const SECRET = "fixtureSECRETvalue/0123456789abcdefXYZ"
export const TOKEN = "fixtureSESSIONTOKENvalue+abcdefghij=="
export const SECRETS = [SECRET, TOKEN]

export const credentials = (n: number, expiration?: Date, source = "test") =>
  AwsCredentials.make({
    accessKeyId: `AKIDTEST${String(n).padStart(4, "0")}`,
    secretAccessKey: `${SECRET}${n}`,
    sessionToken: `${TOKEN}${n}`,
    expiration,
    source
  })

/**
 * A scripted source: each fetch runs the next step (the last repeats). A step is a function of the fetch time
 * returning credentials or an error; `calls` counts fetches.
 */
export const scripted = (
  steps: ReadonlyArray<(now: number, n: number) => AwsCredentials.AwsCredentials | CredentialsError>,
  options?: { readonly staticStability?: boolean; readonly delay?: Effect.Effect<void> }
) => {
  const state = { calls: 0 }
  const source = CredentialsSource.make(
    "test",
    Effect.gen(function* () {
      const n = state.calls++
      if (options?.delay !== undefined) yield* options.delay
      const now = yield* Clock.currentTimeMillis
      const step = steps[Math.min(n, steps.length - 1)]
      if (step === undefined) throw new Error("empty script")
      const result = step(now, n)
      return "accessKeyId" in result ? result : yield* Effect.fail(result)
    }),
    { staticStability: options?.staticStability ?? false }
  )
  return { source, state }
}

/** Fresh credentials that live `lifetimeMs` from the fetch time. */
export const lasting =
  (lifetimeMs: number) =>
  (now: number, n: number): AwsCredentials.AwsCredentials =>
    credentials(n, new Date(now + lifetimeMs))

/** A logger layer that records every line (all levels) as text. */
export const captureLogs = () => {
  const lines: Array<{ level: string; text: string }> = []
  const logger = Logger.make((options) => {
    const parts = Array.isArray(options.message) ? options.message : [options.message]
    lines.push({ level: options.logLevel, text: parts.map((part) => String(part)).join(" ") })
  })
  const layer = Layer.merge(Logger.layer([logger]), Layer.succeed(References.MinimumLogLevel, "All"))
  return { lines, layer }
}

export const assertNoSecrets = (text: string, secrets: ReadonlyArray<string> = SECRETS) => {
  for (const secret of secrets) {
    if (text.includes(secret)) throw new Error(`a fixture secret leaked into: ${text.slice(0, 200)}`)
  }
}
