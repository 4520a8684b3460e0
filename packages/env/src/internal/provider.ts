/**
 * The Promise provider behind `fromEnv`, written without Effect so that a Lambda with credentials in its environment
 * answers without loading Effect or `@credkit/core` (performance.md). `@credkit/core` is loaded with a dynamic
 * `import()` only to reject with a real `CredentialsError`. The environment and both clocks are passed in.
 */
import type { AwsLogger, CredentialIdentity, CredentialIdentityProvider } from "@credkit/core"

import { type EnvReading, expiredMessage, readEnvCredentials, SOURCE } from "./read.js"

// decisions §22: credentials without a cause to refresh are re-read from the environment at most this often.
const RECHECK_INTERVAL_MILLIS = 15 * 60 * 1_000

/**
 * A provider with a synchronous probe of what it keeps: the credentials a call would return now without reading
 * the environment, or `undefined`.
 */
export interface EnvProvider extends CredentialIdentityProvider {
  readonly peek: () => CredentialIdentity | undefined
}

/**
 * What the provider reads from the outside world.
 */
export interface Environment {
  /** The variables, looked up on every fetch (never at construction). */
  readonly variables: () => Record<string, string | undefined>
  /** A monotonic clock in milliseconds, for the re-read interval. */
  readonly monotonicMillis: () => number
  /** Wall-clock milliseconds, compared with `AWS_CREDENTIAL_EXPIRATION`. */
  readonly wallMillis: () => number
  readonly logger?: AwsLogger.AwsLogger | undefined
}

type Found = Extract<EnvReading, { readonly _tag: "Found" }>
type Failure = Exclude<EnvReading, Found> | { readonly _tag: "Expired"; readonly expiration: Date }

const identityOf = (reading: Found): CredentialIdentity => ({
  accessKeyId: reading.accessKeyId,
  secretAccessKey: reading.secretAccessKey,
  ...(reading.sessionToken !== undefined ? { sessionToken: reading.sessionToken } : {}),
  ...(reading.expiration !== undefined ? { expiration: reading.expiration } : {}),
  ...(reading.accountId !== undefined ? { accountId: reading.accountId } : {}),
  source: SOURCE
})

// The same reasons and texts as `EnvCredentials.source`, so both APIs fail alike.
const reject = (failure: Failure): Promise<never> =>
  import("@credkit/core").then(({ CredentialsError }) => {
    throw failure._tag === "Absent"
      ? CredentialsError.unavailable(SOURCE, failure.message, { hint: failure.hint })
      : failure._tag === "Invalid"
        ? CredentialsError.misconfigured(SOURCE, failure.message, { hint: failure.hint })
        : CredentialsError.expired(SOURCE, expiredMessage(failure.expiration))
  })

const describe = (identity: CredentialIdentity): string =>
  `[credkit] credentials resolved from ${SOURCE} (key …${identity.accessKeyId.slice(-4)}${
    identity.expiration === undefined ? ", no expiration" : `, expire at ${identity.expiration.toISOString()}`
  })`

/**
 * Builds the provider: it keeps what it read and reads the environment again after the re-read interval, when the
 * kept credentials have expired, or on `forceRefresh`. A read that fails is not kept, so the next call reads again.
 */
export const makeEnvProvider = (environment: Environment): EnvProvider => {
  // The deadlines are worked out once per read, so a cache hit costs one clock read and two comparisons.
  let kept:
    | { readonly identity: CredentialIdentity; readonly recheckAt: number; readonly expiresAt: number | undefined }
    | undefined

  const peek = (): CredentialIdentity | undefined =>
    kept !== undefined &&
    environment.monotonicMillis() < kept.recheckAt &&
    (kept.expiresAt === undefined || kept.expiresAt > environment.wallMillis())
      ? kept.identity
      : undefined

  const provider: CredentialIdentityProvider = (props) => {
    const now = environment.monotonicMillis()
    if (props?.forceRefresh !== true) {
      const cached = peek()
      if (cached !== undefined) return Promise.resolve(cached)
    }

    kept = undefined
    const reading = readEnvCredentials(environment.variables())
    if (reading._tag !== "Found") return reject(reading)
    if (reading.expiration !== undefined && reading.expiration.getTime() <= environment.wallMillis()) {
      return reject({ _tag: "Expired", expiration: reading.expiration })
    }

    const identity = identityOf(reading)
    kept = { identity, recheckAt: now + RECHECK_INTERVAL_MILLIS, expiresAt: identity.expiration?.getTime() }
    environment.logger?.debug?.(describe(identity))
    return Promise.resolve(identity)
  }
  return Object.assign(provider, { peek })
}
