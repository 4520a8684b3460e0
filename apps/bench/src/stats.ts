/**
 * Summaries of the samples of one metric on one side, the credkit/AWS ratio and whether the target is met.
 */
import type { Metric } from "./metrics.ts"

export type Summary =
  | {
      readonly kind: "numeric"
      readonly median: number
      readonly min: number
      readonly max: number
      readonly samples: ReadonlyArray<number>
    }
  | {
      readonly kind: "outcome"
      /** The most frequent outcome. */
      readonly value: string
      readonly count: number
      readonly samples: ReadonlyArray<string>
    }

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export const summarize = (samples: ReadonlyArray<number | string>): Summary => {
  if (samples.length === 0) throw new Error("a metric without samples cannot be summarized")
  if (samples.every((sample) => typeof sample === "number")) {
    const numbers = samples as ReadonlyArray<number>
    return { kind: "numeric", median: median(numbers), min: Math.min(...numbers), max: Math.max(...numbers), samples }
  }
  const counts = new Map<string, number>()
  for (const sample of samples) counts.set(String(sample), (counts.get(String(sample)) ?? 0) + 1)
  const [value, count] = [...counts].sort((a, b) => b[1] - a[1])[0]!
  return { kind: "outcome", value, count, samples: samples.map(String) }
}

/** credkit's median divided by the AWS SDK's; `null` for outcomes or a zero reference. */
export const ratio = (credkit: Summary, aws: Summary): number | null =>
  credkit.kind === "numeric" && aws.kind === "numeric" && aws.median !== 0 ? credkit.median / aws.median : null

export const isMet = (metric: Metric, credkit: Summary, ratioValue: number | null): boolean => {
  const target = metric.target
  switch (target.kind) {
    case "ratio":
      return ratioValue !== null && ratioValue <= target.max
    case "limit":
      return credkit.kind === "numeric" && credkit[target.on] <= target.max
    case "outcome":
      return credkit.kind === "outcome" && credkit.samples.every((sample) => sample === target.expected)
  }
}
