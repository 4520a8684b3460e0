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

/**
 * Raw values of environment-style variables from `provider`: absent ones `undefined`. Cheaper to load than
 * `effect/Config`, which brings Schema onto the start-up path.
 *
 * @category constructors
 * @since 0.1.0
 */
export const variables = <const Names extends ReadonlyArray<string>>(
  names: Names
): Effect.Effect<Readonly<Record<Names[number], string | undefined>>, ConfigProvider.SourceError> =>
  Effect.flatMap(provider, (current) =>
    Effect.map(
      Effect.forEach(names, (name) => Effect.map(current.load([name]), (node) => [name, node?.value] as const)),
      (entries) => Object.fromEntries(entries) as Record<Names[number], string | undefined>
    )
  )

const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> => {
  if (typeof value !== "object" || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * What `Config.unwrap` does for `layerConfig` options, without loading `effect/Config` (and Schema with it): a
 * `Config` is an `Effect` that reads the active provider, and a plain record of them is unwrapped key by key.
 *
 * @category constructors
 * @since 0.1.0
 */
export const unwrap = <A>(wrapped: Config.Wrap<A>): Effect.Effect<A, Config.ConfigError> => unwrapAny(wrapped) as never

const unwrapAny = (wrapped: unknown): Effect.Effect<unknown, Config.ConfigError> => {
  if (Effect.isEffect(wrapped)) return wrapped as Effect.Effect<unknown, Config.ConfigError>
  if (!isPlainObject(wrapped)) return Effect.succeed(wrapped)
  return Effect.all(Object.fromEntries(Object.entries(wrapped).map(([key, value]) => [key, unwrapAny(value)])))
}
