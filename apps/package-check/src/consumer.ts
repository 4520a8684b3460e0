/**
 * A consumer project outside the workspace: the packed tarballs installed with npm, as a user gets them, next to
 * the fixture scripts of `fixtures/consumer`.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

import { type ExecResult, exec } from "./exec.js"
import { CONSUMER_DEPENDENCIES } from "./expectations.js"
import { catalogVersion } from "./workspace.js"

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/consumer")

/** Fixture credentials (the example keys of the AWS documentation); they never leave the child processes. */
export const FIXTURE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  AWS_SESSION_TOKEN: "credkit-package-check-session-token"
} as const

// Variables pnpm sets for scripts; a consumer's npm must not inherit the workspace's settings. Where the registry
// is and how to reach it (registry, cache, proxies, certificates) is kept.
const PACKAGE_MANAGER_VARIABLE = /^(npm_|pnpm_)/i
const KEPT_NPM_SETTING =
  /^npm_config_(registry|cache|userconfig|globalconfig|proxy|https_proxy|noproxy|cafile|strict_ssl)$/i

/** The environment of npm in the consumer project: the caller's, less what the workspace's pnpm injected. */
export const npmEnvironment = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !PACKAGE_MANAGER_VARIABLE.test(name) || KEPT_NPM_SETTING.test(name))
  )

/**
 * The environment of a consumer script: nothing from the caller but PATH, a home of its own, shared files that do
 * not exist and no instance metadata, plus the given variables.
 */
export const consumerEnvironment = (project: string, variables: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const home = path.join(project, "home")
  return {
    PATH: process.env.PATH,
    ...(process.env.SYSTEMROOT === undefined ? {} : { SYSTEMROOT: process.env.SYSTEMROOT }),
    HOME: home,
    USERPROFILE: home,
    AWS_CONFIG_FILE: path.join(home, "no-such-dir", "config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, "no-such-dir", "credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    ...variables
  }
}

// Well above the usual 20–40 s; a stuck install is killed, so it fails with its output instead of a hook timeout.
const NPM_INSTALL_TIMEOUT_MS = 300_000

export interface ConsumerProject {
  readonly dir: string
  readonly install: ExecResult
}

/** Creates the project in the system temp folder and installs the tarballs there with one `npm install`. */
export const createConsumerProject = async (tarballs: ReadonlyArray<string>): Promise<ConsumerProject> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credkit-consumer-"))
  fs.mkdirSync(path.join(dir, "home"))
  fs.writeFileSync(
    path.join(dir, "package.json"),
    `${JSON.stringify({ name: "credkit-consumer", version: "0.0.0", private: true, type: "module" }, null, 2)}\n`
  )
  for (const file of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, file), path.join(dir, file))
  const dependencies = CONSUMER_DEPENDENCIES.map((name) => `${name}@${catalogVersion(name)}`)
  const install = await exec(
    "npm",
    ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs, ...dependencies],
    { cwd: dir, env: npmEnvironment(), timeout: NPM_INSTALL_TIMEOUT_MS }
  )
  return { dir, install }
}

// A script that has not printed its result by then is stuck (the checks make no network calls).
const SCRIPT_TIMEOUT_MS = 60_000

/** Runs a fixture script with the Node.js that runs the checks, allowed to connect to loopback addresses only. */
export const runScript = (
  project: string,
  script: string,
  variables: Record<string, string> = {},
  nodeOptions: ReadonlyArray<string> = []
) =>
  exec(process.execPath, [...nodeOptions, "--import", "./loopback-only.mjs", script], {
    cwd: project,
    env: consumerEnvironment(project, variables),
    timeout: SCRIPT_TIMEOUT_MS
  })

/** The JSON document a fixture script prints last (Effect's default logger may print lines before it). */
export const lastJsonLine = (stdout: string): unknown => {
  const line = stdout.trim().split("\n").at(-1) ?? ""
  return JSON.parse(line) as unknown
}

export interface RunningBin {
  /** The environment variable the emulator prints for its clients, and its value. */
  readonly variable: string
  readonly url: string
  readonly stop: () => void
}

// The emulators print their URL and then the variable line, e.g. `AWS_CONTAINER_CREDENTIALS_FULL_URI=http://...`.
const VARIABLE_LINE = /^([A-Z][A-Z0-9_]*)=(http:\/\/127\.0\.0\.1:\d+\S*)$/m
const BIN_START_TIMEOUT_MS = 20_000

/** Starts an installed bin of the consumer project (through its `node_modules/.bin` link) until it prints its URL. */
export const startBin = (project: string, bin: string, args: ReadonlyArray<string> = []): Promise<RunningBin> =>
  new Promise((resolve, reject) => {
    const child = spawn(path.join(project, "node_modules", ".bin", bin), args, {
      cwd: project,
      env: consumerEnvironment(project),
      shell: process.platform === "win32",
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error(`${bin} printed no URL within ${BIN_START_TIMEOUT_MS} ms:\n${output}`))
    }, BIN_START_TIMEOUT_MS)
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8")
      const match = VARIABLE_LINE.exec(output)
      if (match?.[1] === undefined || match[2] === undefined) return
      clearTimeout(timer)
      resolve({ variable: match[1], url: match[2], stop: () => child.kill() })
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`${bin} exited with ${code} before printing its URL:\n${output}`))
    })
  })
