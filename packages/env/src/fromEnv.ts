/**
 * `fromEnv()`: AWS credentials from environment variables as an AWS SDK v3 credentials provider. It answers without
 * starting Effect (nor loading it), which keeps a Lambda's cold start short; only a failure loads `@credkit/core` to
 * reject with a `CredentialsError`.
 *
 * @since 0.1.0
 */
import type { AwsLogger } from "@credkit/core"

import { type EnvProvider, makeEnvProvider } from "./internal/provider.js"

/**
 * Options of `fromEnv`.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface FromEnvOptions {
  /** An AWS SDK logger; gets one debug line per read of the environment (key id suffix at most, never a secret). */
  readonly logger?: AwsLogger.AwsLogger | undefined
}

/**
 * A provider of the credentials in `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and friends, with source `env`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromEnv = (options?: FromEnvOptions): EnvProvider =>
  makeEnvProvider({
    // The Promise facade's fast path reads process.env itself (STYLE §12), at fetch time.
    variables: () => process.env,
    // performance.now() is a monotonic clock, not wall time: setting the system clock cannot stretch or skip the
    // re-read interval.
    monotonicMillis: () => performance.now(),
    // There is no Effect Clock on this path; wall time is read only to compare with AWS_CREDENTIAL_EXPIRATION.
    wallMillis: () => Date.now(),
    logger: options?.logger
  })

export type { EnvProvider } from "./internal/provider.js"

// The pure reader rides along, so other packages can deep-import it from this Effect-free entry.
export { type EnvReading, readEnvCredentials } from "./internal/read.js"
