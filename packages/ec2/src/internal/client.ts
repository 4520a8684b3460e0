/**
 * One IMDS request with its attempts (decisions §10): a per-attempt timeout, a bounded body, jittered exponential
 * backoff capped at 1 s on 5xx and 429, and no retry when nothing answered at all, which the caller turns into the
 * "unreachable" memory or the hop-limit diagnosis.
 */

import { CredentialsError, HttpTransport } from "@credkit/core"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"

import type { Resolution } from "./session.js"

// IMDSv2 session token header: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
// Its value is a secret: it reaches the transport as `Redacted`, and no header is ever logged.
export const TOKEN_HEADER = "x-aws-ec2-metadata-token"
// A credentials document is about 1.5 KiB; anything near this size is not IMDS.
const MAX_BODY_BYTES = 64 * 1024
// decisions §10: backoff grows from this base and never exceeds the cap.
const BACKOFF_BASE = Duration.millis(100)
const BACKOFF_CAP = Duration.seconds(1)

/** Nothing came back at all: connection refused, no route, or no byte before the timeout. Never retried. */
export class NoResponse extends Data.TaggedError("NoResponse")<{
  readonly kind: "refused" | "timeout" | "other"
  readonly request: string
  readonly cause?: unknown
}> {}

/** One request as the adapter describes it. */
export interface Call {
  readonly method: "GET" | "PUT"
  readonly path: string
  readonly headers?: Readonly<Record<string, string | Redacted.Redacted<string>>> | undefined
  /** Overrides the configured per-attempt timeout (the hop-limit probe uses a short one). */
  readonly timeout?: Duration.Duration | undefined
  /** Overrides the configured number of attempts. */
  readonly attempts?: number | undefined
}

const isRetryableStatus = (status: number): boolean => status >= 500 || status === 429

/** The delay before retry `retry` (1-based): exponential from 100 ms, capped at 1 s, jittered into [d/2, d]. */
const backoff = (retry: number): Effect.Effect<Duration.Duration> => {
  const ceiling = Math.min(Duration.toMillis(BACKOFF_CAP), Duration.toMillis(BACKOFF_BASE) * 2 ** (retry - 1))
  return Effect.map(Random.nextBetween(ceiling / 2, ceiling), (millis) => Duration.millis(Math.round(millis)))
}

const transportFailure = (request: string, error: HttpTransport.HttpTransportError, attempts: number) =>
  CredentialsError.transport(
    "ec2",
    error.kind === "too-large" ? "other" : error.kind,
    `IMDS request ${request} failed: ${error.message} (after ${attempts} attempt${attempts === 1 ? "" : "s"})`,
    { hint: "check that the instance metadata service is healthy; the request is retried at the next refresh" }
  )

/**
 * Sends `call` to the resolution's endpoint and returns the first response that is not retried, whatever its
 * status; fails with `NoResponse` when nothing answered, or with a Transport error when the attempts ran out.
 */
export const exchange = Effect.fnUntraced(function* (resolution: Resolution, call: Call) {
  const settings = resolution.settings
  const attempts = call.attempts ?? settings.maxAttempts
  const request = `${call.method} ${call.path}`
  const url = `${settings.endpoint}${call.path}`

  for (let attempt = 1; ; attempt++) {
    yield* Effect.logDebug(`IMDS ${request} at ${settings.endpoint} (attempt ${attempt} of ${attempts})`)
    const result = yield* Effect.result(
      HttpTransport.request({
        method: call.method,
        url,
        headers: call.headers,
        timeout: call.timeout ?? settings.timeout,
        maxBodyBytes: MAX_BODY_BYTES
      })
    )
    if (result._tag === "Success") {
      yield* Ref.set(resolution.answered, true)
      const status = result.success.status
      if (!isRetryableStatus(status)) return result.success
      if (attempt >= attempts) {
        return yield* CredentialsError.transport(
          "ec2",
          "status",
          `IMDS answered ${status} to ${request} at ${settings.endpoint} on each of ${attempts} attempt${attempts === 1 ? "" : "s"}`,
          {
            hint: "the instance metadata service is overloaded or throttling; the request is retried at the next refresh"
          }
        )
      }
      const delay = yield* backoff(attempt)
      yield* Effect.logDebug(`IMDS ${request} answered ${status}; retrying in ${Duration.format(delay)}`)
      yield* Effect.sleep(delay)
      continue
    }

    const error = result.failure
    if (error.responded) yield* Ref.set(resolution.answered, true)
    if (error.kind === "too-large") {
      return yield* CredentialsError.invalidResponse(
        "ec2",
        `IMDS answered ${request} at ${settings.endpoint} with a body over ${MAX_BODY_BYTES} bytes`,
        { hint: "the endpoint does not behave like the instance metadata service; check the configured endpoint" }
      )
    }
    if (!error.responded && error.kind !== "reset") {
      return yield* new NoResponse({ kind: error.kind, request, cause: error })
    }
    if (attempt >= attempts) return yield* transportFailure(request, error, attempts)
    const delay = yield* backoff(attempt)
    yield* Effect.logDebug(`IMDS ${request} failed (${error.kind}); retrying in ${Duration.format(delay)}`)
    yield* Effect.sleep(delay)
  }
})
