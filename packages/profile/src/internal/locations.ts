/**
 * Where the shared config and credentials files live and which profile is selected, from an
 * environment map, a platform and a home-directory lookup (all injected; nothing is read here).
 * Rules follow the cross-SDK `file-location` suites and decisions §4.
 */
import * as path from "node:path"

/** Overrides the config file path. https://docs.aws.amazon.com/sdkref/latest/guide/file-location.html */
export const AWS_CONFIG_FILE = "AWS_CONFIG_FILE"
/** Overrides the credentials file path (same page). */
export const AWS_SHARED_CREDENTIALS_FILE = "AWS_SHARED_CREDENTIALS_FILE"
/** Selects the profile. https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html */
export const AWS_PROFILE = "AWS_PROFILE"
/** Selects the profile when `AWS_PROFILE` is unset or blank (AWS CLI and JS SDK compatibility). */
export const AWS_DEFAULT_PROFILE = "AWS_DEFAULT_PROFILE"
/** Home directory, consulted first on every platform (smithy `file-location` suite). */
const HOME = "HOME"
/** Windows home directory, after `HOME`. */
const USERPROFILE = "USERPROFILE"
/** Windows home drive and path, joined, after `USERPROFILE`. */
const HOMEDRIVE = "HOMEDRIVE"
const HOMEPATH = "HOMEPATH"

export const DEFAULT_PROFILE = "default"

/** `windows` (as in the shared suites) or a `process.platform` value; `win32` counts as Windows. */
export type Platform = NodeJS.Platform | "windows"

export interface ResolveFileLocationsInput {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly platform: Platform
  /** The runtime's own lookup (`os.homedir` in Node), used after the environment variables. */
  readonly homedir?: (() => string | undefined) | undefined
  /** An explicit profile name; wins over the environment. */
  readonly profile?: string | undefined
  /** Explicit file paths; win over the environment. `~` at the start expands to the home directory. */
  readonly configFile?: string | undefined
  readonly credentialsFile?: string | undefined
}

export type ProfileSource = "option" | "AWS_PROFILE" | "AWS_DEFAULT_PROFILE" | "default"

export type FileSource = "option" | "AWS_CONFIG_FILE" | "AWS_SHARED_CREDENTIALS_FILE" | "home"

export interface FileLocations {
  /** Absent only when no override is set and no home directory can be found. */
  readonly configFile: string | undefined
  readonly configFileSource: FileSource
  readonly credentialsFile: string | undefined
  readonly credentialsFileSource: FileSource
  readonly profile: string
  readonly profileSource: ProfileSource
  readonly home: string | undefined
}

/** Blank values count as unset (decisions §4). */
const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== ""

const isWindows = (platform: Platform): boolean => platform === "windows" || platform === "win32"

const safeHomedir = (homedir: (() => string | undefined) | undefined): string | undefined => {
  if (homedir === undefined) return undefined
  try {
    const home = homedir()
    return present(home) ? home : undefined
  } catch {
    // `os.homedir()` throws when the user has no home entry: treated as "no home directory".
    return undefined
  }
}

const resolveHome = (input: ResolveFileLocationsInput): string | undefined => {
  const { env } = input
  const home = env[HOME]
  // Node's os.homedir() ignores HOME on Windows, so HOME is read here on every platform.
  if (present(home)) return home
  if (isWindows(input.platform)) {
    const profile = env[USERPROFILE]
    if (present(profile)) return profile
    const drive = env[HOMEDRIVE]
    const homePath = env[HOMEPATH]
    if (present(drive) && present(homePath)) return drive + homePath
  }
  return safeHomedir(input.homedir)
}

/**
 * Expands `~` alone or followed by a separator at the start of a path. `~user` is left as written.
 * Limitation: without a home directory a `~` path is returned unexpanded; the caller then reports
 * that file as missing under its literal name. Setting HOME (or USERPROFILE on Windows) lifts it.
 */
const expandHome = (file: string, home: string | undefined, windows: boolean): string => {
  if (home === undefined || !file.startsWith("~")) return file
  const rest = file.slice(1)
  if (rest === "") return home
  const separator = rest[0] === "/" || (windows && rest[0] === "\\")
  return separator ? (windows ? path.win32 : path.posix).join(home, rest.slice(1)) : file
}

const locate = (
  option: string | undefined,
  envName: "AWS_CONFIG_FILE" | "AWS_SHARED_CREDENTIALS_FILE",
  fileName: string,
  input: ResolveFileLocationsInput,
  home: string | undefined
): readonly [string | undefined, FileSource] => {
  const windows = isWindows(input.platform)
  if (present(option)) return [expandHome(option, home, windows), "option"]
  const fromEnv = input.env[envName]
  if (present(fromEnv)) return [expandHome(fromEnv, home, windows), envName]
  if (home === undefined) return [undefined, "home"]
  return [(windows ? path.win32 : path.posix).join(home, ".aws", fileName), "home"]
}

const selectProfile = (input: ResolveFileLocationsInput): readonly [string, ProfileSource] => {
  if (present(input.profile)) return [input.profile, "option"]
  const profile = input.env[AWS_PROFILE]
  if (present(profile)) return [profile, "AWS_PROFILE"]
  const fallback = input.env[AWS_DEFAULT_PROFILE]
  if (present(fallback)) return [fallback, "AWS_DEFAULT_PROFILE"]
  return [DEFAULT_PROFILE, "default"]
}

/** Resolves both file paths and the selected profile; the home directory is looked up once. */
export const resolveFileLocations = (input: ResolveFileLocationsInput): FileLocations => {
  const home = resolveHome(input)
  const [configFile, configFileSource] = locate(input.configFile, AWS_CONFIG_FILE, "config", input, home)
  const [credentialsFile, credentialsFileSource] = locate(
    input.credentialsFile,
    AWS_SHARED_CREDENTIALS_FILE,
    "credentials",
    input,
    home
  )
  const [profile, profileSource] = selectProfile(input)
  return { configFile, configFileSource, credentialsFile, credentialsFileSource, profile, profileSource, home }
}
