/**
 * SSO and web identity are delegated to the AWS SDK's own providers (decisions §5), each loaded on first use. The
 * `clientConfig` of the `StsClientFactory` in use (a test's request handler, say) reaches their clients too.
 */
import { AwsCredentials, CredentialsError } from "@credkit/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

import { mapAwsError } from "./awsErrors.js"
import type { SsoSource } from "./chainPlan.js"
import { StsClientFactory } from "./sts.js"
import type { StsSettings } from "./stsSettings.js"

/** The label of web identity credentials (api.md). */
export const WEB_IDENTITY = "web-identity"

const loadFailure = (label: string, module: string) => (cause: unknown) =>
  CredentialsError.misconfigured(label, `${module} could not be loaded (${describeLoadError(cause)})`, {
    hint: `check that ${module} is installed (a dependency of @credkit/profile); in an ES-module bundle, build with mainFields ["module", "main"] so the AWS SDK's ES modules are used`,
    cause
  })

// A loader's own message (a missing module, a dynamic require in a bundle) says what to fix; it holds no secret.
const describeLoadError = (cause: unknown): string =>
  cause instanceof Error ? (cause.message.split("\n")[0]?.slice(0, 200) ?? cause.name) : "unknown error"

interface Identity {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string | undefined
  readonly expiration?: Date | undefined
  readonly accountId?: string | undefined
}

const toCredentials = (identity: Identity, source: string) =>
  AwsCredentials.make({
    accessKeyId: identity.accessKeyId,
    secretAccessKey: identity.secretAccessKey,
    sessionToken: identity.sessionToken,
    expiration: identity.expiration,
    accountId: identity.accountId,
    source
  })

/** The files `fromSSO` reads the SSO token settings from: the ones credkit read. */
export interface FilePaths {
  readonly configFile?: string | undefined
  readonly credentialsFile?: string | undefined
}

/** Credentials of an SSO profile through `fromSSO` of `@aws-sdk/credential-provider-sso`. */
// Limitation: `fromSSO` finds the SSO token cache (`~/.aws/sso/cache`) through the process's own HOME (or
// USERPROFILE), not through the ConfigProvider, so a home directory given only to Effect's Config does not move
// it. Users see "the SSO session ... is invalid" if the two homes differ. A token-path option in the AWS SDK
// provider would lift it.
export const ssoCredentials = Effect.fn("ProfileCredentials.sso")(function* (base: SsoSource, files: FilePaths) {
  const factory = yield* StsClientFactory
  const label = `sso:${base.profile}`

  if (base.ssoAccountId === undefined || base.ssoRoleName === undefined) {
    return yield* CredentialsError.misconfigured(
      label,
      `profile "${base.profile}" signs in through SSO but names no role: sso_account_id and sso_role_name are not set`,
      { hint: "add sso_account_id and sso_role_name to the profile (aws configure sso writes them)" }
    )
  }
  const module = "@aws-sdk/credential-provider-sso"
  const { fromSSO } = yield* Effect.tryPromise({
    try: () => import("@aws-sdk/credential-provider-sso"),
    catch: loadFailure(label, module)
  })
  const provider = fromSSO({
    profile: base.profile,
    ssoStartUrl: base.ssoStartUrl,
    ssoRegion: base.ssoRegion,
    ssoAccountId: base.ssoAccountId,
    ssoRoleName: base.ssoRoleName,
    ...(base.ssoSession === undefined ? {} : { ssoSession: base.ssoSession }),
    ...(files.configFile === undefined ? {} : { configFilepath: files.configFile }),
    ...(files.credentialsFile === undefined ? {} : { filepath: files.credentialsFile }),
    clientConfig: factory.clientConfig
  })

  yield* Effect.logDebug(`${label}: getting role credentials from AWS IAM Identity Center`)
  const identity = yield* Effect.tryPromise({
    try: () => provider(),
    catch: (error) =>
      mapAwsError(label, `SSO sign-in of profile "${base.profile}" (${base.ssoStartUrl})`, error, undefined)
  })
  return toCredentials(identity, label)
})

export interface WebIdentityInput {
  readonly roleArn: string
  readonly webIdentityTokenFile: string
  readonly roleSessionName?: string | undefined
  /** Where the settings came from, for messages: `profile "A"` or `AWS_WEB_IDENTITY_TOKEN_FILE`. */
  readonly origin: string
  readonly settings: StsSettings
}

/** Credentials for a role from a web identity token file through `fromTokenFile`. */
export const webIdentityCredentials = Effect.fn("ProfileCredentials.webIdentity")(function* (input: WebIdentityInput) {
  const factory = yield* StsClientFactory
  const now = yield* Clock.currentTimeMillis

  const module = "@aws-sdk/credential-provider-web-identity"
  const { fromTokenFile } = yield* Effect.tryPromise({
    try: () => import("@aws-sdk/credential-provider-web-identity"),
    catch: loadFailure(WEB_IDENTITY, module)
  })
  const { settings } = input
  const provider = fromTokenFile({
    roleArn: input.roleArn,
    webIdentityTokenFile: input.webIdentityTokenFile,
    roleSessionName: input.roleSessionName ?? `credkit-${now}`,
    clientConfig: {
      region: settings.region,
      ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
      useFipsEndpoint: settings.useFipsEndpoint,
      useDualstackEndpoint: settings.useDualstackEndpoint,
      ...factory.clientConfig
    }
  })

  yield* Effect.logDebug(`${WEB_IDENTITY}: assuming ${input.roleArn} with the token in ${input.webIdentityTokenFile}`)
  const identity = yield* Effect.tryPromise({
    try: () => provider(),
    catch: (error) =>
      mapAwsError(
        WEB_IDENTITY,
        `AssumeRoleWithWebIdentity of ${input.roleArn} (${input.origin}, token file ${input.webIdentityTokenFile})`,
        error,
        "the role's trust policy must allow the token's issuer and audience (sts:AssumeRoleWithWebIdentity)"
      )
  })
  return toCredentials(identity, WEB_IDENTITY)
})
