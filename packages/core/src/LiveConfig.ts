/**
 * Reads `Config` at fetch time. Effect's default `ConfigProvider` copies `process.env` at its first lookup and keeps
 * that copy for the life of the process; credentials must come from the environment as it is when a fetch happens
 * (decisions §22). With a provider in context (tests, applications) that provider is used; without one, each read
 * takes a fresh copy of the environment.
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/**
 * The provider in context, or one over the process environment as it is now.
 *
 * @category constructors
 * @since 0.1.0
 */
export const provider: Effect.Effect<ConfigProvider.ConfigProvider> = Effect.map(
  Effect.context<never>(),
  (context) =>
    Context.getOrUndefined(context, ConfigProvider.ConfigProvider) ?? ConfigProvider.fromEnvRecord({ ...process.env })
)

/**
 * Parses a `Config` against `provider`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const read = <A>(config: Config.Config<A>): Effect.Effect<A, Config.ConfigError> =>
  Effect.flatMap(provider, (current) => config.parse(current))
