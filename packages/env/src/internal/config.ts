/**
 * The Effect side's view of the environment: the credential variables, loaded from the active `ConfigProvider` when
 * a fetch runs (`process.env` by default, a record in tests).
 *
 * It asks the provider directly rather than through `effect/Config`, which loads Schema: some seventy modules more
 * than this package needs, on the start-up path of every program that uses environment credentials (performance.md).
 */
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"

import { ENV_VARIABLES } from "./read.js"

/**
 * The credential variables as a record, absent ones `undefined`. An empty value counts as absent (the provider's
 * default, as for `Config.String`); blank ones are left to the pure reader. Plain strings on purpose: the caller
 * wraps the secrets in `Redacted` as soon as the reader returns.
 */
// Limitation: Effect's default ConfigProvider copies process.env at the first config lookup of the process, so
// through it the layer does not see credential variables the process itself changes later (`fromEnv` does). Users
// who rotate variables in-process provide `ConfigProvider.fromEnvRecord(process.env)`, which reads the live object;
// a default provider that reads process.env on every lookup would lift it.
export const environment: Effect.Effect<Record<string, string | undefined>, ConfigProvider.SourceError> = Effect.gen(
  function* () {
    const provider = yield* ConfigProvider.ConfigProvider

    const entries = yield* Effect.forEach(ENV_VARIABLES, (name) =>
      Effect.map(provider.load([name]), (node) => [name, node?.value] as const)
    )

    return Object.fromEntries(entries)
  }
)
