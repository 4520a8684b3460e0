/**
 * Where an STS call goes: region, configured endpoint and FIPS / dual-stack flags, from options, environment
 * variables and the selected profile. Pure: the caller passes the environment and the parsed files.
 */
import {
  AWS_DEFAULT_REGION,
  AWS_ENDPOINT_URL,
  AWS_ENDPOINT_URL_STS,
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS,
  AWS_REGION,
  AWS_USE_DUALSTACK_ENDPOINT,
  AWS_USE_FIPS_ENDPOINT,
  type Environment
} from "./config.js"
import type { ProfileSection, ProfileSections } from "./parser.js"

/** The region used when none is configured, as the AWS SDKs' STS default does. */
export const DEFAULT_REGION = "us-east-1"
/** Profile keys. https://docs.aws.amazon.com/sdkref/latest/guide/settings-reference.html */
const REGION = "region"
const ENDPOINT_URL = "endpoint_url"
const SERVICES = "services"
const USE_FIPS_ENDPOINT = "use_fips_endpoint"
const USE_DUALSTACK_ENDPOINT = "use_dualstack_endpoint"
const IGNORE_CONFIGURED_ENDPOINT_URLS = "ignore_configured_endpoint_urls"
/** The STS entry of a `[services NAME]` section. https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html */
const STS_SERVICE = "sts"

/** What the STS client is built with. */
export interface StsSettings {
  readonly region: string
  readonly endpoint?: string | undefined
  readonly useFipsEndpoint: boolean
  readonly useDualstackEndpoint: boolean
}

export interface StsSettingsInput {
  readonly env: Environment
  /** The selected profile (its endpoint, FIPS and dual-stack keys, and region as the last resort). */
  readonly profileName: string
  readonly profile: ProfileSection | undefined
  readonly services: ProfileSections
  /** A region given in code: wins over everything. */
  readonly region?: string | undefined
  /** The `region` of the profile that names the role: after the environment, before the selected profile's. */
  readonly roleProfileRegion?: string | undefined
}

interface Setting {
  readonly value: string
  readonly origin: string
}

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== ""

const fromEnv = (env: Environment, name: keyof Environment): Setting | undefined => {
  const value = env[name]
  return present(value) ? { value: value.trim(), origin: name } : undefined
}

const own = <A>(record: Readonly<Record<string, A>> | undefined, key: string): A | undefined =>
  record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined

const fromProfile = (input: StsSettingsInput, key: string): Setting | undefined => {
  const value = own(input.profile, key)
  return typeof value === "string" && present(value)
    ? { value: value.trim(), origin: `${key} in profile "${input.profileName}"` }
    : undefined
}

/** `sts = endpoint_url = ...` in the `[services NAME]` section the profile names. */
const fromServices = (input: StsSettingsInput): Setting | undefined => {
  const name = own(input.profile, SERVICES)
  if (typeof name !== "string" || !present(name)) return undefined
  const sts = own(own(input.services, name.trim()), STS_SERVICE)
  const value = typeof sts === "object" ? own(sts, ENDPOINT_URL) : undefined
  return present(value)
    ? { value: value.trim(), origin: `sts ${ENDPOINT_URL} in [services ${name.trim()}]` }
    : undefined
}

const flag = (setting: Setting | undefined): boolean | string => {
  if (setting === undefined) return false
  const value = setting.value.toLowerCase()
  if (value === "true" || value === "false") return value === "true"
  return `${setting.origin} must be true or false`
}

const checkEndpoint = (setting: Setting | undefined): string | undefined => {
  if (setting === undefined) return undefined
  const url = URL.canParse(setting.value) ? new URL(setting.value) : undefined
  return url !== undefined && (url.protocol === "http:" || url.protocol === "https:")
    ? undefined
    : `${setting.origin} must be an http or https URL`
}

/**
 * Region: code, then `AWS_REGION`, `AWS_DEFAULT_REGION`, the role's profile, the selected profile, `us-east-1`.
 * Endpoint: `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, the profile's `[services]` entry for `sts`, its
 * `endpoint_url`; none of them when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or the profile key) is true.
 * Returns a problem naming the setting, never its value, when a setting is malformed.
 */
export const stsSettings = (input: StsSettingsInput): StsSettings | { readonly problem: string } => {
  const region =
    (present(input.region) ? input.region.trim() : undefined) ??
    fromEnv(input.env, AWS_REGION)?.value ??
    fromEnv(input.env, AWS_DEFAULT_REGION)?.value ??
    (present(input.roleProfileRegion) ? input.roleProfileRegion.trim() : undefined) ??
    fromProfile(input, REGION)?.value ??
    DEFAULT_REGION

  const ignore = flag(
    fromEnv(input.env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) ?? fromProfile(input, IGNORE_CONFIGURED_ENDPOINT_URLS)
  )
  if (typeof ignore === "string") return { problem: ignore }
  const endpoint = ignore
    ? undefined
    : (fromEnv(input.env, AWS_ENDPOINT_URL_STS) ??
      fromEnv(input.env, AWS_ENDPOINT_URL) ??
      fromServices(input) ??
      fromProfile(input, ENDPOINT_URL))
  const endpointProblem = checkEndpoint(endpoint)
  if (endpointProblem !== undefined) return { problem: endpointProblem }

  const useFipsEndpoint = flag(fromEnv(input.env, AWS_USE_FIPS_ENDPOINT) ?? fromProfile(input, USE_FIPS_ENDPOINT))
  if (typeof useFipsEndpoint === "string") return { problem: useFipsEndpoint }
  const useDualstackEndpoint = flag(
    fromEnv(input.env, AWS_USE_DUALSTACK_ENDPOINT) ?? fromProfile(input, USE_DUALSTACK_ENDPOINT)
  )
  if (typeof useDualstackEndpoint === "string") return { problem: useDualstackEndpoint }

  return { region, endpoint: endpoint?.value, useFipsEndpoint, useDualstackEndpoint }
}
