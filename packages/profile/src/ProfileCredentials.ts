/**
 * Credentials from the shared profile files `~/.aws/config` and `~/.aws/credentials`: static keys,
 * `credential_process`, roles assumed through `source_profile` or `credential_source`, SSO and web identity. The
 * files are read through Effect `Config` and a file reader at fetch time and re-parsed only when they change.
 *
 * @since 0.1.0
 */
import { CredentialsError, CredentialsProvider, CredentialsSource, LiveConfig } from "@credkit/core"
import type * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

import { describeChain } from "./internal/chainPlan.js"
import { AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME, AWS_WEB_IDENTITY_TOKEN_FILE, environment } from "./internal/config.js"
import { WEB_IDENTITY, webIdentityCredentials } from "./internal/delegated.js"
import { executePlan, stsSettingsOf } from "./internal/execute.js"
import { sharedFileReads as shareReads } from "./internal/files.js"
import type { ProfileSource } from "./internal/locations.js"
import { DEFAULT_TIMEOUT } from "./internal/process.js"
import { planSelected, rawSettings, select } from "./internal/selected.js"
import type { MfaCodeProvider } from "./internal/sts.js"

export {
  /**
   * A file that exists but cannot be read.
   *
   * @category errors
   * @since 0.1.0
   */
  FileReadError,
  /**
   * The file reader, a `Context.Reference` defaulting to Node's `fs`; provide another to serve the files elsewhere.
   *
   * @category services
   * @since 0.1.0
   */
  FileReader,
  type FileReaderShape,
  type FileVersion
} from "./internal/files.js"
export {
  type StsClient,
  /**
   * Builds the STS clients of role assumption; its `clientConfig` also reaches the SSO and web identity clients.
   * A `Context.Reference` defaulting to `stsClientFactory()`.
   *
   * @category services
   * @since 0.1.0
   */
  StsClientFactory,
  type StsClientFactoryShape,
  /**
   * The default STS client factory, with extra AWS SDK client configuration (for example a `requestHandler`).
   *
   * @category constructors
   * @since 0.1.0
   */
  stsClientFactory
} from "./internal/sts.js"
export type { MfaCodeProvider }

/**
 * Options. Each one wins over its environment variable (`AWS_PROFILE`, `AWS_CONFIG_FILE`,
 * `AWS_SHARED_CREDENTIALS_FILE`).
 *
 * @category configuration
 * @since 0.1.0
 */
export interface Options {
  /** The profile to use; default `AWS_PROFILE`, then `AWS_DEFAULT_PROFILE`, then `default`. */
  readonly profile?: string | undefined
  /** The config file; `~` expands to the home directory. Default `~/.aws/config`. */
  readonly configFile?: string | undefined
  /** The credentials file; default `~/.aws/credentials`. */
  readonly credentialsFile?: string | undefined
  /** Asked for the current MFA code when a role to assume sets `mfa_serial`. */
  readonly mfaCodeProvider?: MfaCodeProvider | undefined
  /** How long `credential_process` may run before it is stopped; default 1 minute. */
  readonly credentialProcessTimeout?: Duration.Input | undefined
  /** How long before expiry the cache refreshes; default the lifetime table of the shared cache. */
  readonly advisoryWindow?: Duration.Input | undefined
}

/** The name of the profile source in chains and reports (api.md). */
const SOURCE = "profile"

const processTimeoutOf = (options: Options | undefined): Effect.Effect<Duration.Duration, CredentialsError> => {
  const timeout = Duration.fromInput(options?.credentialProcessTimeout ?? DEFAULT_TIMEOUT)
  return Option.isSome(timeout) && Duration.isPositive(timeout.value)
    ? Effect.succeed(timeout.value)
    : Effect.fail(
        CredentialsError.misconfigured(SOURCE, "the credentialProcessTimeout option must be a positive duration")
      )
}

const logOutcome = <A>(effect: Effect.Effect<A, CredentialsError>) =>
  Effect.tapError(effect, (error) =>
    Effect.logDebug(`${error.source}: ${error.tryNextLink ? "skipped" : "failed"} (${error.reason._tag})`)
  )

/**
 * The profile files as a source named `profile`. Credentials carry `profile:<name>`, `process:<name>`,
 * `role:<name>`, `sso:<name>` or `web-identity`. No files, a `default` profile that does not exist, or a profile
 * without credential settings fail with Unavailable (a chain moves on); a profile chosen by name that does not
 * exist, or any broken setting, fails with Misconfigured (a chain stops).
 *
 * @category constructors
 * @since 0.1.0
 */
