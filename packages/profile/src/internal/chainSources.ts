/**
 * The building blocks of a profile chain plan: what one profile contributes (a base credentials
 * source or an assume-role step) and the planning errors. Property names are the profile-file keys.
 */

export type ProfileValue = string | Readonly<Record<string, string>>
export type ProfileProperties = Readonly<Record<string, ProfileValue>>
export type ProfileMap = Readonly<Record<string, ProfileProperties>>

/**
 * Static keys of a profile. `secretAccessKey` and `sessionToken` are plain strings only because this
 * module is pure and internal: the caller wraps them in `Redacted` at once and never logs the plan.
 */
export interface AccessKeySource {
  readonly kind: "AccessKey"
  readonly profile: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
  readonly accountId?: string
}

/** Values of `credential_source` (https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html). */
export const NAMED_SOURCES = ["Environment", "Ec2InstanceMetadata", "EcsContainer"] as const
export type NamedSourceName = (typeof NAMED_SOURCES)[number]

export interface NamedSource {
  readonly kind: "NamedSource"
  readonly profile: string
  readonly source: NamedSourceName
}

export interface WebIdentityTokenSource {
  readonly kind: "WebIdentityToken"
  readonly profile: string
  readonly roleArn: string
  readonly webIdentityTokenFile: string
  readonly roleSessionName?: string
}

/** SSO settings, with `ssoStartUrl`/`ssoRegion` taken from the `[sso-session]` when one is named. */
export interface SsoSource {
  readonly kind: "Sso"
  readonly profile: string
  readonly ssoSession?: string
  readonly ssoStartUrl: string
  readonly ssoRegion: string
  readonly ssoAccountId?: string
  readonly ssoRoleName?: string
}

export interface CredentialProcessSource {
  readonly kind: "CredentialProcess"
  readonly profile: string
  /** The command line as configured; may carry sensitive arguments, so it is never logged. */
  readonly command: string
  readonly accountId?: string
}

export type BaseSource = AccessKeySource | NamedSource | WebIdentityTokenSource | SsoSource | CredentialProcessSource

export interface AssumeRoleStep {
  readonly kind: "AssumeRole"
  readonly profile: string
  readonly roleArn: string
  readonly roleSessionName?: string
  readonly externalId?: string
  readonly durationSeconds?: number
  readonly mfaSerial?: string
  readonly region?: string
}

export type ChainPlanErrorTag =
  | "ProfileNotFound"
  | "SourceProfileNotFound"
  | "CredentialLoop"
  | "NoCredentials"
  | "InvalidConfiguration"

/** Names the profile (and for loops the path), never a property value that could be secret. */
export interface ChainPlanError {
  readonly _tag: ChainPlanErrorTag
  readonly message: string
  readonly profile: string
}

export const planError = (tag: ChainPlanErrorTag, profile: string, message: string): ChainPlanError => ({
  _tag: tag,
  message,
  profile
})

export const isPlanError = (value: object): value is ChainPlanError => "_tag" in value

/** An own property (inputs may be plain objects, where `constructor` would otherwise resolve). */
export const lookup = <A>(record: Readonly<Record<string, A>>, key: string): A | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined

/** A text property; blank counts as unset. Sub-property values are refused earlier by `scalarProblem`. */
export const text = (profile: ProfileProperties, key: string): string | undefined => {
  const value = lookup(profile, key)
  return typeof value === "string" && value.trim() !== "" ? value : undefined
}

/** Keys the planner reads; each must be a single value, not a block of sub-properties. */
const SCALAR_KEYS = [
  "role_arn",
  "source_profile",
  "credential_source",
  "role_session_name",
  "external_id",
  "duration_seconds",
  "mfa_serial",
  "region",
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_account_id",
  "web_identity_token_file",
  "credential_process",
  "sso_session",
  "sso_start_url",
  "sso_region",
  "sso_account_id",
  "sso_role_name"
]

