/**
 * The Promise API of the container endpoint, for any AWS SDK v3 client: `fromContainerMetadata()` returns a
 * cached credentials provider that reads the container variables on each fetch.
 *
 * @since 0.1.0
 */
import { type AwsLogger, type CredentialIdentityProvider, toCredentialIdentityProvider } from "@credkit/core"

import * as ContainerCredentials from "./ContainerCredentials.js"

/**
 * Options of `fromContainerMetadata`; times in milliseconds, as in the AWS SDK.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface FromContainerMetadataOptions {
  /** Time allowed for one attempt, in ms. Default 2000. */
  readonly timeout?: number | undefined
  /** Attempts per fetch on 5xx, I/O failures and unusable 200s. Default 3. */
  readonly maxAttempts?: number | undefined
  /** Where the relative URI is sent. Default `http://169.254.170.2`. */
  readonly relativeUriBase?: string | undefined
  /** An AWS SDK logger (`debug`, `info`, `warn`, `error`); without one, warnings go to `process.emitWarning`. */
  readonly logger?: AwsLogger.AwsLogger | undefined
}

/**
 * Credentials from the container endpoint (ECS task role, EKS Pod Identity, Lambda SnapStart or a custom
 * endpoint), cached with static stability. Rejects with a `CredentialsError`; `tryNextLink` is true only when no
 * container variable is set.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromContainerMetadata = (options: FromContainerMetadataOptions = {}): CredentialIdentityProvider =>
  toCredentialIdentityProvider(
    ContainerCredentials.layer({
      // A number is read as milliseconds by Duration.
      timeout: options.timeout,
      maxAttempts: options.maxAttempts,
      relativeUriBase: options.relativeUriBase
    }),
    { logger: options.logger }
  )
