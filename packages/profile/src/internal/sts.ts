/**
 * Assumes a role through `@aws-sdk/client-sts`, loaded on the first call (decisions §5). The client comes from a
 * `StsClientFactory` reference, so tests route every request to a recording or a loopback stand-in.
 */
import type { AssumeRoleCommandInput, AssumeRoleCommandOutput, STSClientConfig } from "@aws-sdk/client-sts"
import { AwsCredentials, CredentialsError } from "@credkit/core"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

import { mapAwsError } from "./awsErrors.js"
import type { StsSettings } from "./stsSettings.js"

/** An STS client reduced to the one call credkit makes. */
export interface StsClient {
  readonly assumeRole: (input: AssumeRoleCommandInput, signal: AbortSignal) => Promise<AssumeRoleCommandOutput>
  readonly destroy: () => void
}

/** Builds STS clients; `clientConfig` is added to every AWS SDK client credkit builds (STS, SSO, web identity). */
export interface StsClientFactoryShape {
  readonly make: (config: STSClientConfig) => Promise<StsClient>
  readonly clientConfig: Readonly<Record<string, unknown>>
}

/**
 * The default factory: `new STSClient(config)` from a dynamic import, with `clientConfig` (for example a
 * `requestHandler`) merged in.
 */
export const stsClientFactory = (clientConfig: Readonly<Record<string, unknown>> = {}): StsClientFactoryShape => ({
  clientConfig,
  make: (config) =>
    import("@aws-sdk/client-sts").then(({ AssumeRoleCommand, STSClient }) => {
      const client = new STSClient({ ...config, ...clientConfig })
      return {
        assumeRole: (input, signal) => client.send(new AssumeRoleCommand(input), { abortSignal: signal }),
        destroy: () => client.destroy()
      }
    })
})

/** The factory in use: a `Context.Reference` defaulting to `stsClientFactory()`. */
export const StsClientFactory = Context.Reference<StsClientFactoryShape>("@credkit/profile/StsClientFactory", {
  defaultValue: () => stsClientFactory()
})

/** A code for an MFA device, asked for each time a role with `mfa_serial` is assumed. */
export type MfaCodeProvider = (mfaSerial: string) => Promise<string>

export interface AssumeRoleInput {
  /** Source label of the result and of errors: `role:<profile>`. */
  readonly label: string
  /** Where the role was configured, for messages: `profile "A"` or `fromAssumeRole`. */
  readonly origin: string
  readonly roleArn: string
  readonly roleSessionName?: string | undefined
  readonly externalId?: string | undefined
  readonly durationSeconds?: number | undefined
  readonly mfaSerial?: string | undefined
  readonly mfaCodeProvider?: MfaCodeProvider | undefined
  readonly settings: StsSettings
  readonly credentials: AwsCredentials.AwsCredentials
}

const TRUST_HINT =
  "the role's trust policy must allow the calling identity to sts:AssumeRole (and, with external_id or " +
  "mfa_serial, the matching conditions); the caller also needs sts:AssumeRole permission on the role"

/** The account id is the fifth field of `arn:aws:sts::123456789012:assumed-role/R/s`. */
export const accountIdOf = (arn: string | undefined): string | undefined => {
  const account = arn?.split(":")[4]
  return account === undefined || account === "" ? undefined : account
}

const mfaCode = Effect.fnUntraced(function* (input: AssumeRoleInput) {
  if (input.mfaSerial === undefined) return {}
  const provider = input.mfaCodeProvider
  if (provider === undefined) {
    return yield* CredentialsError.misconfigured(
      input.label,
      `${input.origin} sets mfa_serial, so assuming ${input.roleArn} needs an MFA code, but no mfaCodeProvider was given`,
      { hint: "pass mfaCodeProvider (a function returning the current code), or remove mfa_serial from the profile" }
    )
  }
  const mfaSerial = input.mfaSerial
  const code = yield* Effect.tryPromise({
    try: () => provider(mfaSerial),
    catch: (cause) =>
      CredentialsError.misconfigured(input.label, `the mfaCodeProvider failed for ${mfaSerial}`, { cause })
  })
  return { SerialNumber: mfaSerial, TokenCode: code }
})

/** Calls `AssumeRole` with the given credentials and returns the role's credentials, labelled `input.label`. */
export const assumeRole = Effect.fn("ProfileCredentials.assumeRole")(function* (input: AssumeRoleInput) {
  const factory = yield* StsClientFactory
  const now = yield* Clock.currentTimeMillis

  const mfa = yield* mfaCode(input)
  const params: AssumeRoleCommandInput = {
    RoleArn: input.roleArn,
    RoleSessionName: input.roleSessionName ?? `credkit-${now}`,
    ...(input.externalId === undefined ? {} : { ExternalId: input.externalId }),
    ...(input.durationSeconds === undefined ? {} : { DurationSeconds: input.durationSeconds }),
    ...mfa
  }
  const { settings, credentials } = input
  const config: STSClientConfig = {
    region: settings.region,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    useFipsEndpoint: settings.useFipsEndpoint,
    useDualstackEndpoint: settings.useDualstackEndpoint,
    // The one place the source credentials leave Redacted: to sign the AssumeRole request.
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: Redacted.value(credentials.secretAccessKey),
      ...(credentials.sessionToken === undefined ? {} : { sessionToken: Redacted.value(credentials.sessionToken) })
    }
  }
  const where = settings.endpoint === undefined ? `STS in ${settings.region}` : `STS at ${settings.endpoint}`
  const what = `AssumeRole of ${input.roleArn} (${input.origin}) via ${where}`

  yield* Effect.logDebug(`${input.label}: assuming ${input.roleArn} via ${where}`)
  const output = yield* Effect.tryPromise({
    try: (signal) =>
      factory.make(config).then((client) => client.assumeRole(params, signal).finally(() => client.destroy())),
    catch: (error) => mapAwsError(input.label, what, error, TRUST_HINT)
  })

  const issued = output.Credentials
  if (issued?.AccessKeyId === undefined || issued.SecretAccessKey === undefined || issued.SessionToken === undefined) {
    return yield* CredentialsError.invalidResponse(input.label, `${what} returned no complete credentials`)
  }
  return AwsCredentials.make({
    accessKeyId: issued.AccessKeyId,
    secretAccessKey: issued.SecretAccessKey,
    sessionToken: issued.SessionToken,
    expiration: issued.Expiration,
    accountId: accountIdOf(output.AssumedRoleUser?.Arn),
    source: input.label
  })
})