export const scalarProblem = (name: string, profile: ProfileProperties): ChainPlanError | undefined => {
  const key = SCALAR_KEYS.find((candidate) => typeof lookup(profile, candidate) === "object")
  return key === undefined
    ? undefined
    : planError("InvalidConfiguration", name, `${key} in profile "${name}" has sub-properties; expected one value`)
}

const optional = <K extends string>(key: K, value: string | undefined): { readonly [P in K]?: string } =>
  (value === undefined ? {} : { [key]: value }) as { readonly [P in K]?: string }

/** Static keys, or `undefined` when the profile sets none of the three keys. */
export const accessKeys = (name: string, profile: ProfileProperties): AccessKeySource | ChainPlanError | undefined => {
  const accessKeyId = text(profile, "aws_access_key_id")
  const secretAccessKey = text(profile, "aws_secret_access_key")
  const sessionToken = text(profile, "aws_session_token")
  if (accessKeyId === undefined && secretAccessKey === undefined && sessionToken === undefined) return undefined
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    const missing = accessKeyId === undefined ? "aws_access_key_id" : "aws_secret_access_key"
    return planError("InvalidConfiguration", name, `profile "${name}" has partial static keys: ${missing} is missing`)
  }
  return {
    kind: "AccessKey",
    profile: name,
    accessKeyId,
    secretAccessKey,
    ...optional("sessionToken", sessionToken),
    ...optional("accountId", text(profile, "aws_account_id"))
  }
}

export const namedSource = (name: string, value: string): NamedSource | ChainPlanError => {
  const source = NAMED_SOURCES.find((candidate) => candidate === value)
  if (source !== undefined) return { kind: "NamedSource", profile: name, source }
  const allowed = NAMED_SOURCES.join(", ")
  return planError("InvalidConfiguration", name, `credential_source in profile "${name}" must be one of ${allowed}`)
}

export const webIdentity = (name: string, profile: ProfileProperties): WebIdentityTokenSource | ChainPlanError => {
  const roleArn = text(profile, "role_arn")
  if (roleArn === undefined) {
    return planError("InvalidConfiguration", name, `profile "${name}" sets web_identity_token_file but no role_arn`)
  }
  return {
    kind: "WebIdentityToken",
    profile: name,
    roleArn,
    webIdentityTokenFile: text(profile, "web_identity_token_file") ?? "",
    ...optional("roleSessionName", text(profile, "role_session_name"))
  }
}

/** STS accepts 900 s up to the role's maximum session duration, at most 12 h. */
const MIN_DURATION_SECONDS = 900
const MAX_DURATION_SECONDS = 43_200

export const assumeRoleStep = (name: string, profile: ProfileProperties): AssumeRoleStep | ChainPlanError => {
  const duration = text(profile, "duration_seconds")
  const seconds = duration === undefined ? undefined : Number(duration)
  if (
    seconds !== undefined &&
    !(/^\d+$/.test(duration ?? "") && seconds >= MIN_DURATION_SECONDS && seconds <= MAX_DURATION_SECONDS)
  ) {
    const range = `${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}`
    return planError("InvalidConfiguration", name, `duration_seconds in profile "${name}" must be ${range} seconds`)
  }
  return {
    kind: "AssumeRole",
    profile: name,
    roleArn: text(profile, "role_arn") ?? "",
    ...optional("roleSessionName", text(profile, "role_session_name")),
    ...optional("externalId", text(profile, "external_id")),
    ...(seconds === undefined ? {} : { durationSeconds: seconds }),
    ...optional("mfaSerial", text(profile, "mfa_serial")),
    ...optional("region", text(profile, "region"))
  }
}

export const credentialProcess = (name: string, profile: ProfileProperties): CredentialProcessSource | undefined => {
  const command = text(profile, "credential_process")
  if (command === undefined) return undefined
  return {
    kind: "CredentialProcess",
    profile: name,
    command,
    ...optional("accountId", text(profile, "aws_account_id"))
  }
}
