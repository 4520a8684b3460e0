/**
 * The Promise API of the EC2 adapter: `fromInstanceMetadata()` returns the `credentials` function any AWS SDK v3
 * client takes, backed by the instance role through IMDS, with the shared cache and static stability.
 *
 * @since 0.1.0
 */
import {
  type AwsLogger,
  type CredentialIdentityProvider,
  CredentialsProvider,
  toCredentialIdentityProvider
} from "@credkit/core"

import type { ProfileSettings } from "./Ec2Credentials.js"
import * as Source from "./internal/source.js"

/**
 * Options of `fromInstanceMetadata`; times in milliseconds, as in the AWS SDK.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface FromInstanceMetadataOptions {
  /** IMDS base URL (`http://host[:port]`); beats `endpointMode`. */
  readonly endpoint?: string | undefined
  /** `IPv4` (default) or `IPv6`, case-insensitive. */
  readonly endpointMode?: string | undefined
  /** Milliseconds allowed for each request attempt; default 1000. */
  readonly timeout?: number | undefined
  /** Attempts per request on 5xx and 429; default 3. */
  readonly maxAttempts?: number | undefined
  /** The role to use instead of discovering it. */
  readonly roleName?: string | undefined
  /** Whether IMDSv1 may be used when IMDSv2 is unavailable; default true. */
  readonly v1Fallback?: boolean | undefined
  /** Settings from the selected profile of `~/.aws/config`, ranked below options and environment variables. */
  readonly profileSettings?: ProfileSettings | undefined
  /** An AWS SDK logger; without one, warnings go to `process.emitWarning` and nothing else is printed. */
  readonly logger?: AwsLogger.AwsLogger | undefined
}

/**
 * Credentials of the EC2 instance role for AWS SDK v3 clients. The environment is read on every fetch, never at
 * construction; one provider shares one cache among all its callers. Rejects with `CredentialsError`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromInstanceMetadata = (options: FromInstanceMetadataOptions = {}): CredentialIdentityProvider => {
  const source = Source.make({
    endpoint: options.endpoint,
    endpointMode: options.endpointMode,
    // A number is milliseconds as a Duration input.
    timeout: options.timeout,
    maxAttempts: options.maxAttempts,
    roleName: options.roleName,
    v1Fallback: options.v1Fallback,
    profileSettings: options.profileSettings
  })
  return toCredentialIdentityProvider(CredentialsProvider.fromSource(source, { staticStability: true }), {
    logger: options.logger
  })
}
