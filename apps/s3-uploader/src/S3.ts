/**
 * The S3 client as a service: one `S3Client` whose credentials come from the `CredentialsProvider` in context, so
 * every request is signed with what the provider's cache holds at that moment (rotated credentials included).
 */
import { S3Client } from "@aws-sdk/client-s3"
import { type AwsCredentials, AwsSdkBridge, type CredentialIdentity, CredentialsProvider } from "@credkit/core"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"

import { handleRejectedCredentials } from "./internal/rejectedCredentials.js"

// An S3-compatible endpoint needs some region to sign for; S3 itself would name the bucket's region.
const ENDPOINT_DEFAULT_REGION = "us-east-1"

export interface Options {
  /** The region; default the AWS SDK's own lookup (`AWS_REGION`, the profile's `region`). */
  readonly region?: string | undefined
  /** An S3-compatible endpoint URL instead of AWS's. */
  readonly endpoint?: string | undefined
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible servers need. */
  readonly pathStyle?: boolean | undefined
  /** The profile the AWS SDK reads client settings (region) from. */
  readonly profile?: string | undefined
}

export interface Shape {
  readonly client: S3Client
  /** Where requests go, for messages: the endpoint URL or `AWS S3`. */
  readonly target: string
}

export class S3 extends Context.Service<S3, Shape>()("@credkit/s3-uploader/S3") {}

const clientConfig = (options: Options) => ({
  ...(options.region !== undefined
    ? { region: options.region }
    : options.endpoint !== undefined
      ? { region: ENDPOINT_DEFAULT_REGION }
      : {}),
  ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
  ...(options.profile !== undefined ? { profile: options.profile } : {}),
  forcePathStyle: options.pathStyle === true
})

/** The S3 service, its client destroyed when the layer's scope closes. */
export const layer = (options: Options = {}): Layer.Layer<S3, never, CredentialsProvider> =>
  Layer.effect(
    S3,
    Effect.gen(function* () {
      const provider = yield* CredentialsProvider
      const clock = yield* Clock.Clock
      const context = yield* Effect.context<never>()

      const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> =>
        Effect.runPromiseExitWith(context)(effect).then((exit) => {
          if (Exit.isSuccess(exit)) return exit.value
          throw Cause.squash(exit.cause)
        })
      let last:
        | { readonly credentials: AwsCredentials.AwsCredentials; readonly identity: CredentialIdentity }
        | undefined
      const identityOf = (credentials: AwsCredentials.AwsCredentials): CredentialIdentity => {
        if (last?.credentials !== credentials) last = { credentials, identity: AwsSdkBridge.toIdentity(credentials) }
        return last.identity
      }
      // The provider's cache is the memo: marked `memoized`, the SDK asks before every request instead of keeping an
      // identity until five minutes before it expires, so rotated or invalidated credentials are used at once. Fresh
      // cached credentials are answered without starting a fiber.
      // Limitation: `memoized` is a marker the AWS SDK reads (`normalizeCredentialProvider`), not a documented option.
      // Should a release ignore it, the SDK keeps each identity until five minutes before its expiration, so a key S3
      // rejects early (InvalidToken) is retried with the same key and the command fails. Asking the provider with
      // `forceRefresh` from the retry middleware would lift it.
      const credentials = Object.assign(
        (): Promise<CredentialIdentity> => {
          const cached = provider.peek?.(clock.currentTimeMillisUnsafe())
          return cached !== undefined ? Promise.resolve(identityOf(cached)) : run(provider.get).then(identityOf)
        },
        { memoized: true }
      )

      const client = yield* Effect.acquireRelease(
        Effect.sync(() => new S3Client({ ...clientConfig(options), credentials })),
        (client) => Effect.sync(() => client.destroy())
      )
      handleRejectedCredentials(client, (accessKeyId) => run(provider.invalidate(accessKeyId)))

      return S3.of({ client, target: options.endpoint ?? "AWS S3" })
    })
  )
