/**
 * Environment-variable credentials for Effect programs: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`, `AWS_CREDENTIAL_EXPIRATION` and `AWS_ACCOUNT_ID`, read through `Config` on every fetch.
 * Use `layer` to provide `CredentialsProvider`, or `source` inside a chain.
 *
 * @since 0.1.0
 */

import { AwsCredentials, CredentialsError, CredentialsProvider, CredentialsSource } from "@credkit/core"
import * as Clock from "effect/Clock"
import type * as Config from "effect/Config"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

import { environment } from "./internal/config.js"
import { expiredMessage, readEnvCredentials, SOURCE } from "./internal/read.js"

/**
 * Options of the environment layer. The variables themselves are the configuration; the options tune the cache.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface Options {
  /**
   * How long before `AWS_CREDENTIAL_EXPIRATION` the cache starts refreshing; by default the lifetime table of the
   * shared cache. Credentials without an expiration are re-read at most every 15 minutes either way.
   */
  readonly advisoryWindow?: Duration.Input | undefined
}

const resolve = Effect.fn("EnvCredentials.resolve")(
  function* () {
    const variables = yield* Effect.mapError(environment, (cause) =>
      CredentialsError.misconfigured(SOURCE, "the credential environment variables could not be read", { cause })
    )
    const now = yield* Clock.currentTimeMillis

    const reading = readEnvCredentials(variables)
    if (reading._tag === "Absent") {
      yield* Effect.logDebug(`${SOURCE}: skipped (Unavailable)`)
      return yield* Effect.fail(CredentialsError.unavailable(SOURCE, reading.message, { hint: reading.hint }))
    }
    if (reading._tag === "Invalid") {
      yield* Effect.logDebug(`${SOURCE}: failed (Misconfigured: ${reading.variable})`)
      return yield* Effect.fail(CredentialsError.misconfigured(SOURCE, reading.message, { hint: reading.hint }))
    }
    if (reading.expiration !== undefined && reading.expiration.getTime() <= now) {
      yield* Effect.logDebug(`${SOURCE}: failed (Expired)`)
      return yield* Effect.fail(CredentialsError.expired(SOURCE, expiredMessage(reading.expiration)))
    }

    yield* Effect.logDebug(`${SOURCE}: found credentials (key …${reading.accessKeyId.slice(-4)})`)
    return AwsCredentials.make({
      accessKeyId: reading.accessKeyId,
      secretAccessKey: reading.secretAccessKey,
      sessionToken: reading.sessionToken,
      expiration: reading.expiration,
      accountId: reading.accountId,
      source: SOURCE
    })
  },
  Effect.withLogSpan("EnvCredentials.resolve"),
  Effect.annotateLogs({ "credentials.source": SOURCE })
)

/**
 * The environment as a source named `env`, for chains. Absent variables fail with `Unavailable` (the chain moves
 * on); a key without its secret, or the reverse, or an unreadable expiration fail with `Misconfigured` (the chain
 * stops); an expiration in the past fails with `Expired`. The options tune the cache of `layer` and are not used here.
 *
 * @category constructors
 * @since 0.1.0
 */
export const source = (_options?: Options): CredentialsSource.CredentialsSource =>
  CredentialsSource.make(SOURCE, resolve(), { staticStability: false })

/**
 * Provides `CredentialsProvider` from the environment behind the shared cache.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options?: Options): Layer.Layer<CredentialsProvider> =>
  CredentialsProvider.fromSource(source(options), { advisoryWindow: options?.advisoryWindow })

/**
 * `layer` with its options given as `Config` values.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerConfig = (config: Config.Wrap<Options>): Layer.Layer<CredentialsProvider, Config.ConfigError> =>
  Layer.unwrap(Effect.map(unwrapOptions(config), layer))

// What `Config.unwrap` does, without loading `effect/Config` and Schema with it (see internal/config.ts): a `Config`
// is an `Effect` that reads the active provider, so the whole-object form is run as it is and the per-key form key
// by key.
const unwrapOptions = (config: Config.Wrap<Options>): Effect.Effect<Options, Config.ConfigError> => {
  if (Effect.isEffect(config)) return config as Config.Config<Options>
  const { advisoryWindow } = config as { readonly advisoryWindow?: Config.Config<Duration.Input | undefined> }
  return advisoryWindow === undefined
    ? Effect.succeed({})
    : Effect.map(advisoryWindow, (value) => ({ advisoryWindow: value }))
}
