/**
 * Connects credkit to AWS SDK v3 clients. `toCredentialIdentityProvider` turns a `CredentialsProvider` layer into
 * the `credentials` function every client accepts; `fromCredentialIdentityProvider` wraps any AWS SDK provider as
 * a credkit source; `fromStatic` serves fixed credentials.
 *
 * @since 0.1.0
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"

import * as AwsCredentials from "./AwsCredentials.js"
import * as AwsLogger from "./AwsLogger.js"
import { CredentialsError } from "./CredentialsError.js"
import { CredentialsProvider } from "./CredentialsProvider.js"
import * as CredentialsSource from "./CredentialsSource.js"

/**
 * What the Promise providers resolve to: the AWS SDK identity plus a `source` label that is never secret.
 *
 * @category models
 * @since 0.1.0
 */
export interface CredentialIdentity extends AwsCredentialIdentity {
  readonly source: string
}

/**
 * A provider any AWS SDK v3 client takes as `credentials`.
 *
 * @category models
 * @since 0.1.0
 */
export type CredentialIdentityProvider = (props?: {
  readonly forceRefresh?: boolean | undefined
}) => Promise<CredentialIdentity>

/**
 * Options of the Promise bridge.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface BridgeOptions {
  readonly logger?: AwsLogger.AwsLogger | undefined
  /** Deadline for one resolution, in milliseconds. */
  readonly timeout?: number | undefined
}

/**
 * The one place secrets leave `Redacted`: the identity handed to an AWS SDK client to sign requests.
 *
 * @category constructors
 * @since 0.1.0
 */
export const toIdentity = (credentials: AwsCredentials.AwsCredentials): CredentialIdentity => ({
  accessKeyId: credentials.accessKeyId,
  secretAccessKey: Redacted.value(credentials.secretAccessKey),
  ...(credentials.sessionToken !== undefined ? { sessionToken: Redacted.value(credentials.sessionToken) } : {}),
  ...(credentials.expiration !== undefined ? { expiration: credentials.expiration } : {}),
  ...(credentials.accountId !== undefined ? { accountId: credentials.accountId } : {}),
  source: credentials.source
})

const rejection = (cause: Cause.Cause<CredentialsError>): unknown => Cause.squash(cause)

/**
 * Turns a `CredentialsProvider` layer into an AWS SDK credentials provider. The layer is built on the first call,
 * never at construction. When the cache holds fresh credentials the call answers without entering the Effect
 * runtime; `forceRefresh` fetches anew. Failures reject with `CredentialsError`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const toCredentialIdentityProvider = <E>(
  layer: Layer.Layer<CredentialsProvider, E>,
  options?: BridgeOptions
): CredentialIdentityProvider => {
  let runtime: ManagedRuntime.ManagedRuntime<CredentialsProvider, E> | undefined
  let fast:
    | { readonly peek: (now: number) => AwsCredentials.AwsCredentials | undefined; readonly clock: Clock.Clock }
    | undefined
  let lastServed:
    | {
        readonly credentials: AwsCredentials.AwsCredentials
        readonly identity: CredentialIdentity
        readonly settled: Promise<CredentialIdentity>
      }
    | undefined

  // One identity and one settled promise per cached credentials: a cache hit allocates nothing.
  const servedFor = (credentials: AwsCredentials.AwsCredentials) => {
    if (lastServed?.credentials !== credentials) {
      const identity = toIdentity(credentials)
      lastServed = { credentials, identity, settled: Promise.resolve(identity) }
    }
    return lastServed
  }

  const resolve = (forceRefresh: boolean) =>
    Effect.gen(function* () {
      const provider = yield* CredentialsProvider
      if (provider.peek !== undefined && fast === undefined) fast = { peek: provider.peek, clock: yield* Clock.Clock }
      return yield* forceRefresh ? provider.refresh : provider.get
    })

  return (props) => {
    const forceRefresh = props?.forceRefresh === true
    // Fast path: fresh cached credentials are returned without starting a fiber.
    if (!forceRefresh && fast !== undefined) {
      const cached = fast.peek(fast.clock.currentTimeMillisUnsafe())
      if (cached !== undefined) return servedFor(cached).settled
    }
    runtime ??= ManagedRuntime.make(Layer.provideMerge(layer, AwsLogger.layer(options?.logger)))
    const program =
      options?.timeout === undefined
        ? resolve(forceRefresh)
        : Effect.timeoutOrElse(resolve(forceRefresh), {
            duration: Duration.millis(options.timeout),
            orElse: () =>
              Effect.fail(
                CredentialsError.transport(
                  "chain",
                  "timeout",
                  `no credentials within the ${options.timeout} ms deadline`,
                  {
                    hint: "raise the timeout option, or check which source is slow with explain()"
                  }
                )
              )
          })
    return runtime.runPromiseExit(program).then((exit) => {
      if (Exit.isSuccess(exit)) return servedFor(exit.value).identity
      throw rejection(exit.cause as Cause.Cause<CredentialsError>)
    })
  }
}

/**
 * A provider that always returns the given credentials, with `source` `static`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromStatic = (credentials: {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string | undefined
  readonly expiration?: Date | undefined
  readonly accountId?: string | undefined
}): CredentialIdentityProvider => {
  if (!credentials?.accessKeyId || !credentials.secretAccessKey) {
    const error = CredentialsError.misconfigured(
      "static",
      "fromStatic needs a non-empty accessKeyId and secretAccessKey",
      { hint: "pass both keys, or use fromDefaultChain() to find credentials in the environment" }
    )
    return () => Promise.reject(error)
  }
  const identity = toIdentity(AwsCredentials.make({ ...credentials, source: "static" }))
  return () => Promise.resolve(identity)
}

/**
 * Wraps an AWS SDK credentials provider (for example `defaultProvider()` or `fromSSO()`) as a credkit source. Its
 * errors with `tryNextLink` let a chain move on; other errors stop it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromCredentialIdentityProvider = (
  provider: AwsCredentialIdentityProvider,
  options?: { readonly name?: string | undefined; readonly staticStability?: boolean | undefined }
): CredentialsSource.CredentialsSource => {
  const name = options?.name ?? "aws-sdk"
  return CredentialsSource.make(
    name,
    Effect.tryPromise({
      try: () => provider(),
      catch: (error) => {
        const detail = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : "unknown failure"
        return (error as { tryNextLink?: unknown })?.tryNextLink === true
          ? CredentialsError.unavailable(name, `the AWS SDK provider found nothing (${detail})`, { cause: error })
          : CredentialsError.transport(name, "other", `the AWS SDK provider failed (${detail})`, { cause: error })
      }
    }).pipe(
      Effect.map((identity) =>
        AwsCredentials.make({
          accessKeyId: identity.accessKeyId,
          secretAccessKey: identity.secretAccessKey,
          sessionToken: identity.sessionToken,
          expiration: identity.expiration,
          accountId: identity.accountId,
          source: name
        })
      )
    ),
    options
  )
}
