/**
 * Plans how a selected profile yields credentials: one base source followed by the roles to assume
 * in order (the selected profile's role last). Pure: it reads parsed profiles and runs nothing.
 * Rules follow the cross-SDK `assume-role-tests.json` suite and decisions §17–18.
 */
import type { AssumeRoleStep, BaseSource, ChainPlanError, ProfileMap, ProfileProperties } from "./chainSources.js"
import {
  accessKeys,
  assumeRoleStep,
  credentialProcess,
  isPlanError,
  lookup,
  namedSource,
  planError,
  scalarProblem,
  text,
  webIdentity
} from "./chainSources.js"
import { ssoSource } from "./chainSso.js"

export type * from "./chainSources.js"

/** The base source first, then the roles to assume in order. */
export type ProfileChain = readonly [BaseSource, ...ReadonlyArray<AssumeRoleStep>]

export type ChainPlan =
  | { readonly ok: true; readonly chain: ProfileChain }
  | { readonly ok: false; readonly error: ChainPlanError }

const fail = (error: ChainPlanError): ChainPlan => ({ ok: false, error })

/**
 * What a profile provides when it is not a chained role. `credential_source` only counts together
 * with `role_arn` (as in the AWS CLI and the JS SDK), so it is not read here.
 */
const baseSource = (name: string, profile: ProfileProperties, ssoSessions: ProfileMap): BaseSource | ChainPlanError => {
  // Static keys first, as the AWS CLI and the JS SDK do when a profile also sets other sources.
  const keys = accessKeys(name, profile)
  if (keys !== undefined) return keys
  if (text(profile, "web_identity_token_file") !== undefined) return webIdentity(name, profile)
  const sso = ssoSource(name, profile, ssoSessions)
  if (sso !== undefined) return sso
  const process = credentialProcess(name, profile)
  if (process !== undefined) return process
  const hint =
    text(profile, "credential_source") === undefined ? "" : "; credential_source is only used together with role_arn"
  return planError(
    "NoCredentials",
    name,
    `profile "${name}" has no credentials: it sets none of aws_access_key_id, role_arn, web_identity_token_file, ` +
      `sso_session, sso_start_url or credential_process${hint}`
  )
}

const finish = (
  base: BaseSource | ChainPlanError,
  roles: ReadonlyArray<AssumeRoleStep>,
  visited: ReadonlyArray<string>
): ChainPlan => {
  if (!isPlanError(base)) return { ok: true, chain: [base, ...[...roles].reverse()] }
  if (roles.length === 0 && visited.length < 2) return fail(base)
  // Once a role is configured, a profile that cannot provide credentials is a misconfiguration, never "absent".
  const tag = base._tag === "NoCredentials" ? "InvalidConfiguration" : base._tag
  const via = visited.length < 2 ? "" : ` (reached through source_profile: ${visited.join(" → ")})`
  return fail(planError(tag, base.profile, `${base.message}${via}`))
}

/**
 * Plans the chain for `selectedProfile`. On the selected profile `role_arn` wins over its static
 * keys; on `source_profile` hops static keys win; a profile naming itself as `source_profile` uses
 * its own keys as the base; any other cycle is an error naming the loop.
 */
export const planProfileChain = (
  profiles: ProfileMap,
  selectedProfile: string,
  ssoSessions: ProfileMap = {}
): ChainPlan => {
  if (lookup(profiles, selectedProfile) === undefined) {
    const none = Object.keys(profiles).length === 0 ? " (no profiles are defined)" : ""
    return fail(planError("ProfileNotFound", selectedProfile, `profile "${selectedProfile}" was not found${none}`))
  }
  const visited: Array<string> = []
  const roles: Array<AssumeRoleStep> = []
  let name = selectedProfile
  for (;;) {
    const profile = lookup(profiles, name)
    const previous = visited.at(-1) ?? selectedProfile
    if (profile === undefined) {
      const message = `source_profile "${name}" named by profile "${previous}" was not found`
      return fail(planError("SourceProfileNotFound", previous, message))
    }
    if (visited.includes(name)) {
      const message = `source_profile settings form an infinite loop: profile ${[...visited, name].join(" → ")}`
      return fail(planError("CredentialLoop", previous, message))
    }
    visited.push(name)
    const problem = scalarProblem(name, profile)
    if (problem !== undefined) return fail(problem)

    if (visited.length > 1) {
      const keys = accessKeys(name, profile)
      if (keys !== undefined) return finish(keys, roles, visited)
    }
    // With a web identity token file, role_arn is the role for that token, not a chained role.
    if (text(profile, "role_arn") === undefined || text(profile, "web_identity_token_file") !== undefined) {
      return finish(baseSource(name, profile, ssoSessions), roles, visited)
    }
    const step = assumeRoleStep(name, profile)
    if (isPlanError(step)) return finish(step, roles, visited)
    roles.push(step)

    const sourceProfile = text(profile, "source_profile")
    const credentialSource = text(profile, "credential_source")
    if (sourceProfile !== undefined && credentialSource !== undefined) {
      const message = `profile "${name}" sets both source_profile and credential_source; set only one`
      return finish(planError("InvalidConfiguration", name, message), roles, visited)
    }
    if (credentialSource !== undefined) return finish(namedSource(name, credentialSource), roles, visited)
    if (sourceProfile === undefined) {
      const message = `profile "${name}" sets role_arn but neither source_profile nor credential_source`
      return finish(planError("InvalidConfiguration", name, message), roles, visited)
    }
    if (sourceProfile === name) return finish(baseSource(name, profile, ssoSessions), roles, visited)
    name = sourceProfile
  }
}

const describeBase = (base: BaseSource): string => {
  const where = `(profile ${base.profile})`
  switch (base.kind) {
    case "AccessKey":
      return `static keys ${where}`
    case "NamedSource":
      return `credential_source ${base.source} ${where}`
    case "WebIdentityToken":
      return `web identity token for role ${base.roleArn} ${where}`
    case "Sso":
      return `SSO ${base.ssoSession === undefined ? base.ssoStartUrl : `session ${base.ssoSession}`} ${where}`
    case "CredentialProcess":
      return `credential_process ${where}`
  }
}

/** A one-line label of the plan, e.g. "static keys (profile base) → assume role arn:… (profile A)". No secrets. */
export const describeChain = (chain: ProfileChain): string => {
  const [base, ...roles] = chain
  const steps = roles.map((step) => `assume role ${step.roleArn} (profile ${step.profile})`)
  return [describeBase(base), ...steps].join(" → ")
}
