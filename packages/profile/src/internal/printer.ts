/**
 * Writes parsed profiles, sso-sessions and services back as config and credentials file text that
 * parses to the same structure. Content the file syntax cannot hold (a value with a leading space,
 * an empty sub-property list, ...) is refused rather than written differently.
 */
import { isValidIdentifier, trimWhitespace } from "./iniReader.js"
import type { ProfileSection, ProfileSections, ProfileValue } from "./parser.js"

export interface PrintedProfileFiles {
  readonly _tag: "PrintedProfileFiles"
  readonly configFile: string
  readonly credentialsFile: string
}

/** Names the section and property that cannot be written, never the value. */
export interface ProfilePrintError {
  readonly _tag: "ProfilePrintError"
  readonly message: string
}

export interface PrintProfileFilesInput {
  readonly profiles: ProfileSections
  readonly ssoSessions?: ProfileSections | undefined
  readonly services?: ProfileSections | undefined
}

/** Keys that `aws configure` writes to the credentials file; every other key goes to the config file. */
const CREDENTIALS_FILE_KEYS: ReadonlySet<string> = new Set([
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token"
])

/** The reader cuts a first-line value at `#`/`;` after whitespace (the value is printed after `= `). */
const COMMENT_AFTER_WHITESPACE = /(^|[ \t])[#;]/

const hasOuterWhitespace = (text: string): boolean => text !== trimWhitespace(text)

const nameProblem = (name: string): string | undefined => {
  if (!isValidIdentifier(name)) return "its name is not a valid identifier"
  if (name !== name.toLowerCase()) return "its name is not in lower case (names are read case-insensitively)"
  return undefined
}

const subPropertiesProblem = (value: Readonly<Record<string, string>>): string | undefined => {
  const entries = Object.entries(value)
  if (entries.length === 0) return "an empty sub-property list cannot be written"
  for (const [key, sub] of entries) {
    const problem = nameProblem(key)
    if (problem !== undefined) return `sub-property ${JSON.stringify(key)}: ${problem}`
    if (/[\r\n]/.test(sub) || hasOuterWhitespace(sub)) {
      return `sub-property ${key} has a line break or leading or trailing whitespace`
    }
  }
  return undefined
}

const valueProblem = (value: ProfileValue): string | undefined => {
  if (typeof value !== "string") return subPropertiesProblem(value)
  if (value.includes("\r")) return "the value contains a carriage return"
  const [first = "", ...rest] = value.split("\n")
  if (hasOuterWhitespace(first) || COMMENT_AFTER_WHITESPACE.test(first)) {
    return "its first line has leading or trailing whitespace, or '#'/';' after whitespace"
  }
  // An empty first line followed by indented lines reads back as sub-properties.
  if (rest.length > 0 && first === "") return "a multi-line value cannot start with an empty line"
  if (rest.some((line) => line === "" || hasOuterWhitespace(line))) {
    return "a continuation line is empty or has leading or trailing whitespace"
  }
  return undefined
}

const printProperty = (key: string, value: ProfileValue): Array<string> => {
  if (typeof value !== "string") {
    return [
      `${key} =`,
      ...Object.entries(value).map(([sub, text]) => (text === "" ? `  ${sub} =` : `  ${sub} = ${text}`))
    ]
  }
  const [first = "", ...rest] = value.split("\n")
  return [first === "" ? `${key} =` : `${key} = ${first}`, ...rest.map((line) => `  ${line}`)]
}

type Entries = ReadonlyArray<readonly [string, ProfileValue]>

const printSection = (header: string, entries: Entries): string =>
  [`[${header}]`, ...entries.flatMap(([key, value]) => printProperty(key, value))].join("\n")

const check = (what: string, name: string, section: ProfileSection): string | undefined => {
  if (!isValidIdentifier(name)) return `${what} ${JSON.stringify(name)} cannot be written: its name is not valid`
  for (const [key, value] of Object.entries(section)) {
    const problem = nameProblem(key) ?? valueProblem(value)
    if (problem !== undefined) return `${what} ${JSON.stringify(name)}, property ${JSON.stringify(key)}: ${problem}`
  }
  return undefined
}

const joinSections = (sections: ReadonlyArray<string>): string =>
  sections.length === 0 ? "" : `${sections.join("\n\n")}\n`

/**
 * Prints `parseProfileFiles` output as two files. Static keys go to the credentials file (as
 * `aws configure` does), everything else to the config file; parsing the result merges them back.
 */
export const printProfileFiles = (input: PrintProfileFilesInput): PrintedProfileFiles | ProfilePrintError => {
  const config: Array<string> = []
  const credentials: Array<string> = []
  const groups: ReadonlyArray<readonly [string, ProfileSections | undefined]> = [
    ["profile", input.profiles],
    ["sso-session", input.ssoSessions],
    ["services", input.services]
  ]
  for (const [kind, sections] of groups) {
    for (const [name, section] of Object.entries(sections ?? {})) {
      const problem = check(kind, name, section)
      if (problem !== undefined) return { _tag: "ProfilePrintError", message: problem }
      const entries = Object.entries(section)
      if (kind !== "profile") {
        config.push(printSection(`${kind} ${name}`, entries))
        continue
      }
      const inCredentials = entries.filter(([key]) => CREDENTIALS_FILE_KEYS.has(key))
      const inConfig = entries.filter(([key]) => !CREDENTIALS_FILE_KEYS.has(key))
      if (inConfig.length > 0 || inCredentials.length === 0) {
        config.push(printSection(name === "default" ? "default" : `profile ${name}`, inConfig))
      }
      if (inCredentials.length > 0) credentials.push(printSection(name, inCredentials))
    }
  }
  return { _tag: "PrintedProfileFiles", configFile: joinSections(config), credentialsFile: joinSections(credentials) }
}
