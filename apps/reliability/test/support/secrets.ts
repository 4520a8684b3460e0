/**
 * Fixture secrets and the ways a value can be looked at: every log line (Debug and up, with annotations), error
 * messages with their cause chains, `util.inspect` and `JSON.stringify` of public values, and span attributes,
 * events and exits captured by a recording tracer. `Exposure` collects them all; `assertClean` searches them.
 */
import * as Util from "node:util"
import { assert } from "@effect/vitest"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"

/** Distinctive values that must never leave credkit except to sign a request. */
export const FIXTURE = {
  accessKeyId: "ASIARELIABILITY00042",
  secretAccessKey: "rel-secret-key-Vb7Qw2Xz9Lm4Np6Rt8Kc",
  sessionToken: "rel-session-token-Hj3Fd5Gs7Ak9Pl1Zx3Cv5Bn7Mq9We2Ry4Tu6",
  containerToken: "rel-container-auth-Yp8Wq6Es4Rd2Tf0Gh",
  processSecret: "rel-process-secret-Ui3Oj5Kl7Mn9Bv1Cx",
  processToken: "rel-process-token-Za2Sx4Dc6Fv8Gb0Hn",
  envSecret: "rel-env-secret-Qa1Ws3Ed5Rf7Tg9Yh",
  envToken: "rel-env-token-Pl0Ok9Ij8Uh7Yg6Tf",
  roleSecret: "rel-role-secret-Lk2Jh4Gf6Ds8Aq0Wz",
  roleToken: "rel-role-token-Mn1Bv3Cx5Zl7Kj9Hg"
} as const

/** The credential set the emulators serve in fixture form. */
export const FIXTURE_CREDENTIALS = {
  accessKeyId: FIXTURE.accessKeyId,
  secretAccessKey: FIXTURE.secretAccessKey,
  sessionToken: FIXTURE.sessionToken
} as const

/** Every fixture secret (the access key id is not one: its last four characters may be shown). */
export const FIXTURE_SECRETS: ReadonlyArray<string> = [
  FIXTURE.secretAccessKey,
  FIXTURE.sessionToken,
  FIXTURE.containerToken,
  FIXTURE.processSecret,
  FIXTURE.processToken,
  FIXTURE.envSecret,
  FIXTURE.envToken,
  FIXTURE.roleSecret,
  FIXTURE.roleToken
]

/** `util.inspect` (hidden fields, full depth), `JSON.stringify` and `String` of a value, joined. */
export const everyView = (value: unknown): string => {
  let json: string
  try {
    json = JSON.stringify(value) ?? "undefined"
  } catch (error) {
    json = `<JSON.stringify threw ${String(error)}>`
  }
  return [Util.inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }), json, safeString(value)].join(
    "\n"
  )
}

const safeString = (value: unknown): string => {
  try {
    return String(value)
  } catch {
    return "<String() threw>"
  }
}

/** An error's message, stack and every view of it, then the same for each `cause` down the chain. */
export const errorViews = (error: unknown): string => {
  const parts: Array<string> = []
  const seen = new Set<unknown>()
  let current: unknown = error
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current)
    if (current instanceof Error) parts.push(current.message, current.stack ?? "")
    parts.push(everyView(current))
    const next = (current as { cause?: unknown; reason?: { cause?: unknown } }).cause
    current = next ?? (current as { reason?: { cause?: unknown } }).reason?.cause
  }
  return parts.join("\n")
}

/** A tracer that keeps every span with its attributes, events and exit. */
export const recordingTracer = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const exits = new Map<Tracer.NativeSpan, Exit.Exit<unknown, unknown>>()
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      const end = span.end.bind(span)
      span.end = (endTime, exit) => {
        exits.set(span, exit)
        end(endTime, exit)
      }
      spans.push(span)
      return span
    }
  })
  // Attributes, events, failure causes in every view, and success values as a tracer would print them.
  const dump = (): string =>
    spans
      .map((span) => `${span.name} ${Util.inspect([...span.attributes])} ${Util.inspect(span.events, { depth: 8 })}`)
      .concat(
        [...exits.values()].map((exit) =>
          Exit.isFailure(exit) ? errorViews(exit.cause) : Util.inspect(exit.value, { depth: Number.POSITIVE_INFINITY })
        )
      )
      .join("\n")
  // Success values that are raw bytes, read as the UTF-8 text they carry.
  const exitBytes = (): ReadonlyArray<{ readonly span: string; readonly text: string }> =>
    spans.flatMap((span) => {
      const exit = exits.get(span)
      return exit !== undefined && Exit.isSuccess(exit) && exit.value instanceof Uint8Array
        ? [{ span: span.name, text: new TextDecoder().decode(exit.value) }]
        : []
    })
  return { tracer, spans, dump, exitBytes }
}

/** Every log line of the effects it is provided to, Debug and up, as JSON with annotations, spans and cause. */
export const captureLogs = () => {
  const lines: Array<string> = []
  const layer = Layer.merge(
    Logger.layer([
      Logger.map(Logger.formatJson, (line) => {
        lines.push(line)
      })
    ]),
    Layer.succeed(References.MinimumLogLevel, "Debug")
  )
  return {
    lines,
    layer,
    warnings: (): ReadonlyArray<string> => lines.filter((line) => line.includes('"level":"WARN"')),
    clear: () => {
      lines.length = 0
    }
  }
}

/** An AWS SDK logger (`debug`/`info`/`warn`/`error`) that keeps every call, rendered with `util.inspect`. */
export const sdkLogger = () => {
  const lines: Array<string> = []
  const record =
    (level: string) =>
    (...content: Array<unknown>) => {
      lines.push(`${level} ${Util.inspect(content, { depth: 8 })}`)
    }
  return {
    lines,
    logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") }
  }
}

/** Everything one scenario exposed, by channel, so a leak names where it happened. */
export class Exposure {
  readonly channels: Array<{ readonly channel: string; readonly text: string }> = []

  add(channel: string, text: string): this {
    this.channels.push({ channel, text })
    return this
  }
  value(channel: string, value: unknown): this {
    return this.add(channel, everyView(value))
  }
  error(channel: string, error: unknown): this {
    return this.add(channel, errorViews(error))
  }
  /** How many characters were searched: a sweep over nothing proves nothing. */
  get size(): number {
    return this.channels.reduce((total, entry) => total + entry.text.length, 0)
  }
}

/** Fails naming the channel and the secret's label when any secret occurs in any channel. */
export const assertClean = (exposure: Exposure, secrets: ReadonlyArray<string>, scenario: string): void => {
  const leaks: Array<string> = []
  for (const { channel, text } of exposure.channels) {
    for (const secret of secrets) {
      if (secret.length > 0 && text.includes(secret))
        leaks.push(`${channel} contains a secret of ${secret.length} chars`)
    }
  }
  assert.deepStrictEqual(leaks, [], `${scenario}: secrets leaked`)
}
