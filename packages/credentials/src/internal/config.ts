/**
 * The Effect side's reading of the environment: `AWS_PROFILE` through the provider in context, or the process
 * environment as it is at fetch time (core's `LiveConfig`).
 */
import { LiveConfig } from "@credkit/core"
import * as Effect from "effect/Effect"

import { AWS_PROFILE, explicitProfileOf } from "./shadowing.js"

/** The profile `AWS_PROFILE` explicitly selects at fetch time, or `undefined`. */
export const explicitProfile: Effect.Effect<string | undefined> = Effect.flatMap(LiveConfig.provider, (provider) =>
  provider.load([AWS_PROFILE]).pipe(
    Effect.map((node) => explicitProfileOf(node?.value)),
    Effect.orElseSucceed(() => undefined)
  )
)
