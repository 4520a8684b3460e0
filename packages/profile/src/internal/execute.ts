/**
 * Runs a planned profile chain: resolves the base source, then assumes each role in order with the credentials of
 * the hop before. The adapters behind `credential_source` are imported only when a profile names them.
 */
import { AwsCredentials, CredentialsError, type CredentialsSource } from "@credkit/core"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

import type { AccessKeySource, AssumeRoleStep, BaseSource, NamedSource, ProfileChain } from "./chainPlan.js"
import { ssoCredentials, webIdentityCredentials } from "./delegated.js"
import { runCredentialProcess } from "./process.js"
import { rawSettings, type Selection, selectedSection } from "./selected.js"
import { assumeRole, type MfaCodeProvider } from "./sts.js"
import { type StsSettings, stsSettings } from "./stsSettings.js"

export interface ExecuteOptions {
  readonly mfaCodeProvider?: MfaCodeProvider | undefined
  readonly processTimeout: Duration.Duration
  /** The adapters behind `credential_source`, kept per profile source so their caches (IMDS token) survive. */
  readonly namedSources: Map<string, CredentialsSource.CredentialsSource>
}

/** The STS settings of one hop; `roleProfileRegion` is the region of the profile naming the role. */
export const stsSettingsOf = (
  selection: Selection,
  label: string,
  roleProfileRegion?: string | undefined,
  region?: string | undefined
): Effect.Effect<StsSettings, CredentialsError> => {
  const settings = stsSettings({
    env: selection.env,
    profileName: selection.locations.profile,
    profile: selectedSection(selection),
    services: selection.loaded.files.services,
    roleProfileRegion,
    region
  })
  return "problem" in settings
    ? Effect.fail(CredentialsError.misconfigured(label, settings.problem, { hint: "fix or unset the named setting" }))
    : Effect.succeed(settings)
}

const accessKey = (base: AccessKeySource) =>
  AwsCredentials.make({
    accessKeyId: base.accessKeyId,
    secretAccessKey: base.secretAccessKey,
    sessionToken: base.sessionToken,
    accountId: base.accountId,
    source: `profile:${base.profile}`
  })

/** The EC2 adapter's profile settings, from the selected profile's keys. */
const ec2Settings = (settings: Readonly<Record<string, string>> | undefined) => ({
  endpoint: settings?.ec2_metadata_service_endpoint,
  endpointMode: settings?.ec2_metadata_service_endpoint_mode,
  v1Disabled: settings?.ec2_metadata_v1_disabled,
  roleName: settings?.ec2_instance_profile_name,
  timeout: settings?.metadata_service_timeout,
  maxAttempts: settings?.metadata_service_num_attempts
})

const adapterOf = (base: NamedSource, selection: Selection): Promise<CredentialsSource.CredentialsSource> => {
  switch (base.source) {
    case "Environment":
      return import("@credkit/env").then((env) => env.EnvCredentials.source())
    case "EcsContainer":
      return import("@credkit/ecs").then((ecs) => ecs.ContainerCredentials.source())
    case "Ec2InstanceMetadata":
      return import("@credkit/ec2").then((ec2) =>
        ec2.Ec2Credentials.source({ profileSettings: ec2Settings(rawSettings(selection)) })
      )
  }
}

const importAdapter = (base: NamedSource, selection: Selection) =>
  Effect.tryPromise({
    try: () => adapterOf(base, selection),
    catch: (cause) =>
      CredentialsError.misconfigured(
        `profile:${base.profile}`,
        `the adapter for ${base.source} could not be loaded (${cause instanceof Error ? cause.message.slice(0, 200) : "unknown error"})`,
        { cause }
      )
  })

const namedSource = Effect.fnUntraced(function* (base: NamedSource, selection: Selection, options: ExecuteOptions) {
  const key =
    base.source === "Ec2InstanceMetadata"
      ? `${base.source}:${JSON.stringify(ec2Settings(rawSettings(selection)))}`
      : base.source
  const source = options.namedSources.get(key) ?? (yield* importAdapter(base, selection))
  options.namedSources.set(key, source)

  yield* Effect.logDebug(`profile:${base.profile}: credential_source ${base.source}`)
  // The profile asked for this source: finding nothing there is a broken profile, not a reason to move on.
  return yield* Effect.catch(source.resolve, (error) =>
    error.reason._tag === "Unavailable"
      ? Effect.fail(
          CredentialsError.misconfigured(
            `profile:${base.profile}`,
            `profile "${base.profile}" sets credential_source = ${base.source}, which found no credentials: ${error.reason.message}`,
            { hint: error.reason.hint, cause: error }
          )
        )
      : Effect.fail(error)
  )
})

const resolveBase = (base: BaseSource, selection: Selection, options: ExecuteOptions) => {
  switch (base.kind) {
    case "AccessKey":
      return Effect.succeed(accessKey(base))
    case "CredentialProcess":
      return runCredentialProcess(base, options.processTimeout)
    case "Sso":
      return ssoCredentials(base, selection.locations)
    case "NamedSource":
      return namedSource(base, selection, options)
    case "WebIdentityToken":
      return Effect.flatMap(stsSettingsOf(selection, "web-identity"), (settings) =>
        webIdentityCredentials({
          roleArn: base.roleArn,
          webIdentityTokenFile: base.webIdentityTokenFile,
          roleSessionName: base.roleSessionName,
          origin: `profile "${base.profile}"`,
          settings
        })
      )
  }
}

const hop = Effect.fnUntraced(function* (
  step: AssumeRoleStep,
  credentials: AwsCredentials.AwsCredentials,
  selection: Selection,
  options: ExecuteOptions
) {
  const label = `role:${step.profile}`
  const settings = yield* stsSettingsOf(selection, label, step.region)
  return yield* assumeRole({
    label,
    origin: `profile "${step.profile}"`,
    roleArn: step.roleArn,
    roleSessionName: step.roleSessionName,
    externalId: step.externalId,
    durationSeconds: step.durationSeconds,
    mfaSerial: step.mfaSerial,
    mfaCodeProvider: options.mfaCodeProvider,
    settings,
    credentials
  })
})

/** Runs the plan; the result carries the label of the last hop (`role:<name>`) or of the base source. */
export const executePlan = Effect.fnUntraced(function* (
  chain: ProfileChain,
  selection: Selection,
  options: ExecuteOptions
) {
  const [base, ...roles] = chain
  let credentials = yield* resolveBase(base, selection, options)
  for (const step of roles) credentials = yield* hop(step, credentials, selection, options)
  return credentials
})
