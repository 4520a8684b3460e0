/**
 * credkit against the AWS SDK v3 default chain, side by side in one run. Prints the markdown table on stdout
 * (progress on stderr) and writes the results as JSON, and the table as markdown beside it.
 *
 * Usage: node src/main.ts [--quick] [--rounds N] [--out bench-results/results.json]
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { cpus, loadavg, platform, release } from "node:os"
import { dirname, join, resolve } from "node:path"
import { parseArgs } from "node:util"

import { runBench } from "./bench.ts"
import { retryWhileRebuilding } from "./child.ts"
import { type Results, toMarkdown } from "./report.ts"

const APP_DIR = join(import.meta.dirname, "..")
const FULL_ROUNDS = 15
const QUICK_ROUNDS = 2
const FULL_SLOW_ROUNDS = 5
const FULL_CACHED_CALLS = 40_000
const QUICK_CACHED_CALLS = 10_000

// The packages whose versions the results record, read from this app's node_modules.
const PACKAGES = [
  "@credkit/credentials",
  "@credkit/core",
  "@credkit/env",
  "@credkit/ec2",
  "@credkit/testing",
  "@aws-sdk/credential-provider-node",
  "@smithy/credential-provider-imds",
  "effect",
  "esbuild"
]

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    out: { type: "string", default: join(APP_DIR, "bench-results", "results.json") }
  }
})

const quick = values.quick === true
const rounds = values.rounds === undefined ? (quick ? QUICK_ROUNDS : FULL_ROUNDS) : Number(values.rounds)
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds takes a whole number ≥ 1, got ${values.rounds}`)
const slowRounds = quick ? 1 : Math.min(rounds, FULL_SLOW_ROUNDS)

const versionOf = (name: string): string => {
  const manifest = JSON.parse(readFileSync(join(APP_DIR, "node_modules", name, "package.json"), "utf8"))
  return String(manifest.version)
}

const commit = (): string | null => {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: APP_DIR, encoding: "utf8" }).trim()
  } catch {
    return null
  }
}

// The scenarios import the workspace packages' built output; a missing dist would fail deep inside a child.
const assertBuilt = async () => {
  for (const name of PACKAGES.filter((candidate) => candidate.startsWith("@credkit/"))) {
    if (!existsSync(join(APP_DIR, "node_modules", name, "dist", "index.mjs"))) {
      throw new Error(`Cannot find module ${name}/dist/index.mjs: run \`pnpm build\` at the repository root first`)
    }
  }
}
const log = (line: string) => console.error(`[bench] ${line}`)
await retryWhileRebuilding(assertBuilt, log)

const started = performance.now()
const loadAtStart = loadavg()
const output = await runBench({
  rounds,
  slowRounds,
  cachedCalls: quick ? QUICK_CACHED_CALLS : FULL_CACHED_CALLS,
  log
})

const processors = cpus()
const results: Results = {
  date: new Date().toISOString(),
  mode: quick ? "quick" : "full",
  rounds,
  slowRounds,
  node: process.version,
  platform: `${platform()} ${release()} ${process.arch}`,
  cpus: { count: processors.length, model: processors[0]?.model.trim() ?? "unknown" },
  commit: commit(),
  loadAverage: { start: loadAtStart, end: loadavg() },
  packages: Object.fromEntries(PACKAGES.map((name) => [name, versionOf(name)])),
  baseline: output.baseline,
  metrics: output.metrics,
  durationSeconds: Math.round((performance.now() - started) / 1000)
}

const table = toMarkdown(results)
const out = resolve(values.out)
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`)
writeFileSync(out.replace(/\.json$/, "") + ".md", `${table}\n`)
console.log(table)
console.error(`[bench] wrote ${out} in ${results.durationSeconds} s`)
