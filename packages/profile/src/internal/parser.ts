/**
 * Parses the shared config and credentials files into profiles, sso-sessions and services, merged
 * as the AWS SDKs do. Pure: the caller reads the files. Output records have no prototype, so names
 * such as `__proto__` or `constructor` are ordinary keys.
 */
import type { ProfileFileWarning, ProfileParseError, RawSection, RawValue } from "./iniReader.js"
import { isValidIdentifier, readIniFile, trimWhitespace } from "./iniReader.js"

export type { ProfileFileWarning, ProfileParseError } from "./iniReader.js"

/** A property value: text, or sub-property name → text (`s3 =` followed by indented `k = v` lines). */
export type ProfileValue = string | Readonly<Record<string, string>>

/** Property name (lower case) → value. */
export type ProfileSection = Readonly<Record<string, ProfileValue>>

/** Section name → properties. */
export type ProfileSections = Readonly<Record<string, ProfileSection>>

export interface ProfileFiles {
  readonly _tag: "ProfileFiles"
  /** `[profile NAME]` / `[default]` of the config file merged with `[NAME]` of the credentials file. */
  readonly profiles: ProfileSections
  /** `[sso-session NAME]` of the config file. */
  readonly ssoSessions: ProfileSections
  /** `[services NAME]` of the config file (per-service settings such as `endpoint_url`). */
  readonly services: ProfileSections
  readonly warnings: ReadonlyArray<ProfileFileWarning>
}

export interface ParseProfileFilesInput {
  /** Text of the config file; absent when there is no config file. */
  readonly configFile?: string | undefined
  /** Text of the credentials file; absent when there is no credentials file. */
  readonly credentialsFile?: string | undefined
  /** Path used in errors and warnings. */
  readonly configPath?: string | undefined
  readonly credentialsPath?: string | undefined
}

type SectionKind = "profile" | "sso-session" | "services"

type Classified =
  | { readonly kind: SectionKind; readonly name: string; readonly unprefixedDefault: boolean }
  | { readonly kind: "ignored"; readonly reason: string }

type Store = Map<string, Map<string, RawValue>>

const NAME_RULE = "may only contain letters, digits and _ - / . % @ : +"

/** The name after `prefix` and at least one space or tab (`[profilefoo]` has no prefix). */
const afterPrefix = (header: string, prefix: string): string | undefined =>
  header.startsWith(prefix) && /^[ \t]/.test(header.slice(prefix.length))
    ? trimWhitespace(header.slice(prefix.length))
    : undefined

const named = (kind: SectionKind, header: string, name: string, unprefixedDefault = false): Classified => {
  if (isValidIdentifier(name)) return { kind, name, unprefixedDefault }
  const problem = name === "" ? "it has no name" : `its name ${JSON.stringify(name)} ${NAME_RULE}`
  return { kind: "ignored", reason: `Section [${header}] is ignored: ${problem}` }
}

const classifyConfig = (header: string): Classified => {
  if (header === "default") return named("profile", header, "default", true)
  for (const kind of ["profile", "sso-session", "services"] as const) {
    const name = afterPrefix(header, kind)
    if (name !== undefined) return named(kind, header, name)
  }
  return {
    kind: "ignored",
    reason:
      `Section [${header}] is ignored: the config file names sections ` +
      "[default], [profile NAME], [sso-session NAME] or [services NAME]"
  }
}

const classifyCredentials = (header: string): Classified =>
  afterPrefix(header, "profile") !== undefined
    ? {
        kind: "ignored",
        reason: `Section [${header}] is ignored: the credentials file names profiles [NAME], without 'profile'`
      }
    : named("profile", header, header)

const mergeInto = (store: Store, name: string, properties: Map<string, RawValue>): void => {
  const target = store.get(name) ?? new Map<string, RawValue>()
  for (const [key, value] of properties) target.set(key, value)
  store.set(name, target)
}

const toRecord = <A, B>(map: Map<string, A>, convert: (value: A) => B): Readonly<Record<string, B>> => {
  const record: Record<string, B> = Object.create(null)
  // With no prototype there is no `__proto__` setter: every key becomes an own property.
  for (const [key, value] of map) record[key] = convert(value)
  return record
}

const toValue = (value: RawValue): ProfileValue => (typeof value === "string" ? value : toRecord(value, String))

const toSections = (store: Store): ProfileSections => toRecord(store, (section) => toRecord(section, toValue))

interface FileSections {
  readonly profiles: Store
  readonly ssoSessions: Store
  readonly services: Store
  /** `[default]` of the config file, kept apart because `[profile default]` replaces it. */
  readonly unprefixedDefault: { readonly properties: Map<string, RawValue>; line: number } | undefined
}

const collect = (
  sections: ReadonlyArray<RawSection>,
  file: string,
  classify: (header: string) => Classified,
  warnings: Array<ProfileFileWarning>
): FileSections => {
  const stores: Record<SectionKind, Store> = { profile: new Map(), "sso-session": new Map(), services: new Map() }
  let unprefixedDefault: FileSections["unprefixedDefault"]
  const warn = (line: number, text: string) => warnings.push({ file, line, message: `${text} (${file}, line ${line})` })
  for (const section of sections) {
    const target = classify(section.header)
    if (target.kind === "ignored") {
      warn(section.line, target.reason)
      continue
    }
    for (const invalid of section.invalidNames) {
      const what = invalid.subProperty ? "Sub-property" : "Property"
      warn(invalid.line, `${what} is ignored: its name ${NAME_RULE}`)
    }
    if (target.unprefixedDefault) {
      unprefixedDefault ??= { properties: new Map(), line: section.line }
      for (const [key, value] of section.properties) unprefixedDefault.properties.set(key, value)
    } else {
      mergeInto(stores[target.kind], target.name, section.properties)
    }
  }
  return { profiles: stores.profile, ssoSessions: stores["sso-session"], services: stores.services, unprefixedDefault }
}

/**
 * Parses and merges both files. Duplicate sections merge (later keys win); the credentials file
 * wins a key both files set; in the config file `[profile default]` replaces `[default]` whatever
 * their order. Skipped sections and properties are reported as warnings with file and line.
 */
export const parseProfileFiles = (input: ParseProfileFilesInput): ProfileFiles | ProfileParseError => {
  const configPath = input.configPath ?? "config file"
  const credentialsPath = input.credentialsPath ?? "credentials file"
  const config = readIniFile(input.configFile ?? "", configPath)
  if ("_tag" in config) return config
  const credentials = readIniFile(input.credentialsFile ?? "", credentialsPath)
  if ("_tag" in credentials) return credentials

  const warnings: Array<ProfileFileWarning> = []
  const fromConfig = collect(config.sections, configPath, classifyConfig, warnings)
  const profiles = fromConfig.profiles
  const unprefixed = fromConfig.unprefixedDefault
  if (unprefixed !== undefined && profiles.has("default")) {
    const line = unprefixed.line
    const message = `Section [default] is ignored: [profile default] is also defined (${configPath}, line ${line})`
    warnings.push({ file: configPath, line, message })
  } else if (unprefixed !== undefined) {
    profiles.set("default", unprefixed.properties)
  }
  const fromCredentials = collect(credentials.sections, credentialsPath, classifyCredentials, warnings)
  for (const [name, properties] of fromCredentials.profiles) mergeInto(profiles, name, properties)

  return {
    _tag: "ProfileFiles",
    profiles: toSections(profiles),
    ssoSessions: toSections(fromConfig.ssoSessions),
    services: toSections(fromConfig.services),
    warnings
  }
}