export const source = (options?: Options): CredentialsSource.CredentialsSource => {
  // Per source: the adapters behind credential_source keep their state (IMDS token, role name) between fetches.
  const namedSources = new Map<string, CredentialsSource.CredentialsSource>()
  const resolve = Effect.fn("ProfileCredentials.resolve")(
    function* () {
      const processTimeout = yield* processTimeoutOf(options)
      const selection = yield* select(options)

      const chain = yield* planSelected(selection)
      yield* Effect.logDebug(`${selection.label}: ${describeChain(chain)}`)
      return yield* executePlan(chain, selection, {
        mfaCodeProvider: options?.mfaCodeProvider,
        processTimeout,
        namedSources
      })
    },
    logOutcome,
    Effect.withLogSpan("ProfileCredentials.resolve"),
    Effect.annotateLogs({ "credentials.source": SOURCE })
  )
  return CredentialsSource.make(SOURCE, resolve(), { staticStability: false })
}

/**
 * Provides `CredentialsProvider` from the profile files behind the shared cache.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options?: Options): Layer.Layer<CredentialsProvider> =>
  CredentialsProvider.fromSource(source(options), { advisoryWindow: options?.advisoryWindow })

/**
 * `layer` with its options given as `Config` values; a missing or invalid value fails the layer with its `ConfigError`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerConfig = (config: Config.Wrap<Options>): Layer.Layer<CredentialsProvider, Config.ConfigError> =>
  Layer.unwrap(Effect.map(LiveConfig.unwrap(config), layer))

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== ""

/**
 * Web identity from the environment, a source named `web-identity` for the default chain:
 * `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN` (and `AWS_ROLE_SESSION_NAME`), delegated to the AWS SDK's
 * `fromTokenFile`. Unavailable without a token file; Misconfigured with a token file but no role. STS region and
 * endpoint follow the environment and the selected profile, as for assumed roles.
 *
 * @category constructors
 * @since 0.1.0
 */
export const webIdentitySource = (options?: Options): CredentialsSource.CredentialsSource => {
  const resolve = Effect.fn("ProfileCredentials.webIdentitySource")(
    function* () {
      const env = yield* environment
      const tokenFile = env[AWS_WEB_IDENTITY_TOKEN_FILE]
      const roleArn = env[AWS_ROLE_ARN]
      if (!present(tokenFile)) {
        return yield* CredentialsError.unavailable(WEB_IDENTITY, `${AWS_WEB_IDENTITY_TOKEN_FILE} is not set`)
      }
      if (!present(roleArn)) {
        return yield* CredentialsError.misconfigured(
          WEB_IDENTITY,
          `${AWS_WEB_IDENTITY_TOKEN_FILE} is set but ${AWS_ROLE_ARN} is not`,
          { hint: `set ${AWS_ROLE_ARN} to the role the token may assume, or unset ${AWS_WEB_IDENTITY_TOKEN_FILE}` }
        )
      }

      const selection = yield* select(options)
      const settings = yield* stsSettingsOf(selection, WEB_IDENTITY)
      const sessionName = env[AWS_ROLE_SESSION_NAME]
      return yield* webIdentityCredentials({
        roleArn: roleArn.trim(),
        webIdentityTokenFile: tokenFile.trim(),
        roleSessionName: present(sessionName) ? sessionName.trim() : undefined,
        origin: AWS_WEB_IDENTITY_TOKEN_FILE,
        settings
      })
    },
    logOutcome,
    Effect.withLogSpan("ProfileCredentials.webIdentitySource"),
    Effect.annotateLogs({ "credentials.source": WEB_IDENTITY })
  )
  return CredentialsSource.make(WEB_IDENTITY, resolve(), { staticStability: false })
}

/**
 * The selected profile and its settings, as `selectedProfileSettings` returns them.
 *
 * @category models
 * @since 0.1.0
 */
export interface SelectedProfile {
  readonly profile: string
  readonly profileSource: ProfileSource
  /** The merged single-valued keys of the profile (lower-case names), or `undefined` when it does not exist. */
  readonly settings: Readonly<Record<string, string>> | undefined
  readonly configFile: string | undefined
  readonly credentialsFile: string | undefined
}

/**
 * The selected profile's raw settings and file paths, from the same cached file reads as `source`, so a chain can
 * pass profile keys (the `ec2_metadata_*` ones, say) to other adapters. Fails with Misconfigured when a file
 * cannot be read or parsed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const selectedProfileSettings = (
  options?: Pick<Options, "profile" | "configFile" | "credentialsFile">
): Effect.Effect<SelectedProfile, CredentialsError> =>
  Effect.map(select(options), (selection) => ({
    profile: selection.locations.profile,
    profileSource: selection.locations.profileSource,
    settings: rawSettings(selection),
    configFile: selection.locations.configFile,
    credentialsFile: selection.locations.credentialsFile
  }))

/**
 * Runs `effect` with one look at each profile file: every profile source and `selectedProfileSettings` inside it
 * shares the first stat (and read) of a file. Wrap a whole chain fetch in it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sharedFileReads: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = shareReads
