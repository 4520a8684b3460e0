/**
 * The SSO base source of a profile: either the legacy form (all four `sso_*` keys in the profile) or
 * a profile naming an `[sso-session]` that holds `sso_start_url` and `sso_region`.
 */
import type { ChainPlanError, ProfileMap, ProfileProperties, SsoSource } from "./chainSources.js"
import { lookup, planError, text } from "./chainSources.js"

const SSO_KEYS = ["sso_session", "sso_start_url", "sso_region", "sso_account_id", "sso_role_name"] as const

/** Keys that live in the `[sso-session]` when the profile names one, and in the profile otherwise. */
const SESSION_KEYS = ["sso_start_url", "sso_region"] as const

/** Keys that live in the profile, never in the `[sso-session]`. */
const PROFILE_KEYS = ["sso_account_id", "sso_role_name"] as const

const invalid = (profile: string, message: string): ChainPlanError =>
  planError("InvalidConfiguration", profile, message)

const withOptional = (accountId: string | undefined, roleName: string | undefined) => ({
  ...(accountId === undefined ? {} : { ssoAccountId: accountId }),
  ...(roleName === undefined ? {} : { ssoRoleName: roleName })
})

/** `undefined` when the profile has no SSO settings at all. */
export const ssoSource = (
  name: string,
  profile: ProfileProperties,
  ssoSessions: ProfileMap
): SsoSource | ChainPlanError | undefined => {
  if (SSO_KEYS.every((key) => text(profile, key) === undefined)) return undefined
  const accountId = text(profile, "sso_account_id")
  const roleName = text(profile, "sso_role_name")
  if (roleName !== undefined && accountId === undefined) {
    return invalid(name, `profile "${name}" sets sso_role_name but not sso_account_id`)
  }
  if (accountId !== undefined && roleName === undefined) {
    return invalid(name, `profile "${name}" sets sso_account_id but not sso_role_name`)
  }

  const sessionName = text(profile, "sso_session")
  if (sessionName === undefined) {
    const missing = [...SESSION_KEYS, ...PROFILE_KEYS].filter((key) => text(profile, key) === undefined)
    if (missing.length > 0) {
      return invalid(name, `profile "${name}" sets SSO keys without sso_session but lacks ${missing.join(", ")}`)
    }
    return {
      kind: "Sso",
      profile: name,
      ssoStartUrl: text(profile, "sso_start_url") as string,
      ssoRegion: text(profile, "sso_region") as string,
      ...withOptional(accountId, roleName)
    }
  }

  const misplaced = SESSION_KEYS.find((key) => text(profile, key) !== undefined)
  if (misplaced !== undefined) {
    return invalid(name, `profile "${name}" sets ${misplaced}, which belongs in [sso-session ${sessionName}]`)
  }
  const session = lookup(ssoSessions, sessionName)
  if (session === undefined) {
    return invalid(name, `sso-session "${sessionName}" named by profile "${name}" was not found`)
  }
  const sessionLabel = `[sso-session ${sessionName}] (named by profile "${name}")`
  const foreign = PROFILE_KEYS.find((key) => text(session, key) !== undefined)
  if (foreign !== undefined) return invalid(name, `${sessionLabel} sets ${foreign}, which belongs in the profile`)
  const missing = SESSION_KEYS.filter((key) => text(session, key) === undefined)
  if (missing.length > 0) return invalid(name, `${sessionLabel} lacks ${missing.join(", ")}`)
  return {
    kind: "Sso",
    profile: name,
    ssoSession: sessionName,
    ssoStartUrl: text(session, "sso_start_url") as string,
    ssoRegion: text(session, "sso_region") as string,
    ...withOptional(accountId, roleName)
  }
}
