/**
 * The process-wide memory of endpoints where IMDS did not answer at all (decisions §10): for 60 s after such a
 * resolution, every provider in the process fails at once instead of paying the timeout again, so a laptop or a CI
 * machine, which is no EC2 instance, never waits twice.
 */

import { CredentialsError } from "@credkit/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

// decisions §10: how long "IMDS unreachable at <endpoint>" is remembered.
const UNREACHABLE_MEMORY = Duration.seconds(60)

export const UNREACHABLE_HINT =
  "this machine does not look like an EC2 instance (or IMDS is blocked); IMDS is not tried again for 60 s. " +
  "Set AWS_EC2_METADATA_DISABLED=true to skip it, or point AWS_EC2_METADATA_SERVICE_ENDPOINT at the right address"

// Limitation: the memory lives in this module, so two copies of @credkit/ec2 in one process (a duplicated
// dependency) keep one memory each; the second copy pays the timeout once more. Sharing it through a
// `Symbol.for` key on globalThis would lift this.
/** Since when (epoch ms, from `Clock`) each endpoint is known to be unreachable. */
const memory = new Map<string, number>()

/** Fails at once with Unavailable when `endpoint` was found unreachable less than 60 s ago. */
export const check = (endpoint: string): Effect.Effect<void, CredentialsError> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const since = memory.get(endpoint)
    if (since === undefined) return Effect.void
    // A clock that went backwards (a test clock reset) also ends the memory.
    if (now < since || now - since >= Duration.toMillis(UNREACHABLE_MEMORY)) {
      memory.delete(endpoint)
      return Effect.void
    }
    const ago = Math.round((now - since) / 1000)
    return Effect.fail(
      CredentialsError.unavailable(
        "ec2",
        `IMDS unreachable at ${endpoint} (no answer ${ago} s ago; not tried again until ${Duration.format(UNREACHABLE_MEMORY)} have passed)`,
        { hint: UNREACHABLE_HINT }
      )
    )
  })

/** Remembers that `endpoint` did not answer, from now on. */
export const remember = (endpoint: string): Effect.Effect<void> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    memory.set(endpoint, now)
  })

/** Forgets every endpoint. */
export const clear = (): void => memory.clear()
