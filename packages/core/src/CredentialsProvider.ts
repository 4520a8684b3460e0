/**
 * The one service every adapter provides and every user consumes: get the current credentials, force a refresh,
 * or invalidate credentials a service rejected. Adapters build it from a source behind the shared cache.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

import * as AwsCredentials from "./AwsCredentials.js"
import * as CredentialsCache from "./CredentialsCache.js"
import { CredentialsError } from "./CredentialsError.js"
import type { CredentialsSource } from "./CredentialsSource.js"

/**
 * The service shape.
 *
 * @category models
 * @since 0.1.0
 */
export interface Shape {
  /** The current credentials; cached, refreshed ahead of expiry, shared by every caller. */
  readonly get: Effect.Effect<AwsCredentials.AwsCredentials, CredentialsError>
  /** Fetch new credentials now (joins a fetch in flight). */
  readonly refresh: Effect.Effect<AwsCredentials.AwsCredentials, CredentialsError>
  /** Drop the cached credentials when they carry this access key id. */
  readonly invalidate: (accessKeyId: string) => Effect.Effect<void>
  /** Synchronous cache probe used by the Promise bridge's fast path; absent for providers without a cache. */
  readonly peek?: ((now: number) => AwsCredentials.AwsCredentials | undefined) | undefined
}

/**
 * The credentials provider service.
 *
 * @category services
 * @since 0.1.0
 */
export class CredentialsProvider extends Context.Service<CredentialsProvider, Shape>()(
  "@credkit/core/CredentialsProvider"
) {
  /** Builds a provider: the source behind one expiry-aware cache. */
  static make<R>(source: CredentialsSource<R>, options?: CredentialsCache.Options) {
    return make(source, options)
  }
  /** A layer providing the service from a source behind the shared cache. */
  static fromSource<R>(source: CredentialsSource<R>, options?: CredentialsCache.Options) {
    return fromSource(source, options)
  }
  /** An in-memory provider for tests: fixed credentials, or a script of credentials and errors. */
  static layerTest(script: AwsCredentials.Input | AwsCredentials.AwsCredentials | ReadonlyArray<Step>) {
    return layerTest(script)
  }
}

/**
 * Builds a provider: the source behind one expiry-aware cache.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <R>(source: CredentialsSource<R>, options?: CredentialsCache.Options) =>
  Effect.map(CredentialsCache.make(source, options), (cache) => CredentialsProvider.of(cache))

/**
 * A layer providing `CredentialsProvider` from a source behind the shared cache.
 *
 * @category layers
 * @since 0.1.0
 */
export const fromSource = <R>(source: CredentialsSource<R>, options?: CredentialsCache.Options) =>
  Layer.effect(CredentialsProvider, make(source, options))

/**
 * A step of a scripted test provider: credentials to return, or an error to fail with.
 *
 * @category models
 * @since 0.1.0
 */
export type Step = AwsCredentials.AwsCredentials | CredentialsError

/**
 * An in-memory provider for tests. Given credentials, it always returns them; given a list, each `get` or
 * `refresh` takes the next step (the last one repeats), so tests can script rotation and failures.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerTest = (
  script: AwsCredentials.Input | AwsCredentials.AwsCredentials | ReadonlyArray<Step>
): Layer.Layer<CredentialsProvider> => {
  const steps: ReadonlyArray<Step> = Array.isArray(script)
    ? script
    : [AwsCredentials.make(script as AwsCredentials.Input)]
  let index = 0
  const next = Effect.suspend(() => {
    const step = steps[Math.min(index, steps.length - 1)]
    index++
    if (step === undefined) return Effect.fail(CredentialsError.unavailable("test", "the test script is empty"))
    return CredentialsError.is(step) ? Effect.fail(step) : Effect.succeed(step)
  })
  return Layer.succeed(
    CredentialsProvider,
    CredentialsProvider.of({ get: next, refresh: next, invalidate: () => Effect.void })
  )
}

/**
 * The current credentials from the provider in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const get: Effect.Effect<AwsCredentials.AwsCredentials, CredentialsError, CredentialsProvider> =
  CredentialsProvider.use((provider) => provider.get)
