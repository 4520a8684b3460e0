/**
 * The environment of each run: a temporary home directory with its own (empty or scenario-written) AWS config and
 * credentials files, and nothing of the developer's AWS settings. Scenario variables are added on top.
 */
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"

export interface Home {
  readonly dir: string
  readonly configFile: string
  readonly credentialsFile: string
}

/** A new home directory under `parent` with an empty `.aws` folder. */
export const makeHome = async (parent: string, name: string): Promise<Home> => {
  const dir = await Fs.mkdtemp(Path.join(parent, `${name}-`))
  await Fs.mkdir(Path.join(dir, ".aws"))
  return { dir, configFile: Path.join(dir, ".aws", "config"), credentialsFile: Path.join(dir, ".aws", "credentials") }
}

/** A temporary directory for one demo or test run. */
export const makeWorkDir = (name: string): Promise<string> => Fs.mkdtemp(Path.join(Os.tmpdir(), `${name}-`))

// Variables a child needs to start on each platform; nothing else is inherited.
const PASSED_THROUGH = ["PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP"]

/**
 * The base environment: the home directory, the AWS files inside it, a region, and no instance metadata unless a
 * scenario points `AWS_EC2_METADATA_SERVICE_ENDPOINT` at an emulator (then it drops `AWS_EC2_METADATA_DISABLED`).
 */
export const baseEnv = (home: Home, extra: Readonly<Record<string, string>> = {}): Record<string, string> => {
  const inherited = Object.fromEntries(
    PASSED_THROUGH.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name] as string]]))
  )
  const env: Record<string, string> = {
    ...inherited,
    HOME: home.dir,
    USERPROFILE: home.dir,
    AWS_CONFIG_FILE: home.configFile,
    AWS_SHARED_CREDENTIALS_FILE: home.credentialsFile,
    AWS_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
    ...extra
  }
  if (extra.AWS_EC2_METADATA_SERVICE_ENDPOINT !== undefined && extra.AWS_EC2_METADATA_DISABLED === undefined) {
    delete env.AWS_EC2_METADATA_DISABLED
  }
  return env
}
