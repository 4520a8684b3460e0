/**
 * The metrics of the issue, in table order, with their targets. A ratio target bounds credkit's median divided
 * by the AWS SDK's; a limit target bounds credkit's own value (its median, or its worst run); an outcome target
 * names what credkit must do.
 */

export type Unit = "ms" | "KB" | "MB" | "ns" | "requests" | "fetches" | "outcome"

export type Target =
  | { readonly kind: "ratio"; readonly max: number }
  | { readonly kind: "limit"; readonly max: number; readonly on: "median" | "max" }
  | { readonly kind: "outcome"; readonly expected: string }

export interface Metric {
  readonly id: string
  readonly label: string
  readonly unit: Unit
  readonly target: Target
  /** The target as the issue states it. */
  readonly targetText: string
}

export const METRICS: ReadonlyArray<Metric> = [
  {
    id: "startup-env-unbundled",
    label: "process start → credentials from env vars, unbundled (node_modules)",
    unit: "ms",
    target: { kind: "ratio", max: 0.8 },
    targetText: "≤ 0.8×"
  },
  {
    id: "startup-env-bundled",
    label: "same, esbuild single-file bundle (minified)",
    unit: "ms",
    target: { kind: "ratio", max: 0.7 },
    targetText: "≤ 0.7×"
  },
  {
    id: "startup-imds-bundled",
    label: "process start → credentials from the IMDS emulator, esbuild bundle",
    unit: "ms",
    target: { kind: "ratio", max: 0.8 },
    targetText: "≤ 0.8×"
  },
  {
    id: "startup-imds-unbundled",
    label: "same, unbundled",
    unit: "ms",
    target: { kind: "ratio", max: 1.5 },
    targetText: "reported (bar ≤ 1.5×)"
  },
  {
    id: "bundle-single-gzip",
    label: "bundle of a handler using the default chain, esbuild minified, single file, gzip",
    unit: "KB",
    target: { kind: "ratio", max: 0.7 },
    targetText: "≤ 0.7×"
  },
  {
    id: "bundle-split-startup-gzip",
    label: "same with code splitting: what loads at start-up, gzip",
    unit: "KB",
    target: { kind: "ratio", max: 0.5 },
    targetText: "≤ 0.5×"
  },
  {
    id: "peak-rss-env",
    label: "peak RSS, env credentials (unbundled)",
    unit: "MB",
    target: { kind: "ratio", max: 1.0 },
    targetText: "≤ 1.0×"
  },
  {
    id: "cached-call",
    label: "cached call through the Promise provider (default chain, env credentials)",
    unit: "ns",
    target: { kind: "ratio", max: 1.0 },
    targetText: "≤ 1.0×"
  },
  {
    id: "imds-requests-first",
    label: "IMDS requests: first resolution",
    unit: "requests",
    target: { kind: "limit", max: 3, on: "max" },
    targetText: "≤ 3"
  },
  {
    id: "imds-requests-refresh",
    label: "IMDS requests: each later refresh",
    unit: "requests",
    target: { kind: "limit", max: 1, on: "max" },
    targetText: "≤ 1"
  },
  {
    id: "concurrent-cold",
    label: "1,000 concurrent cold calls through `fromInstanceMetadata()` alone (fetch sequences)",
    unit: "fetches",
    target: { kind: "limit", max: 1, on: "max" },
    targetText: "1 fetch sequence"
  },
  {
    id: "near-expiry",
    label: "credentials with 4 min left, 100 calls 20 ms apart (fetch sequences)",
    unit: "fetches",
    target: { kind: "limit", max: 2, on: "max" },
    targetText: "≤ 2 fetch sequences"
  },
  {
    id: "blackhole-first",
    label: "no credentials, blackholed IMDS: first failure",
    unit: "ms",
    target: { kind: "ratio", max: 0.65 },
    targetText: "≤ 0.65×"
  },
  {
    id: "blackhole-second",
    label: "no credentials, blackholed IMDS: a second one within 60 s",
    unit: "ms",
    target: { kind: "limit", max: 10, on: "median" },
    targetText: "≤ 10 ms"
  },
  {
    id: "imds-down-after-expiry",
    label: "IMDS down after the credentials expired, through the default chain",
    unit: "outcome",
    target: { kind: "outcome", expected: "serves (extended)" },
    targetText: "keeps serving (extended) where the reference throws"
  }
]
