/**
 * The run: builds the bundles, starts the loopback servers, then runs every scenario for credkit and for the AWS
 * SDK, interleaved round by round (the side that goes first alternates), and summarizes the samples.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

import { ImdsEmulator } from "@credkit/testing"

import { startBlackhole } from "./blackhole.ts"
import { buildBundles } from "./bundles.ts"
import {
  ENV_CREDENTIALS,
  makeSandbox,
  retryWhileRebuilding,
  runScenario as runOnce,
  SCENARIOS_DIR,
  scenarioEnv
} from "./child.ts"
import { METRICS } from "./metrics.ts"
import type { MetricResult } from "./report.ts"
import { credentialFetches, fixedCredentials, type Side, wholeSecondAfter } from "./scenarios/shared.ts"
import { isMet, ratio, type Summary, summarize } from "./stats.ts"

export interface BenchOptions {
  /** Rounds of the start-up, memory and cached-call scenarios. */
  readonly rounds: number
  /** Rounds of the scenarios that take seconds (request counts, near expiry, blackhole, IMDS down). */
  readonly slowRounds: number
  /** Calls per timed batch of the cached-call scenario. */
  readonly cachedCalls: number
  /** Progress lines. */
  readonly log: (line: string) => void
}

export interface BenchOutput {
  readonly metrics: ReadonlyArray<MetricResult>
  readonly baseline: { readonly startupMs: Summary; readonly peakRssMb: Summary }
}

type Samples = Record<Side, Array<number | string>>
type Details = Record<Side, Record<string, Array<unknown>>>

const KB = 1_000
const MB = 1_000_000
const KIB = 1_024
const CONCURRENT_CALLS = 1_000
const NEAR_EXPIRY_LEFT_MS = 4 * 60_000

const script = (name: string): string => join(SCENARIOS_DIR, name)
const num = (value: unknown, what: string): number => {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`scenario result ${what} is not a number`)
  return value
}

