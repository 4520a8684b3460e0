/**
 * The one module of this package that names environment variables and reads them: through the active
 * `ConfigProvider` when a fetch runs (`process.env` by default, a record in tests), never at import.
 */
import * as os from "node:os"

import { CredentialsError, LiveConfig } from "@credkit/core"
import * as Effect from "effect/Effect"

import { AWS_CONFIG_FILE, AWS_DEFAULT_PROFILE, AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE } from "./locations.js"

/** Region of the STS call. https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html */
export const AWS_REGION = "AWS_REGION"
/** Older spelling of the region variable, read after `AWS_REGION` (AWS CLI compatibility). */
export const AWS_DEFAULT_REGION = "AWS_DEFAULT_REGION"
/** Service-specific endpoint. https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html */
export const AWS_ENDPOINT_URL_STS = "AWS_ENDPOINT_URL_STS"
/** Global endpoint for every service (same page). */
export const AWS_ENDPOINT_URL = "AWS_ENDPOINT_URL"
/** Turns configured endpoints off (same page). */
export const AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
/** FIPS endpoints. https://docs.aws.amazon.com/sdkref/latest/guide/feature-endpoints.html */
export const AWS_USE_FIPS_ENDPOINT = "AWS_USE_FIPS_ENDPOINT"
/** Dual-stack endpoints (same page). */
export const AWS_USE_DUALSTACK_ENDPOINT = "AWS_USE_DUALSTACK_ENDPOINT"
/** Web identity from the environment. https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html */
export const AWS_WEB_IDENTITY_TOKEN_FILE = "AWS_WEB_IDENTITY_TOKEN_FILE"
export const AWS_ROLE_ARN = "AWS_ROLE_ARN"
export const AWS_ROLE_SESSION_NAME = "AWS_ROLE_SESSION_NAME"
/** Home directory variables, as the `file-location` vectors use them (see locations.ts). */
const HOME_VARIABLES = ["HOME", "USERPROFILE", "HOMEDRIVE", "HOMEPATH"] as const

const VARIABLES = [
  ...HOME_VARIABLES,
  AWS_CONFIG_FILE,
  AWS_SHARED_CREDENTIALS_FILE,
  AWS_PROFILE,
  AWS_DEFAULT_PROFILE,
  AWS_REGION,
  AWS_DEFAULT_REGION,
  AWS_ENDPOINT_URL_STS,
  AWS_ENDPOINT_URL,
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS,
  AWS_USE_FIPS_ENDPOINT,
  AWS_USE_DUALSTACK_ENDPOINT,
  AWS_WEB_IDENTITY_TOKEN_FILE,
  AWS_ROLE_ARN,
  AWS_ROLE_SESSION_NAME
] as const

/** The variables this package reads; absent ones are `undefined`, blank ones are left to the readers. */
export type Environment = Readonly<Record<(typeof VARIABLES)[number], string | undefined>>

/** Reads every variable of this package from the provider in context, or from the live process environment. */
export const environment: Effect.Effect<Environment, CredentialsError> = LiveConfig.variables(VARIABLES).pipe(
  Effect.mapError((cause) =>
    CredentialsError.misconfigured("profile", "the environment variables could not be read", { cause })
  )
)

/** The platform the files and `credential_process` follow. */
export const platform = (): NodeJS.Platform => process.platform

/** The runtime's own home-directory lookup, after the environment variables (locations.ts). */
export const homedir = (): string | undefined => os.homedir()
