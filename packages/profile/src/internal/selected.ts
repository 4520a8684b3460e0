/**
 * The selected profile of one fetch: environment, file locations, parsed files, and the plan of how the profile
 * yields credentials, with the default-chain semantics of decisions §1–2 and §4 (absent → Unavailable, present
 * but wrong → Misconfigured).
 */
import { CredentialsError } from "@credkit/core"
import * as Effect from "effect/Effect"

import { type ChainPlanError, type ProfileChain, planProfileChain } from "./chainPlan.js"
import { type Environment, environment, homedir, platform } from "./config.js"
import { type LoadedFiles, loadProfileFiles } from "./files.js"
import { type FileLocations, resolveFileLocations } from "./locations.js"
import type { ProfileSection } from "./parser.js"

/** Which profile and files; each option wins over its environment variable. */
export interface SelectOptions {
  readonly profile?: string | undefined
  readonly configFile?: string | undefined
  readonly credentialsFile?: string | undefined
}

export interface Selection {
  readonly env: Environment
  readonly locations: FileLocations
  readonly loaded: LoadedFiles
  /** `profile:<name>`, the source of errors about the selection. */
  readonly label: string
}

/** Reads the environment and the (cached) files for the selected profile. */
export const select = Effect.fnUntraced(function* (options: SelectOptions | undefined) {
  const env = yield* environment

  const locations = resolveFileLocations({
    env,
    platform: platform(),
    homedir,
    profile: options?.profile,
    configFile: options?.configFile,
    credentialsFile: options?.credentialsFile
  })
  const label = `profile:${locations.profile}`

  const loaded = yield* loadProfileFiles(locations.configFile, locations.credentialsFile, label)
  return { env, locations, loaded, label } satisfies Selection
})

/** The merged properties of the selected profile, if it exists. */
export const selectedSection = (selection: Selection): ProfileSection | undefined => {
  const { profiles } = selection.loaded.files
  const name = selection.locations.profile
  return Object.hasOwn(profiles, name) ? profiles[name] : undefined
}

/** The selected profile's single-valued settings (sub-property blocks left out), on a record without prototype. */
export const rawSettings = (selection: Selection): Record<string, string> | undefined => {
  const section = selectedSection(selection)
  if (section === undefined) return undefined
  const settings: Record<string, string> = Object.create(null)
  for (const [key, value] of Object.entries(section)) if (typeof value === "string") settings[key] = value
  return settings
}

const configText = (locations: FileLocations): string => locations.configFile ?? "(no config file: no home directory)"

const credentialsText = (locations: FileLocations): string =>
  locations.credentialsFile ?? "(no credentials file: no home directory)"

/** The names shown in a "profile not found" hint. */
const MAX_NAMES_SHOWN = 10

const namesHint = (names: ReadonlyArray<string>): string => {
  if (names.length === 0) return "no profiles are defined in these files"
  const shown = names.slice(0, MAX_NAMES_SHOWN).join(", ")
  const more = names.length > MAX_NAMES_SHOWN ? ` and ${names.length - MAX_NAMES_SHOWN} more` : ""
  return `available profiles: ${shown}${more}`
}

const HINTS: Readonly<Record<ChainPlanError["_tag"], string>> = {
  ProfileNotFound: "",
  NoCredentials: "",
  SourceProfileNotFound: "define that profile, or point source_profile at an existing one",
  CredentialLoop: "make one profile of the loop use static keys or credential_source",
  InvalidConfiguration: "fix the profile key named"
}

/**
 * Plans the selected profile. No files or a missing profile when none was chosen by name, or a profile without
 * credentials settings: Unavailable, the chain moves on. Anything else that is wrong, including a profile chosen by
 * name that does not exist: Misconfigured.
 */
export const planSelected = (selection: Selection): Effect.Effect<ProfileChain, CredentialsError> => {
  const { locations, loaded, label } = selection
  const files = `${configText(locations)} or ${credentialsText(locations)}`
  if (!loaded.configExists && !loaded.credentialsExists) {
    const neither = `neither ${configText(locations)} nor ${credentialsText(locations)} exists`
    // A profile chosen by name that cannot exist is a configuration error (decisions §2): falling through to
    // another identity would hide it.
    if (locations.profileSource !== "default") {
      const by = locations.profileSource === "option" ? "the profile option" : locations.profileSource
      return Effect.fail(
        CredentialsError.misconfigured(
          label,
          `profile "${locations.profile}" (chosen by ${by}) not found: ${neither}`,
          {
            hint: `create the profile, or unset ${by === "the profile option" ? "the option" : by}`
          }
        )
      )
    }
    return Effect.fail(
      CredentialsError.unavailable(label, `no profile files: ${neither}`, {
        hint: "to use a profile, run `aws configure` or write the keys to ~/.aws/credentials; AWS_PROFILE selects one"
      })
    )
  }
  const plan = planProfileChain(loaded.files.profiles, locations.profile, loaded.files.ssoSessions)
  if (plan.ok) return Effect.succeed(plan.chain)

  const { error } = plan
  if (error._tag === "ProfileNotFound" && locations.profileSource === "default") {
    return Effect.fail(
      CredentialsError.unavailable(label, `profile "${locations.profile}" is not defined in ${files}`, {
        hint:
          Object.keys(loaded.files.profiles).length === 0
            ? "add a [default] profile, or set AWS_PROFILE to the profile to use"
            : `${namesHint(Object.keys(loaded.files.profiles))}; set AWS_PROFILE to use one of them`
      })
    )
  }
  if (error._tag === "ProfileNotFound") {
    const by = locations.profileSource === "option" ? "the profile option" : locations.profileSource
    return Effect.fail(
      CredentialsError.misconfigured(label, `profile "${locations.profile}" (chosen by ${by}) not found in ${files}`, {
        hint: namesHint(Object.keys(loaded.files.profiles))
      })
    )
  }
  if (error._tag === "NoCredentials") {
    return Effect.fail(CredentialsError.unavailable(label, `${error.message} (${files})`))
  }
  return Effect.fail(CredentialsError.misconfigured(label, `${error.message} (${files})`, { hint: HINTS[error._tag] }))
}
