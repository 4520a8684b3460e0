#!/usr/bin/env node
// Bootstraps the project-local toolchain and hands over to pnpm + turbo.
// Runs on any Node >= 18 with npm: installs pnpm (and Node 24 when the system Node is older than
// the toolchain needs) into .tools/node_modules for this machine's platform, then runs a task.
//
//   node .tools/bootstrap.mjs test   -> install deps, turbo build/typecheck/lint/test/consistency, print "N passed, N failed"
//   node .tools/bootstrap.mjs demo   -> install deps, build, run the uploader demo
//   node .tools/bootstrap.mjs bench  -> install deps, build, run the benchmark (credkit against the AWS SDK)
//   node .tools/bootstrap.mjs exec -- <cmd...>  -> run a command with the toolchain and the workspace's bins on PATH
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { delimiter, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const NODE_VERSION = "24.22.3"
const PNPM_VERSION = "12.23.0"
const MIN_NODE = [22, 18]

const tools = dirname(fileURLToPath(import.meta.url))
const root = dirname(tools)
const bin = join(tools, "node_modules", ".bin")
const isWindows = process.platform === "win32"

const run = (cmd, args, options = {}) => {
  const result = spawnSync(cmd, args, { stdio: "inherit", shell: isWindows, ...options })
  if (result.error) throw result.error
  return result.status ?? 1
}

const systemNodeIsEnough = () => {
  const [major, minor] = process.versions.node.split(".").map(Number)
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])
}

// node-<platform>-<arch> packages carry the official Node binary for one platform.
const nodePackage = () => {
  const platform = isWindows ? "win" : process.platform
  return `node-${platform}-${process.arch}`
}

// The registry does not publish every Node release for every platform: take the pinned version when it exists
// for this one, else the newest 24.x that does.
const nodeVersionFor = (name) => {
  const view = (spec) => {
    const result = spawnSync("npm", ["view", spec, "version", "--json"], { encoding: "utf8", shell: isWindows })
    if (result.status !== 0 || !result.stdout.trim()) return []
    const parsed = JSON.parse(result.stdout)
    return Array.isArray(parsed) ? parsed : [parsed]
  }
  if (view(`${name}@${NODE_VERSION}`).length > 0) return NODE_VERSION
  const available = view(`${name}@24`)
  if (available.length > 0) return available[available.length - 1]
  console.error(
    `bootstrap: the registry has no Node.js 24 for ${process.platform}-${process.arch} (${name}); ` +
      `install Node.js ${MIN_NODE.join(".")} or later and run this command again`
  )
  process.exit(2)
}

const installedVersion = (name) =>
  JSON.parse(readFileSync(join(tools, "node_modules", name, "package.json"), "utf8")).version

const installed = (name) => existsSync(join(tools, "node_modules", name, "package.json"))

const ensureTools = () => {
  const wanted = { pnpm: PNPM_VERSION }
  if (!systemNodeIsEnough()) {
    const name = nodePackage()
    wanted[name] = installed(name) ? installedVersion(name) : nodeVersionFor(name)
  }
  const missing = Object.entries(wanted).filter(([name, version]) => {
    if (!installed(name)) return true
    const pkg = JSON.parse(readFileSync(join(tools, "node_modules", name, "package.json"), "utf8"))
    return pkg.version !== version
  })
  if (missing.length > 0) {
    const specs = missing.map(([name, version]) => `${name}@${version}`)
    console.log(`bootstrap: installing ${specs.join(", ")} into .tools/`)
    const status = run("npm", [
      "install",
      "--prefix",
      tools,
      "--no-save",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...Object.entries(wanted).map(([name, version]) => `${name}@${version}`)
    ])
    if (status !== 0) process.exit(status)
  }
  const workspaceBin = join(root, "node_modules", ".bin")
  const env = {
    ...process.env,
    PATH: `${bin}${delimiter}${workspaceBin}${delimiter}${process.env.PATH ?? ""}`,
    TURBO_TELEMETRY_DISABLED: "1"
  }
  // Without a project-local Node the system one (>= 22.18) runs everything.
  if (systemNodeIsEnough()) delete env.npm_config_node_gyp
  return env
}

const pnpm = (env, args) => run(isWindows ? "pnpm.cmd" : "pnpm", args, { cwd: root, env })

const installDeps = (env) => {
  const status = pnpm(env, ["install", "--frozen-lockfile", "--reporter=append-only"])
  if (status !== 0) process.exit(status)
}

// Sums the vitest JSON reports every package writes, so a run that executed no test is visible.
const summarize = () => {
  let passed = 0
  let failed = 0
  let skipped = 0
  let reports = 0
  for (const group of ["packages", "apps"]) {
    const dir = join(root, group)
    if (!existsSync(dir)) continue
    for (const name of readdirSync(dir)) {
      const file = join(dir, name, ".vitest-report.json")
      if (!existsSync(file)) continue
      const report = JSON.parse(readFileSync(file, "utf8"))
      reports++
      passed += report.numPassedTests ?? 0
      failed += (report.numFailedTests ?? 0) + (report.success === false && report.numFailedTests === 0 ? 1 : 0)
      skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
    }
  }
  return { passed, failed, skipped, reports }
}

const clearReports = () => {
  for (const group of ["packages", "apps"]) {
    const dir = join(root, group)
    if (!existsSync(dir)) continue
    for (const name of readdirSync(dir)) rmSync(join(dir, name, ".vitest-report.json"), { force: true })
  }
}

const [task = "test", ...rest] = process.argv.slice(2)
const env = ensureTools()
console.log(
  `bootstrap: node ${spawnSync("node", ["-v"], { env, shell: isWindows }).stdout?.toString().trim()}, pnpm ${PNPM_VERSION}`
)

if (task === "exec") {
  const args = rest[0] === "--" ? rest.slice(1) : rest
  process.exit(run(args[0], args.slice(1), { cwd: process.cwd(), env }))
}

installDeps(env)

if (task === "test") {
  clearReports()
  const status = pnpm(env, [
    "exec",
    "turbo",
    "run",
    "build",
    "typecheck",
    "lint",
    "test",
    "consistency",
    // Every test runs even when another package's lint fails, so the count below is complete.
    "--continue=dependencies-successful",
    "--output-logs=errors-only",
    ...rest
  ])
  const { passed, failed, skipped, reports } = summarize()
  if (reports === 0) console.log("no vitest report was written")
  console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`)
  process.exit(status !== 0 ? status : failed > 0 || passed === 0 ? 1 : 0)
} else if (task === "bench") {
  const status = pnpm(env, ["exec", "turbo", "run", "build", "--filter=@credkit/bench...", "--output-logs=errors-only"])
  if (status !== 0) process.exit(status)
  process.exit(pnpm(env, ["--filter", "@credkit/bench", "run", "bench", ...rest]))
} else if (task === "demo") {
  const status = pnpm(env, [
    "exec",
    "turbo",
    "run",
    "build",
    "--filter=@credkit/s3-uploader...",
    "--output-logs=errors-only"
  ])
  if (status !== 0) process.exit(status)
  process.exit(pnpm(env, ["--filter", "@credkit/s3-uploader", "run", "demo", ...rest]))
} else {
  console.error(`bootstrap: unknown task ${task}`)
  process.exit(2)
}
