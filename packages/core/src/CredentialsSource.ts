/**
 * A source is a name plus an effect that resolves credentials. Adapters export one (`Ec2Credentials.source`),
 * chains combine them and `CredentialsProvider.fromSource` puts one behind the shared cache.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"

import type { AwsCredentials } from "./AwsCredentials.js"
import type { CredentialsError } from "./CredentialsError.js"

/**
 * A named way to resolve credentials. `resolve` is run on every fetch; it does not cache.
 *
 * @category models
 * @since 0.1.0
 */
export interface CredentialsSource<R = never> {
  /** The label used in reports and logs, e.g. `env`, `profile`, `container`, `ec2`. */
  readonly name: string
  readonly resolve: Effect.Effect<AwsCredentials, CredentialsError, R>
  /** Whether the cache may keep serving this source's credentials past expiry when it fails (decisions §20). */
  readonly staticStability?: boolean | undefined
}

/**
 * Builds a source.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <R = never>(
  name: string,
  resolve: Effect.Effect<AwsCredentials, CredentialsError, R>,
  options?: { readonly staticStability?: boolean | undefined }
): CredentialsSource<R> => ({ name, resolve, staticStability: options?.staticStability ?? false })
