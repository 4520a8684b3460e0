/**
 * Runs one scenario script as a fresh Node.js process with a clean environment and returns the JSON line it
 * prints. Neither SDK sees the developer's AWS configuration: HOME is an empty temporary directory, the config
 * and credentials files point at paths that do not exist, and only the variables a scenario sets are present.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const SCENARIOS_DIR = join(import.meta.dirname, "scenarios")

/** Environment credentials of the env scenarios: the AWS documentation's example keys, valid nowhere. */
export const ENV_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjEXAMPLE/bench/session/token"
} as const

export interface Sandbox {
  readonly home: string
  readonly remove: () => void
}

export const makeSandbox = (): Sandbox => {
  const home = mkdtempSync(join(tmpdir(), "credkit-bench-home-"))
  return { home, remove: () => rmSync(home, { recursive: true, force: true }) }
}

/**
 * The whole environment of a scenario process. `imdsEndpoint` is always a 127.0.0.1 URL: the emulator, or the
 * blackhole server where IMDS is disabled anyway, so neither SDK can reach 169.254.169.254.
 */
export const scenarioEnv = (
  sandbox: Sandbox,
  options: {
    readonly imdsEndpoint: string
    readonly imdsEnabled: boolean
    readonly credentials?: Readonly<Record<string, string>> | undefined
  }
): Record<string, string> => {
  if (!options.imdsEndpoint.startsWith("http://127.0.0.1:")) {
    throw new Error(`refusing a non-loopback IMDS endpoint: ${options.imdsEndpoint}`)
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: sandbox.home,
    USERPROFILE: sandbox.home,
    AWS_CONFIG_FILE: join(sandbox.home, "missing", "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(sandbox.home, "missing", "credentials"),
    AWS_EC2_METADATA_SERVICE_ENDPOINT: options.imdsEndpoint,
    AWS_EC2_METADATA_DISABLED: options.imdsEnabled ? "false" : "true",
    ...options.credentials
  }
  // Windows needs SystemRoot to start processes and resolve DNS at all.
  if (process.env.SystemRoot !== undefined) env.SystemRoot = process.env.SystemRoot
  return env
}

const CHILD_TIMEOUT_MS = 60_000
const STDERR_TAIL = 2_000
const REBUILD_RETRIES = 5
const REBUILD_WAIT_MS = 3_000

// What a run sees while a `pnpm build` elsewhere has emptied a workspace package's dist folder.
const isMissingBuild = (error: unknown): boolean =>
  error instanceof Error && /ERR_MODULE_NOT_FOUND|Cannot find module|Could not resolve/.test(error.message)

/**
 * Runs `task` again, a few seconds apart, while it fails because a workspace package is being rebuilt (its dist
 * is missing for a moment); any other failure is thrown at once.
 */
export const retryWhileRebuilding = async <A>(task: () => Promise<A>, log: (line: string) => void): Promise<A> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await task()
    } catch (error) {
      if (!isMissingBuild(error) || attempt > REBUILD_RETRIES) throw error
      log(`a workspace package is missing its build (being rebuilt?); retrying in ${REBUILD_WAIT_MS / 1000} s`)
      await new Promise((resolve) => setTimeout(resolve, REBUILD_WAIT_MS))
    }
  }
}

/** Runs `node <script> ...args` and resolves to the last JSON line of its output; rejects on a failure. */
export const runScenario = (
  script: string,
  args: ReadonlyArray<string>,
  env: Record<string, string>
): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const line = stdout
        .trim()
        .split("\n")
        .findLast((candidate) => candidate.startsWith("{"))
      if (code === 0 && line !== undefined) {
        resolve(JSON.parse(line) as Record<string, unknown>)
        return
      }
      const name = `${script.split(/[\\/]/).pop()} ${args.join(" ")}`
      reject(new Error(`${name} failed (exit ${code ?? signal}): ${stderr.slice(-STDERR_TAIL) || stdout}`))
    })
  })
