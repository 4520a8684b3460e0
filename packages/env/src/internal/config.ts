/**
 * The Effect side's view of the environment: the credential variables, loaded from the active `ConfigProvider` when
 * a fetch runs (`process.env` by default, a record in tests).
 *
 * It asks the provider directly rather than through `effect/Config`, which loads Schema: some seventy modules more
 * than this package needs, on the start-up path of every program that uses environment credentials (performance.md).
 */

import { LiveConfig } from "@credkit/core"
import type * as ConfigProvider from "effect/ConfigProvider"
import type * as Effect from "effect/Effect"

import { ENV_VARIABLES } from "./read.js"

/**
 * The credential variables as a record, absent ones `undefined`, read from the provider in context or from the
 * process environment as it is at fetch time (core's `LiveConfig`). Blank values are left to the pure reader. Plain
 * strings on purpose: the caller wraps the secrets in `Redacted` as soon as the reader returns.
 */
export const environment: Effect.Effect<
  Record<string, string | undefined>,
  ConfigProvider.SourceError
> = LiveConfig.variables(ENV_VARIABLES)
