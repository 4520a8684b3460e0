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
  CredentialsSource,
  LiveConfig
} from "@credkit/core"
import type { Ec2Credentials } from "@credkit/ec2"
import type { ContainerCredentials } from "@credkit/ecs"
import * as Clock from "effect/Clock"
import type * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

import { explicitProfile } from "./internal/config.js"
import type { Report } from "./internal/report.js"
import { claimShadowingWarning, shadowingHint, shadowingMessage } from "./internal/shadowing.js"

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
// parsed profile files) lives as long as the chain. A failed import is this source's failure, named in the report,
// and is tried again on the next fetch.
const lazySource = (name: string, load: () => Promise<CredentialsSource.CredentialsSource>) => {
  let loaded: Promise<CredentialsSource.CredentialsSource> | undefined
  const adapter = Effect.tryPromise({
    try: () =>
      (loaded ??= load().catch((cause: unknown) => {
        loaded = undefined
        return Promise.reject(cause)
      })),
    catch: (cause) =>
      CredentialsError.misconfigured(
        name,
        `the ${name} source's package could not be loaded (${cause instanceof Error ? cause.message.slice(0, 200) : "unknown error"})`,
        {
          hint: "reinstall @credkit/credentials: its adapter packages are dependencies of it",
          cause
        }
      )
  })
  return CredentialsSource.make(
    name,
    Effect.flatMap(adapter, (source) => source.resolve),
    { staticStability: name === "ec2" || name === "container" }
  )
}

// decisions §4: environment keys win over an explicitly set AWS_PROFILE, and one warning per process names both.
// A profile given as an option is the caller's own choice, so it draws no warning.
const warnWhenShadowing = (source: CredentialsSource.CredentialsSource, options: Options) =>
  CredentialsSource.make(
    source.name,
    Effect.tap(source.resolve, () =>
      options.profile !== undefined
        ? Effect.void
        : Effect.flatMap(explicitProfile, (profile) =>
            profile !== undefined && claimShadowingWarning()
              ? Effect.logWarning(shadowingMessage(profile))
              : Effect.void
          )
    ),
    { staticStability: source.staticStability }
  )

/**
 * The chain's sources in order, named `env`, `profile`, `web-identity`, `container`, `ec2`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sources = (options: Options = {}): ReadonlyArray<CredentialsSource.CredentialsSource> => {
  const profileOptions = options.profile === undefined ? {} : { profile: options.profile }
  return [
    warnWhenShadowing(
      lazySource("env", () => import("@credkit/env").then((m) => m.EnvCredentials.source())),
      options
    ),
    lazySource("profile", () => import("@credkit/profile").then((m) => m.ProfileCredentials.source(profileOptions))),
    // The selected profile also decides the STS region and endpoint of web identity from the environment.
    lazySource("web-identity", () =>
      import("@credkit/profile").then((m) => m.ProfileCredentials.webIdentitySource(profileOptions))
    ),
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

const deadlineError = (millis: number, name: string) =>
  CredentialsError.transport(
    "chain",
    "timeout",
    `no credentials within the ${millis} ms deadline of the chain (timeout option); ${name} was still being tried`,
    { hint: "raise the timeout option; the attempts show which source took the time" }
  )

// The `timeout` option is one deadline for a whole resolution. Each source gets what is left of it, so a source
// that runs out of time is named in the report with everything tried before it (decisions §3).
// Limitation: a deadline that cuts IMDS short is not an "unreachable" verdict, so the 60 s memory of decisions §10
// is not set and every resolution waits for the deadline again while IMDS stays silent. A timeout longer than
// IMDS's own (1 s per attempt plus the 250 ms probe) lets the memory form; remembering a cut endpoint would lift it.
const withDeadline = (
  all: ReadonlyArray<CredentialsSource.CredentialsSource>,
  timeout: Duration.Input | undefined
): Effect.Effect<ReadonlyArray<CredentialsSource.CredentialsSource>> => {
  if (timeout === undefined) return Effect.succeed(all)
  const millis = Duration.toMillis(Duration.fromInputUnsafe(timeout))
  return Effect.map(Clock.currentTimeMillis, (start) =>
    all.map((source) =>
      CredentialsSource.make(
        source.name,
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const left = start + millis - now
          return left <= 0
            ? Effect.fail(deadlineError(millis, source.name))
            : Effect.timeoutOrElse(source.resolve, {
                duration: Duration.millis(left),
                orElse: () => Effect.fail(deadlineError(millis, source.name))
              })
        }),
        { staticStability: source.staticStability }
      )
    )
  )
}

/**
 * The whole chain as one source named `chain`; its failure lists every source with what happened.
 *
 * @category constructors
 * @since 0.1.0
 */
export const source = (options: Options = {}): CredentialsSource.CredentialsSource => {
  const all = sources(options)
  return CredentialsSource.make(
    "chain",
    Effect.flatMap(withDeadline(all, options.timeout), (bounded) => CredentialsChain.make(bounded).resolve),
    { staticStability: true }
  )
}

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
  Layer.unwrap(Effect.map(LiveConfig.unwrap(config), layer))

/**
 * Runs the chain once, without the cache, and reports what each source did; never fails for "nothing found".
 * The report holds no secret: the access key id appears as its last four characters only.
 *
 * @category constructors
 * @since 0.1.0
 */
export const explain = (options: Options = {}): Effect.Effect<Report> =>
  Effect.gen(function* () {
    const bounded = yield* withDeadline(sources(options), options.timeout)
    const { credentials, attempts } = yield* CredentialsChain.resolveWithReport(bounded)
    if (credentials === undefined) return { ok: false, attempts }

    const shadowed = credentials.source === "env" && options.profile === undefined ? yield* explicitProfile : undefined
    return {
      ok: true,
      source: credentials.source,
      credentials: {
        accessKeyIdSuffix: AwsCredentials.accessKeyIdSuffix(credentials),
        ...(credentials.expiration !== undefined ? { expiration: credentials.expiration.toISOString() } : {}),
        ...(credentials.accountId !== undefined ? { accountId: credentials.accountId } : {})
      },
      attempts:
        shadowed === undefined
          ? attempts
          : attempts.map((attempt) =>
              attempt.source === "env" ? { ...attempt, hint: shadowingHint(shadowed) } : attempt
            )
    } satisfies Report
  })
