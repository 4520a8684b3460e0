/**
 * What the uploader prints: where the credentials came from (from `explain()`: source, expiry, the last four
 * characters of the key id, never a secret), the chain report when there are none, and the final summary, as text
 * or as one JSON document.
 */
import type { Report } from "@credkit/credentials"

import type { Problem } from "./errors.js"
import { formatBytes, formatRate, formatSeconds } from "./internal/format.js"
import type { Plan } from "./plan.js"
import type { RunResult } from "./upload.js"

const expiry = (iso: string | undefined, now: number): string => {
  if (iso === undefined) return "no expiration"
  const left = Math.round((Date.parse(iso) - now) / 1000)
  const inText = left >= 120 ? `${Math.round(left / 60)} min` : `${left} s`
  return `expires ${iso} (in ${inText})`
}

/** One line for found credentials; for none, the chain's attempts, one per line, with reasons and hints. */
export const credentialLines = (report: Report, now: number): ReadonlyArray<string> => {
  if (report.ok && report.credentials !== undefined) {
    const { accessKeyIdSuffix, expiration, accountId } = report.credentials
    const account = accountId === undefined ? "" : `, account ${accountId}`
    return [`credentials: ${report.source} (key …${accessKeyIdSuffix}, ${expiry(expiration, now)}${account})`]
  }
  return [
    "no credentials: the default chain found none. It tried:",
    ...report.attempts.flatMap((attempt) => [
      `  ${attempt.source.padEnd(13)} ${attempt.outcome.padEnd(11)} ${attempt.reason === undefined ? "" : `${attempt.reason}: `}${attempt.message ?? ""} (${attempt.elapsedMs} ms)`,
      ...(attempt.hint === undefined ? [] : [`  ${"".padEnd(13)} hint: ${attempt.hint}`])
    ])
  ]
}

export const planLines = (plan: Plan, destination: string): ReadonlyArray<string> => [
  `plan: ${plan.files.length} files, ${formatBytes(plan.bytes)} to ${destination}` +
    (plan.unreadable.length === 0 ? "" : ` (${plan.unreadable.length} unreadable)`),
  ...plan.files.map((file) => `  ${file.path} -> ${file.key} (${formatBytes(file.bytes)})`),
  ...plan.unreadable.map((entry) => `  ${entry.path}: ${entry.reason}`)
]

export const problemLines = (problem: Problem): ReadonlyArray<string> => [
  `error: ${problem.message}`,
  ...(problem.hint === undefined ? [] : [`hint: ${problem.hint}`])
]

/** The closing lines: counts, bytes, rate, and every failed object with its reason. */
export const summaryLines = (result: RunResult): ReadonlyArray<string> => {
  const verified = result.objects.filter((object) => object.status === "verified")
  const failed = result.objects.filter((object) => object.status === "failed")
  const bytes = verified.reduce((sum, object) => sum + object.bytes, 0)
  return [
    `uploaded and verified ${verified.length} of ${result.planned} objects, ${formatBytes(bytes)} in ` +
      `${formatSeconds(result.millis)} (${formatRate(bytes, result.millis)}); checksums: SHA-256`,
    ...(failed.length === 0 ? [] : [`failed (${failed.length}):`]),
    ...failed.map((object) => `  ${object.key}: ${object.problem?.message ?? "failed"}`)
  ]
}

export interface JsonInput {
  readonly exitCode: number
  readonly destination?: string | undefined
  readonly dryRun?: boolean | undefined
  readonly credentials?: Report | undefined
  readonly plan?: Plan | undefined
  readonly result?: RunResult | undefined
  readonly error?: Problem | undefined
}

/** The `--json` document: always `ok` and `exitCode`; the parts the run got to. */
export const jsonDocument = (input: JsonInput) => {
  const objects = input.result?.objects
  const verified = objects?.filter((object) => object.status === "verified") ?? []
  return {
    ok: input.exitCode === 0,
    exitCode: input.exitCode,
    ...(input.destination === undefined ? {} : { destination: input.destination }),
    ...(input.dryRun === true ? { dryRun: true } : {}),
    ...(input.credentials === undefined ? {} : { credentials: input.credentials }),
    ...(input.error === undefined ? {} : { error: input.error }),
    ...(input.plan === undefined || input.result !== undefined
      ? {}
      : {
          plan: {
            files: input.plan.files,
            unreadable: input.plan.unreadable,
            bytes: input.plan.bytes
          }
        }),
    ...(objects === undefined || input.result === undefined
      ? {}
      : {
          summary: {
            objects: input.result.planned,
            verified: verified.length,
            failed: input.result.planned - verified.length,
            bytes: verified.reduce((sum, object) => sum + object.bytes, 0),
            seconds: input.result.millis / 1000,
            checksum: "SHA256"
          },
          objects
        })
  }
}
