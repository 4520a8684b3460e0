/**
 * The one module that names the environment variables of the EC2 adapter and reads them, through Effect `Config`
 * at fetch time. Options win over environment variables, which win over profile keys, which win over defaults.
 */

import { CredentialsError, LiveConfig } from "@credkit/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

import type { Options } from "../Ec2Credentials.js"
import * as S from "./settings.js"

// Environment variables shared by the AWS SDKs:
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html
export const ENV_DISABLED = "AWS_EC2_METADATA_DISABLED"
export const ENV_ENDPOINT = "AWS_EC2_METADATA_SERVICE_ENDPOINT"
export const ENV_ENDPOINT_MODE = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"
export const ENV_V1_DISABLED = "AWS_EC2_METADATA_V1_DISABLED"
export const ENV_ROLE_NAME = "AWS_EC2_INSTANCE_PROFILE_NAME"
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-ec2-instance-metadata.html (seconds, attempts)
export const ENV_TIMEOUT = "AWS_METADATA_SERVICE_TIMEOUT"
export const ENV_ATTEMPTS = "AWS_METADATA_SERVICE_NUM_ATTEMPTS"
// The matching keys of ~/.aws/config; @credkit/profile reads them and passes them as `profileSettings`.
const PROFILE_ENDPOINT = "ec2_metadata_service_endpoint"
const PROFILE_ENDPOINT_MODE = "ec2_metadata_service_endpoint_mode"
const PROFILE_V1_DISABLED = "ec2_metadata_v1_disabled"
const PROFILE_ROLE_NAME = "ec2_instance_profile_name"
const PROFILE_TIMEOUT = "metadata_service_timeout"
const PROFILE_ATTEMPTS = "metadata_service_num_attempts"

// decisions §10: one second per attempt and three attempts unless configured.
const DEFAULT_TIMEOUT = Duration.seconds(1)
const DEFAULT_ATTEMPTS = 3

/** Everything one resolution needs to know, validated. */
export interface Settings {
  readonly endpoint: string
  readonly timeout: Duration.Duration
  readonly maxAttempts: number
  /** A configured role name: never rediscovered (decisions §8). */
  readonly roleName: S.Setting<string> | undefined
  /** Set when IMDSv1 fallback is turned off, with the origin that turned it off. */
  readonly v1Disabled: S.Setting<true> | undefined
}

const ENV_NAMES = [ENV_ENDPOINT, ENV_ENDPOINT_MODE, ENV_V1_DISABLED, ENV_ROLE_NAME, ENV_TIMEOUT, ENV_ATTEMPTS] as const

const setting = (
  values: Readonly<Record<string, string | undefined>>,
  name: string
): S.Setting<string | undefined> => ({
  value: values[name],
  origin: name
})

// Read through core's LiveConfig rather than `effect/Config`, which would load Schema on the IMDS start-up path.
const environment = Effect.map(LiveConfig.variables(ENV_NAMES), (values) => ({
  endpoint: setting(values, ENV_ENDPOINT),
  mode: setting(values, ENV_ENDPOINT_MODE),
  v1Disabled: setting(values, ENV_V1_DISABLED),
  roleName: setting(values, ENV_ROLE_NAME),
  timeout: setting(values, ENV_TIMEOUT),
  attempts: setting(values, ENV_ATTEMPTS)
}))

const opt = <A>(value: A | undefined, name: string): S.Setting<A> | undefined =>
  value === undefined ? undefined : { value, origin: `option ${name}` }

const profileKey = (value: string | boolean | undefined, key: string): S.Setting<string> | undefined =>
  value === undefined ? undefined : { value: String(value), origin: `profile key ${key}` }

const orFail = <A>(checked: S.Checked<A>): Effect.Effect<A, CredentialsError> =>
  checked.ok ? Effect.succeed(checked.value) : Effect.fail(misconfigured(checked.message))

const misconfigured = (message: string) =>
  CredentialsError.misconfigured("ec2", message, { hint: "fix or unset the named setting" })

/**
 * Fails with Unavailable when `AWS_EC2_METADATA_DISABLED` is true (decisions §11); read before anything else, so
 * nothing else is validated and no request is sent then.
 */
export const checkEnabled: Effect.Effect<void, CredentialsError> = Effect.gen(function* () {
  const raw = S.pick(setting(yield* Effect.orDie(LiveConfig.variables([ENV_DISABLED])), ENV_DISABLED))
  if (raw === undefined || !(yield* orFail(S.parseBoolean(raw)))) return
  return yield* CredentialsError.unavailable(
    "ec2",
    `IMDS is turned off by ${ENV_DISABLED}=${raw.value}; no request was sent`,
    {
      hint: `unset ${ENV_DISABLED} to use the instance role`
    }
  )
})

/** Reads and validates the settings for one resolution (decisions §10–11). */
export const load = Effect.fnUntraced(function* (options: Options | undefined) {
  const vars = yield* Effect.orDie(environment)
  const configured = options?.profileSettings
  const profile = Effect.isEffect(configured) ? yield* configured : configured

  const endpoint = yield* orFail(
    S.resolveEndpoint({
      endpoint: S.pick(
        opt(options?.endpoint, "endpoint"),
        vars.endpoint,
        profileKey(profile?.endpoint, PROFILE_ENDPOINT)
      ),
      mode: S.pick(
        opt(options?.endpointMode, "endpointMode"),
        vars.mode,
        profileKey(profile?.endpointMode, PROFILE_ENDPOINT_MODE)
      )
    })
  )

  const timeoutRaw = S.pick(vars.timeout, profileKey(profile?.timeout, PROFILE_TIMEOUT))
  const timeout =
    options?.timeout !== undefined
      ? yield* orFail(S.checkDuration(options.timeout, "option timeout"))
      : timeoutRaw === undefined
        ? DEFAULT_TIMEOUT
        : yield* orFail(S.parseSeconds(timeoutRaw))

  const attemptsRaw = S.pick(vars.attempts, profileKey(profile?.maxAttempts, PROFILE_ATTEMPTS))
  const maxAttempts =
    options?.maxAttempts !== undefined
      ? yield* orFail(S.checkAttempts(options.maxAttempts, "option maxAttempts"))
      : attemptsRaw === undefined
        ? DEFAULT_ATTEMPTS
        : yield* orFail(S.parseAttempts(attemptsRaw))

  const v1Raw = S.pick(vars.v1Disabled, profileKey(profile?.v1Disabled, PROFILE_V1_DISABLED))
  const v1Disabled: S.Setting<true> | undefined =
    options?.v1Fallback !== undefined
      ? options.v1Fallback
        ? undefined
        : { value: true, origin: "option v1Fallback" }
      : v1Raw !== undefined && (yield* orFail(S.parseBoolean(v1Raw)))
        ? { value: true, origin: v1Raw.origin }
        : undefined

  const roleName = S.pick(
    opt(options?.roleName, "roleName"),
    vars.roleName,
    profileKey(profile?.roleName, PROFILE_ROLE_NAME)
  )

  return { endpoint, timeout, maxAttempts, roleName, v1Disabled } satisfies Settings
})
