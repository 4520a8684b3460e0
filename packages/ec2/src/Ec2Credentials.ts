/**
 * Credentials of the EC2 instance role, from the instance metadata service (IMDSv2, with the IMDSv1 fallback where
 * allowed). The role name is discovered at run time, so a renamed or replaced role keeps working. Use `layer` for
 * an application on EC2, or `source` inside a chain.
 *
 * @since 0.1.0
 */

import { type CredentialsError, CredentialsProvider, type CredentialsSource, LiveConfig } from "@credkit/core"
import type * as Config from "effect/Config"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

import * as Source from "./internal/source.js"
import * as Unreachable from "./internal/unreachable.js"

/**
 * Settings read from the selected profile of `~/.aws/config` (the profile package passes them in). They rank
 * below options and environment variables.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface ProfileSettings {
  /** `ec2_metadata_service_endpoint`. */
  readonly endpoint?: string | undefined
  /** `ec2_metadata_service_endpoint_mode`: `IPv4` or `IPv6`. */
  readonly endpointMode?: string | undefined
  /** `ec2_metadata_v1_disabled`: `true` turns the IMDSv1 fallback off. */
  readonly v1Disabled?: string | boolean | undefined
  /** `ec2_instance_profile_name`: use this role instead of discovering it. */
  readonly roleName?: string | undefined
  /** `metadata_service_timeout`, in seconds. */
  readonly timeout?: string | undefined
  /** `metadata_service_num_attempts`. */
  readonly maxAttempts?: string | undefined
}

/**
 * Options of the EC2 source. Each one, when given, beats its environment variable and profile key.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface Options {
  /** IMDS base URL (`http://host[:port]`, no path); beats every endpoint mode. */
  readonly endpoint?: string | undefined
  /** `IPv4` (default, `http://169.254.169.254`) or `IPv6` (`http://[fd00:ec2::254]`), case-insensitive. */
  readonly endpointMode?: string | undefined
  /** Time allowed for each request attempt; default 1 second. */
  readonly timeout?: Duration.Input | undefined
  /** Attempts per request on 5xx and 429; default 3. */
  readonly maxAttempts?: number | undefined
  /** The role to use; a configured name is never rediscovered. */
  readonly roleName?: string | undefined
  /** Whether IMDSv1 may be used when IMDSv2 is unavailable; default true. */
  readonly v1Fallback?: boolean | undefined
  /** Settings from the selected profile, or an effect that reads them at each fetch (the default chain's way). */
  readonly profileSettings?: ProfileSettings | Effect.Effect<ProfileSettings | undefined, CredentialsError> | undefined
}

/**
 * A source for chains, named `ec2`; its credentials carry the label `ec2:<role>`. Configuration is read when a
 * fetch happens. Static stability is on: after an IMDS outage the cache keeps serving the last credentials.
 *
 * @category constructors
 * @since 0.1.0
 */
export const source = (options?: Options): CredentialsSource.CredentialsSource => Source.make(options)

/**
 * A layer providing `CredentialsProvider` from the instance role, behind the shared cache.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options?: Options): Layer.Layer<CredentialsProvider> =>
  CredentialsProvider.fromSource(source(options), { staticStability: true })

/**
 * The same layer with its options given as `Config` values; a missing or invalid value fails the layer with its
 * `ConfigError`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerConfig = (config: Config.Wrap<Options>): Layer.Layer<CredentialsProvider, Config.ConfigError> =>
  Layer.unwrap(Effect.map(LiveConfig.unwrap(config), layer))

/**
 * Forgets every endpoint remembered as unreachable (decisions §10), at once when called; running the returned
 * effect clears it again, so it works from Promise code and inside `Effect.gen` alike. Meant for tests.
 *
 * @category constructors
 * @since 0.1.0
 */
export const clearUnreachableMemory = (): Effect.Effect<void> => {
  Unreachable.clear()
  return Effect.sync(Unreachable.clear)
}
