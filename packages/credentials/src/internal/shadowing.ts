/**
 * decisions §4: when the environment holds keys and `AWS_PROFILE` is set too, the keys win and one warning per
 * process names both. Effect-free, so the Promise facade's environment fast path can use it without loading Effect;
 * the Effect chain shares the same once-per-process flag.
 */

/** Selects the profile; https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html */
export const AWS_PROFILE = "AWS_PROFILE"

/** The profile `AWS_PROFILE` sets, or `undefined` when it is unset or blank (blank counts as unset). */
export const explicitProfileOf = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value.trim()

/** The warning's text; names the profile and the variables, never a value of them. */
export const shadowingMessage = (profile: string): string =>
  `${AWS_PROFILE} is set to "${profile}" but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set too: ` +
  `the environment variables win; unset them to use profile "${profile}"`

/** The hint the `explain()` report attaches to the `env` attempt in that case. */
export const shadowingHint = (profile: string): string =>
  `${AWS_PROFILE}="${profile}" is ignored because the environment holds keys; unset AWS_ACCESS_KEY_ID and ` +
  "AWS_SECRET_ACCESS_KEY to use the profile"

let warned = false

/** True the first time it is called in this process (per copy of the package), false after. */
export const claimShadowingWarning = (): boolean => {
  if (warned) return false
  warned = true
  return true
}
