/**
 * The results document (JSON) and its markdown table.
 */
import { METRICS, type Unit } from "./metrics.ts"
import type { Summary } from "./stats.ts"

export interface MetricResult {
  readonly id: string
  readonly label: string
  readonly unit: Unit
  readonly target: string
  readonly credkit: Summary
  readonly aws: Summary
  /** credkit median / AWS SDK median. */
  readonly ratio: number | null
  readonly met: boolean
  /** Extra observations per side (request totals, resolved calls, bundle bytes, …), one entry per run. */
  readonly details?: { readonly credkit: Record<string, unknown>; readonly aws: Record<string, unknown> } | undefined
}

export interface Results {
  readonly date: string
  readonly mode: "full" | "quick"
  readonly rounds: number
  readonly slowRounds: number
  readonly node: string
  readonly platform: string
  readonly cpus: { readonly count: number; readonly model: string }
  readonly commit: string | null
  /** 1, 5 and 15 minute load averages when the run started and ended (0 on Windows): how busy the machine was. */
  readonly loadAverage: { readonly start: ReadonlyArray<number>; readonly end: ReadonlyArray<number> }
  readonly packages: Record<string, string>
  /** An empty script measured like the start-up scenarios, for scale. */
  readonly baseline: { readonly startupMs: Summary; readonly peakRssMb: Summary }
  readonly metrics: ReadonlyArray<MetricResult>
  readonly durationSeconds: number
}

const DECIMALS: Record<Unit, number> = { ms: 1, KB: 1, MB: 1, ns: 0, requests: 0, fetches: 0, outcome: 0 }
const SUFFIX: Record<Unit, string> = {
  ms: " ms",
  KB: " KB",
  MB: " MB",
  ns: " ns",
  requests: "",
  fetches: "",
  outcome: ""
}

const number = (value: number, unit: Unit): string => {
  const decimals = Number.isInteger(value) ? 0 : Math.max(DECIMALS[unit], 1)
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
}

export const formatSummary = (summary: Summary, unit: Unit): string => {
  if (summary.kind === "outcome") return `${summary.value} (${summary.count}/${summary.samples.length})`
  const median = `${number(summary.median, unit)}${SUFFIX[unit]}`
  if (summary.min === summary.max) return median
  return `${median} [${number(summary.min, unit)}–${number(summary.max, unit)}]`
}

// Two decimals, or two significant digits for ratios below 0.1 (1 fetch against 1,000 reads 0.001×, not 0.00×).
const formatRatio = (value: number | null): string =>
  value === null ? "—" : `${value >= 0.1 ? value.toFixed(2) : String(Number(value.toPrecision(2)))}×`

const escapeCell = (text: string): string => text.replaceAll("|", "\\|")

export const toMarkdown = (results: Results): string => {
  const header = [
    "| metric | credkit (median [min–max]) | AWS SDK (median [min–max]) | ratio | target | met? |",
    "| --- | --- | --- | --- | --- | --- |"
  ]
  const rows = results.metrics.map((metric) =>
    [
      "",
      escapeCell(metric.label),
      formatSummary(metric.credkit, metric.unit),
      formatSummary(metric.aws, metric.unit),
      formatRatio(metric.ratio),
      escapeCell(metric.target),
      metric.met ? "yes" : "**missed**",
      ""
    ]
      .join(" | ")
      .trim()
  )
  const missed = results.metrics.filter((metric) => !metric.met).length
  return [
    ...header,
    ...rows,
    "",
    `${results.metrics.length - missed} of ${results.metrics.length} targets met${missed > 0 ? `; ${missed} missed` : ""}.`,
    `Empty script on this machine: ${formatSummary(results.baseline.startupMs, "ms")} to start, ` +
      `${formatSummary(results.baseline.peakRssMb, "MB")} peak RSS.`,
    `${results.mode} run, ${results.rounds} rounds (${results.slowRounds} for the multi-second scenarios), ` +
      `Node.js ${results.node}, ${results.platform}, ${results.cpus.count} × ${results.cpus.model}, ` +
      `load average ${results.loadAverage.start[0]?.toFixed(1)} → ${results.loadAverage.end[0]?.toFixed(1)}, ${results.date}.`
  ].join("\n")
}

/** Every metric id of the catalog, for checking a results document. */
export const METRIC_IDS: ReadonlyArray<string> = METRICS.map((metric) => metric.id)
