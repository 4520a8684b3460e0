/**
 * `fromAssumeRole()`: assume a role in code, with credentials from any AWS SDK-style provider, as an AWS SDK v3
 * credentials provider. The role's credentials are cached and refreshed ahead of expiry.
 *
 * @since 0.1.0
 */

import {
  type AwsLogger,
  type CredentialIdentityProvider,
  CredentialsChain,
  CredentialsError,
  CredentialsProvider,
  CredentialsSource,
  fromCredentialIdentityProvider,
  toCredentialIdentityProvider
} from "@credkit/core"
import type { AwsCredentialIdentityProvider } from "@smithy/types"
import * as Effect from "effect/Effect"
import { stsSettingsOf } from "./internal/execute.js"
import { select } from "./internal/selected.js"
import { assumeRole } from "./internal/sts.js"
import * as ProfileCredentials from "./ProfileCredentials.js"

/**
 * Options of `fromAssumeRole`.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface FromAssumeRoleOptions {
  /** The role to assume. */
  readonly roleArn: string
  /** Default `credkit-<milliseconds since 1970>`. */
  readonly roleSessionName?: string | undefined
  readonly externalId?: string | undefined
  /** Lifetime of the role's credentials, 900 to 43200; default the role's setting (one hour). */
  readonly durationSeconds?: number | undefined
  /** The credentials that call AssumeRole; default environment, profile files, web identity, container, EC2. */
  readonly source?: AwsCredentialIdentityProvider | undefined
  /** The STS region; default `AWS_REGION`, `AWS_DEFAULT_REGION`, the selected profile's `region`, `us-east-1`. */
  readonly region?: string | undefined
  /** An AWS SDK logger; without one, warnings go to `process.emitWarning`. */
  readonly logger?: AwsLogger.AwsLogger | undefined
}

/** A source whose adapter module is imported at its first fetch and kept. */
const lazySource = (name: string, load: () => Promise<CredentialsSource.CredentialsSource>) => {
  let loaded: CredentialsSource.CredentialsSource | undefined
  return CredentialsSource.make(
    name,
    Effect.suspend(() =>
      loaded !== undefined
        ? loaded.resolve
        : Effect.flatMap(Effect.promise(load), (source) => {
            loaded = source
            return source.resolve
          })
    )
  )
}

// Limitation: without a `source`, the EC2 link ignores the `ec2_metadata_*` keys of the selected profile (their
// environment variables still apply), and no warning names env keys shadowing a profile. Passing
// `source: fromDefaultChain()` from @credkit/credentials gives the full default chain.
const defaultSource = () =>
  CredentialsChain.make([
    lazySource("env", () => import("@credkit/env").then((env) => env.EnvCredentials.source())),
    ProfileCredentials.source(),
    ProfileCredentials.webIdentitySource(),
    lazySource("container", () => import("@credkit/ecs").then((ecs) => ecs.ContainerCredentials.source())),
    lazySource("ec2", () => import("@credkit/ec2").then((ec2) => ec2.Ec2Credentials.source()))
  ])

/** `role:<name>`, with the role name of the ARN (`arn:aws:iam::123456789012:role/path/Name` → `Name`). */
const labelOf = (roleArn: string): string => `role:${roleArn.split("/").at(-1) ?? roleArn}`

const assumeRoleSource = (options: FromAssumeRoleOptions): CredentialsSource.CredentialsSource => {
  const label = labelOf(options.roleArn ?? "")
  const upstream =
    options.source === undefined ? defaultSource() : fromCredentialIdentityProvider(options.source, { name: "source" })
  const resolve = Effect.fn("ProfileCredentials.fromAssumeRole")(
    function* () {
      if (typeof options.roleArn !== "string" || options.roleArn.trim() === "") {
        return yield* CredentialsError.misconfigured(label, "fromAssumeRole needs a roleArn", {
          hint: "pass roleArn: arn:aws:iam::<account>:role/<name>"
        })
      }
      const selection = yield* select(undefined)
      const settings = yield* stsSettingsOf(selection, label, undefined, options.region)

      const credentials = yield* upstream.resolve
      return yield* assumeRole({
        label,
        origin: "fromAssumeRole",
        roleArn: options.roleArn.trim(),
        roleSessionName: options.roleSessionName,
        externalId: options.externalId,
        durationSeconds: options.durationSeconds,
        settings,
        credentials
      })
    },
    Effect.withLogSpan("ProfileCredentials.fromAssumeRole"),
    Effect.annotateLogs({ "credentials.source": label })
  )
  return CredentialsSource.make(label, resolve())
}

/**
 * A provider of the role's credentials (source label `role:<role name>`), assumed with the credentials of
 * `options.source`. Rejects with a `CredentialsError`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromAssumeRole = (options: FromAssumeRoleOptions): CredentialIdentityProvider => {
  return toCredentialIdentityProvider(CredentialsProvider.fromSource(assumeRoleSource(options)), {
    logger: options.logger
  })
}
