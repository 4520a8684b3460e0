/**
 * The default credentials chain as Effect layers (decisions §1–5): environment variables → profile files → web
 * identity → container endpoint → EC2 instance metadata, under one shared cache. Each adapter is imported only
 * when the chain reaches it, so a Lambda with credentials in its environment never loads file, HTTP or STS code.
 *
 * @since 0.1.0
 */

import {
  AwsCredentials,
  CredentialsChain,
  CredentialsError,
  CredentialsProvider,
  CredentialsSource
} from "@credkit/core"
import type { Ec2Credentials } from "@credkit/ec2"
import type { ContainerCredentials } from "@credkit/ecs"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

import type { Report } from "./internal/report.js"

/**
 * Options of the default chain. Times take `Duration` input.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface Options {
  /** The profile to use instead of `AWS_PROFILE` / `AWS_DEFAULT_PROFILE` / `default`. */
  readonly profile?: string | undefined
  /** Deadline for one resolution through the whole chain. */
  readonly timeout?: Duration.Input | undefined
  /** Options of the EC2 instance metadata source; profile keys are read from the selected profile. */
  readonly ec2?: Omit<Ec2Credentials.Options, "profileSettings"> | undefined
  /** Options of the container endpoint source. */
  readonly ecs?: ContainerCredentials.Options | undefined
  /** Overrides the cache's advisory refresh window. */
  readonly advisoryWindow?: Duration.Input | undefined
}

// Builds an adapter's source on first use and keeps it, so per-source state (the IMDS token and role name, the
// parsed profile files) lives as long as the chain.
const lazySource = (name: string, load: () => Promise<CredentialsSource.CredentialsSource>) => {
  let loaded: Promise<CredentialsSource.CredentialsSource> | undefined
  return CredentialsSource.make(
    name,
    Effect.flatMap(
      Effect.promise(() => (loaded ??= load())),
      (source) => source.resolve
    ),
    { staticStability: name === "ec2" || name === "container" }
  )
}

/**
 * The chain's sources in order, named `env`, `profile`, `web-identity`, `container`, `ec2`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sources = (options: Options = {}): ReadonlyArray<CredentialsSource.CredentialsSource> => {
  const profileOptions = options.profile === undefined ? {} : { profile: options.profile }
  return [
    lazySource("env", () => import("@credkit/env").then((m) => m.EnvCredentials.source())),
    lazySource("profile", () => import("@credkit/profile").then((m) => m.ProfileCredentials.source(profileOptions))),
    lazySource("web-identity", () => import("@credkit/profile").then((m) => m.ProfileCredentials.webIdentitySource())),
    lazySource("container", () => import("@credkit/ecs").then((m) => m.ContainerCredentials.source(options.ecs ?? {}))),
    lazySource("ec2", () =>
      Promise.all([import("@credkit/ec2"), import("@credkit/profile")]).then(([ec2, profile]) =>
        ec2.Ec2Credentials.source({
          ...options.ec2,
          // Read at every fetch, so an edited ~/.aws/config is honoured without a restart (decisions §16).
          profileSettings: Effect.map(profile.ProfileCredentials.selectedProfileSettings(profileOptions), (selected) =>
            ec2SettingsOf(selected.settings)
          ).pipe(Effect.orElseSucceed(() => undefined))
        })
      )
    )
  ]
}

// The keys of the selected profile that configure IMDS (the same names the AWS SDKs read).
const ec2SettingsOf = (settings: Readonly<Record<string, string>> | undefined): Ec2Credentials.ProfileSettings => ({
  endpoint: settings?.ec2_metadata_service_endpoint,
  endpointMode: settings?.ec2_metadata_service_endpoint_mode,
  v1Disabled: settings?.ec2_metadata_v1_disabled,
  roleName: settings?.ec2_instance_profile_name,
  timeout: settings?.metadata_service_timeout,
  maxAttempts: settings?.metadata_service_num_attempts
})

const withDeadline = (source: CredentialsSource.CredentialsSource, timeout: Duration.Input | undefined) => {
  if (timeout === undefined) return source
  const millis = Duration.toMillis(Duration.fromInputUnsafe(timeout))
  return CredentialsSource.make(
    source.name,
    Effect.timeoutOrElse(source.resolve, {
      duration: Duration.millis(millis),
      orElse: () =>
        Effect.fail(
          CredentialsError.transport("chain", "timeout", `no credentials within the ${millis} ms deadline`, {
            hint: "raise the timeout, or run explain() to see which source is slow"
          })
        )
    }),
    { staticStability: source.staticStability }
  )
}

/**
 * The whole chain as one source named `chain`; its failure lists every source with what happened.
 *
 * @category constructors
 * @since 0.1.0
 */
export const source = (options: Options = {}): CredentialsSource.CredentialsSource =>
  withDeadline(CredentialsChain.make(sources(options), { staticStability: true }), options.timeout)

/**
 * `CredentialsProvider` from the default chain behind one cache.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options = {}): Layer.Layer<CredentialsProvider> =>
  CredentialsProvider.fromSource(
    source(options),
    options.advisoryWindow === undefined ? undefined : { advisoryWindow: options.advisoryWindow }
  )

/**
 * `layer` with its options read through `Config`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerConfig = (config: Config.Wrap<Options>): Layer.Layer<CredentialsProvider, Config.ConfigError> =>
  Layer.unwrap(Effect.map(Config.unwrap(config), layer))

/**
 * Runs the chain once, without the cache, and reports what each source did; never fails for "nothing found".
 * The report holds no secret: the access key id appears as its last four characters only.
 *
 * @category constructors
 * @since 0.1.0
 */
export const explain = (options: Options = {}): Effect.Effect<Report> =>
  Effect.map(CredentialsChain.resolveWithReport(sources(options)), (resolution): Report => {
    const credentials = resolution.credentials
    if (credentials === undefined) return { ok: false, attempts: resolution.attempts }
    return {
      ok: true,
      source: credentials.source,
      credentials: {
        accessKeyIdSuffix: AwsCredentials.accessKeyIdSuffix(credentials),
        ...(credentials.expiration !== undefined ? { expiration: credentials.expiration.toISOString() } : {}),
        ...(credentials.accountId !== undefined ? { accountId: credentials.accountId } : {})
      },
      attempts: resolution.attempts
    }
  })