export const runBench = async (options: BenchOptions): Promise<BenchOutput> => {
  const samples = new Map<string, Samples>(METRICS.map((metric) => [metric.id, { credkit: [], aws: [] }]))
  const details = new Map<string, Details>()
  const record = (id: string, side: Side, value: number | string) => samples.get(id)![side].push(value)
  const note = (id: string, side: Side, key: string, value: unknown) => {
    const entry = details.get(id) ?? { credkit: {}, aws: {} }
    details.set(id, entry)
    ;(entry[side][key] ??= []).push(value)
  }
  const baseline = { ms: [] as Array<number>, rss: [] as Array<number> }
  const runScenario = (file: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
    retryWhileRebuilding(() => runOnce(file, args, env), options.log)

  const sandbox = makeSandbox()
  const buildDir = mkdtempSync(join(tmpdir(), "credkit-bench-build-"))
  const blackhole = await startBlackhole()
  const imds = await ImdsEmulator.start()
  try {
    options.log("building the esbuild bundles")
    const bundles = await retryWhileRebuilding(() => buildBundles(buildDir), options.log)
    for (const side of ["credkit", "aws"] as const) {
      const bundle = bundles[side]
      record("bundle-single-gzip", side, bundle.singleGzipBytes / KB)
      record("bundle-split-startup-gzip", side, bundle.splitStartupGzipBytes / KB)
      note("bundle-single-gzip", side, "rawBytes", bundle.singleBytes)
      note("bundle-single-gzip", side, "gzipBytes", bundle.singleGzipBytes)
      note("bundle-split-startup-gzip", side, "gzipBytes", bundle.splitStartupGzipBytes)
      note("bundle-split-startup-gzip", side, "startupFiles", bundle.splitStartupFiles)
      note("bundle-split-startup-gzip", side, "allChunksGzipBytes", bundle.splitTotalGzipBytes)
    }

    const envScenario = (credentials: boolean) =>
      scenarioEnv(sandbox, {
        imdsEndpoint: blackhole.url,
        imdsEnabled: false,
        credentials: credentials ? ENV_CREDENTIALS : undefined
      })
    const imdsScenario = (endpoint: string) => scenarioEnv(sandbox, { imdsEndpoint: endpoint, imdsEnabled: true })

    const startups = [
      { id: "startup-env-unbundled", file: (side: Side) => script(`startup-${side}.mjs`), imds: false },
      { id: "startup-env-bundled", file: (side: Side) => bundles[side].singleFile, imds: false },
      { id: "startup-imds-bundled", file: (side: Side) => bundles[side].singleFile, imds: true },
      { id: "startup-imds-unbundled", file: (side: Side) => script(`startup-${side}.mjs`), imds: true }
    ] as const

    const runStartup = async (startup: (typeof startups)[number], side: Side) => {
      imds.control.clearRequests()
      const result = await runScenario(
        startup.file(side),
        [],
        startup.imds ? imdsScenario(imds.url) : envScenario(true)
      )
      const expected = (startup.imds ? imds.control.current().accessKeyId : ENV_CREDENTIALS.AWS_ACCESS_KEY_ID).slice(-4)
      if (result.keySuffix !== expected)
        throw new Error(`${startup.id} (${side}) resolved other credentials than expected`)
      return result
    }

    options.log("warming up (one untimed run of each start-up scenario)")
    await runScenario(script("startup-empty.mjs"), [], envScenario(false))
    for (const startup of startups) for (const side of ["credkit", "aws"] as const) await runStartup(startup, side)

    for (let round = 1; round <= options.rounds; round++) {
      const order: ReadonlyArray<Side> = round % 2 === 1 ? ["credkit", "aws"] : ["aws", "credkit"]
      const slow = round <= options.slowRounds
      options.log(`round ${round}/${options.rounds}${slow ? " (with the multi-second scenarios)" : ""}`)

      const empty = await runScenario(script("startup-empty.mjs"), [], envScenario(false))
      baseline.ms.push(num(empty.ms, "ms"))
      baseline.rss.push((num(empty.maxRssKb, "maxRssKb") * KIB) / MB)

      for (const startup of startups) {
        for (const side of order) {
          const result = await runStartup(startup, side)
          record(startup.id, side, num(result.ms, "ms"))
          if (startup.id === "startup-env-unbundled") {
            record("peak-rss-env", side, (num(result.maxRssKb, "maxRssKb") * KIB) / MB)
          }
        }
      }

      for (const side of order) {
        const result = await runScenario(
          script("cached-call.ts"),
          [side, String(options.cachedCalls)],
          envScenario(true)
        )
        record("cached-call", side, num(result.ns, "ns"))
      }

      if (!slow) continue

      for (const side of order) {
        const result = await runScenario(script("imds-requests.ts"), [side], envScenario(false))
        record("imds-requests-first", side, num(result.first, "first"))
        record("imds-requests-refresh", side, num(result.refresh, "refresh"))
        note("imds-requests-first", side, "requests", result.paths)
      }

      for (const side of order) {
        const server = await ImdsEmulator.start()
        try {
          const result = await runScenario(
            script("concurrent-cold.ts"),
            [side, String(CONCURRENT_CALLS)],
            imdsScenario(server.url)
          )
          const requests = server.control.requests()
          record("concurrent-cold", side, credentialFetches(requests))
          note("concurrent-cold", side, "requests", requests.length)
          note("concurrent-cold", side, "resolvedCalls", result.resolved)
          note("concurrent-cold", side, "distinctCredentials", result.distinctKeys)
        } finally {
          await server.close()
        }
      }

      for (const side of order) {
        const server = await ImdsEmulator.start({
          credentials: fixedCredentials(wholeSecondAfter(NEAR_EXPIRY_LEFT_MS))
        })
        try {
          await runScenario(script("near-expiry.ts"), [side], imdsScenario(server.url))
          const requests = server.control.requests()
          record("near-expiry", side, credentialFetches(requests))
          note("near-expiry", side, "requests", requests.length)
        } finally {
          await server.close()
        }
      }

      for (const side of order) {
        const result = await runScenario(script("blackhole.ts"), [side], imdsScenario(blackhole.url))
        if (result.firstFailed !== true || result.secondFailed !== true) {
          throw new Error(`blackhole (${side}): credentials resolved although none exist`)
        }
        record("blackhole-first", side, num(result.firstMs, "firstMs"))
        record("blackhole-second", side, num(result.secondMs, "secondMs"))
      }

      for (const side of order) {
        const result = await runScenario(script("imds-down.ts"), [side], envScenario(false))
        record("imds-down-after-expiry", side, String(result.outcome))
      }
    }

    const metrics = METRICS.map((metric): MetricResult => {
      const sides = samples.get(metric.id)!
      const credkit = summarize(sides.credkit)
      const aws = summarize(sides.aws)
      const value = ratio(credkit, aws)
      return {
        id: metric.id,
        label: metric.label,
        unit: metric.unit,
        target: metric.targetText,
        credkit,
        aws,
        ratio: value,
        met: isMet(metric, credkit, value),
        details: details.get(metric.id)
      }
    })
    return { metrics, baseline: { startupMs: summarize(baseline.ms), peakRssMb: summarize(baseline.rss) } }
  } finally {
    await imds.close()
    await blackhole.close()
    rmSync(buildDir, { recursive: true, force: true })
    sandbox.remove()
  }
}
