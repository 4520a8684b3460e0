/**
 * `fromProfile()`: credentials from the shared profile files as an AWS SDK v3 credentials provider, cached and
 * refreshed ahead of expiry. Static keys, `credential_process`, assumed roles, SSO and web identity profiles.
 *
 * @since 0.1.0
 */
import { type AwsLogger, type CredentialIdentityProvider, toCredentialIdentityProvider } from "@credkit/core"
import * as Duration from "effect/Duration"
import * as ProfileCredentials from "./ProfileCredentials.js"

/**
 * Options of `fromProfile`. Times are milliseconds, as in the AWS SDK.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface FromProfileOptions {
  /** The profile to use; default `AWS_PROFILE`, then `AWS_DEFAULT_PROFILE`, then `default`. */
  readonly profile?: string | undefined
  /** The config file; default `AWS_CONFIG_FILE`, then `~/.aws/config`. */
  readonly configFile?: string | undefined
  /** The credentials file; default `AWS_SHARED_CREDENTIALS_FILE`, then `~/.aws/credentials`. */
  readonly credentialsFile?: string | undefined
  /** Asked for the current MFA code when a role to assume sets `mfa_serial`. */
  readonly mfaCodeProvider?: ProfileCredentials.MfaCodeProvider | undefined
  /** How long `credential_process` may run, in milliseconds; default 60000. */
  readonly credentialProcessTimeout?: number | undefined
  /** An AWS SDK logger; without one, warnings go to `process.emitWarning`. */
  readonly logger?: AwsLogger.AwsLogger | undefined
}

/**
 * A provider of the selected profile's credentials. Rejects with a `CredentialsError`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromProfile = (options?: FromProfileOptions): CredentialIdentityProvider => {
  const layer = ProfileCredentials.layer({
    profile: options?.profile,
    configFile: options?.configFile,
    credentialsFile: options?.credentialsFile,
    mfaCodeProvider: options?.mfaCodeProvider,
    credentialProcessTimeout:
      options?.credentialProcessTimeout === undefined ? undefined : Duration.millis(options.credentialProcessTimeout)
  })
  return toCredentialIdentityProvider(layer, { logger: options?.logger })
}
