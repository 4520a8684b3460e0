/**
 * Credentials from the container endpoint named by environment variables: ECS task roles (relative URI), EKS Pod
 * Identity (full URI with a rotating token file), Lambda SnapStart (loopback full URI with a token) and custom
 * endpoints. Use `layer` for a cached `CredentialsProvider`, or `source` inside a chain.
 *
 * @since 0.1.0
 */

import {
  type AwsCredentials,
  CredentialsError,
  CredentialsProvider,
  CredentialsSource,
  LiveConfig
} from "@credkit/core"
import type * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

import { DEFAULT_RELATIVE_URI_BASE, FULL_URI, RELATIVE_URI, readEnv, resolveEndpoint } from "./internal/config.js"
import { fetchCredentials, SOURCE } from "./internal/fetch.js"
import { readToken } from "./internal/token.js"

export {
  /**
   * The resolver shape and its answer.
   *
   * @category models
   * @since 0.1.0
   */
  type ResolvedAddress,
  /**
   * The resolver plain-http host names are checked with: a `Context.Reference` defaulting to `node:dns` `lookup`.
   * Provide another (`Effect.provideService(ContainerCredentials.Resolver, ...)`) to control name resolution.
   *
   * @category services
   * @since 0.1.0
   */
  Resolver,
  /**
   * A failed name lookup.
   *
   * @category errors
   * @since 0.1.0
   */
  ResolverError,
  type Shape as ResolverShape
} from "./internal/resolver.js"

/**
 * Options; each one wins over the environment. Times are `Duration` inputs.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface Options {
  /** Time allowed for one attempt (name resolution and request). Default 2 seconds. */
  readonly timeout?: Duration.Input | undefined
  /** Attempts per fetch on 5xx, I/O failures and unusable 200s. Default 3. */
  readonly maxAttempts?: number | undefined
  /** Where the relative URI is sent. Default `http://169.254.170.2`; the host rules apply to it as well. */
  readonly relativeUriBase?: string | undefined
}

// Per attempt: the agents answer from local memory, but the EKS Pod Identity agent may first call EKS Auth.
const DEFAULT_TIMEOUT = Duration.seconds(2)
// As the AWS SDKs do for the container endpoint (decisions §13).
const DEFAULT_MAX_ATTEMPTS = 3

interface Settings {
  readonly timeout: Duration.Duration
  readonly maxAttempts: number
  readonly relativeUriBase: string
}

const settingsOf = (options: Options): Effect.Effect<Settings, CredentialsError> => {
  const timeout = Duration.fromInput(options.timeout ?? DEFAULT_TIMEOUT)
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  if (Option.isNone(timeout) || !Duration.isPositive(timeout.value) || !Duration.isFinite(timeout.value))
    return Effect.fail(CredentialsError.misconfigured(SOURCE, "the timeout option must be a positive, finite duration"))
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    return Effect.fail(
      CredentialsError.misconfigured(SOURCE, "the maxAttempts option must be an integer of at least 1")
    )
  return Effect.succeed({
    timeout: timeout.value,
    maxAttempts,
    relativeUriBase: options.relativeUriBase ?? DEFAULT_RELATIVE_URI_BASE
  })
}

const resolve = (options: Options): Effect.Effect<AwsCredentials.AwsCredentials, CredentialsError> =>
  Effect.gen(function* () {
    const settings = yield* settingsOf(options)
    const env = yield* readEnv

    const found = resolveEndpoint(env, settings.relativeUriBase)
    if (found._tag === "NotConfigured") {
      yield* Effect.logDebug("skipped: no container credentials variable is set")
      return yield* Effect.fail(
        CredentialsError.unavailable(SOURCE, `neither ${RELATIVE_URI} nor ${FULL_URI} is set`, {
          hint: "ECS, EKS Pod Identity and Lambda set one of them; outside a container this source is skipped"
        })
      )
    }
    if (found._tag === "Invalid") {
      yield* Effect.logDebug(`${found.flavour} detected, but its configuration is refused`)
      return yield* Effect.fail(
        CredentialsError.misconfigured(SOURCE, `${found.message} (detected: ${found.flavour})`, { hint: found.hint })
      )
    }
    const endpoint = found.endpoint
    yield* Effect.annotateCurrentSpan({ "container.flavour": endpoint.flavour, "container.endpoint": endpoint.display })
    yield* Effect.logDebug(`${endpoint.flavour} detected from ${endpoint.variable}: ${endpoint.display}`)

    const token = yield* readToken(env)
    return yield* fetchCredentials({ endpoint, token, timeout: settings.timeout, maxAttempts: settings.maxAttempts })
  }).pipe(
    Effect.withLogSpan("ContainerCredentials.resolve"),
    Effect.annotateLogs({ "credentials.source": SOURCE }),
    Effect.withSpan("ContainerCredentials.resolve", { attributes: { "credentials.source": SOURCE } })
  )

/**
 * The container endpoint as a source for chains, named `container`. The variables are read on every fetch. Neither variable set fails with `Unavailable` (a chain moves on); a refused configuration fails
 * with `Misconfigured` before any request is sent.
 *
 * @category constructors
 * @since 0.1.0
 */
export const source = (options: Options = {}): CredentialsSource.CredentialsSource =>
  CredentialsSource.make(SOURCE, resolve(options), { staticStability: true })

/**
 * A `CredentialsProvider` layer: the container source behind the shared cache, with static stability (decisions
 * §20): through an endpoint outage the last credentials keep being served.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options = {}): Layer.Layer<CredentialsProvider> =>
  CredentialsProvider.fromSource(source(options))

/**
 * `layer` with its options read through Effect `Config`, e.g. `{ timeout: Config.Duration("CREDS_TIMEOUT") }`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerConfig = (config: Config.Wrap<Options>): Layer.Layer<CredentialsProvider, Config.ConfigError> =>
  Layer.unwrap(Effect.map(LiveConfig.unwrap(config), layer))
