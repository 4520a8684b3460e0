/** Turns one uploader run into a table row, checking it against the bucket and the local S3 endpoint's log. */
import type { ChildResult } from "./child.js"
import { type DemoContext, listPrefix } from "./context.js"
import type { Row } from "./table.js"
import { documentOf, type since } from "./uploader.js"

const lastLines = (text: string, count: number) => text.trim().split("\n").slice(-count).join(" | ")

export interface RunCheck {
  readonly environment: string
  readonly prefix: string
  readonly result: ChildResult
  readonly observed: ReturnType<typeof since>
  /** Scenario-specific failures found by the caller. */
  readonly failures?: ReadonlyArray<string>
}

export const checkUploadRun = async (ctx: DemoContext, check: RunCheck): Promise<Row> => {
  const { result, observed } = check
  const document = documentOf(result)
  const failures = [...(check.failures ?? [])]
  if (result.code !== 0) {
    failures.push(
      `the uploader exited with ${result.code ?? result.signal}: ${document?.error?.message ?? lastLines(result.stderr, 3)}`
    )
  }
  const summary = document?.summary
  if (summary === undefined) failures.push("the uploader printed no summary")
  else if (summary.verified !== ctx.fileCount) {
    failures.push(`${summary.verified} of ${ctx.fileCount} objects verified`)
  }
  for (const object of document?.objects ?? []) {
    if (object.status !== "verified") failures.push(`${object.key}: ${object.problem?.message ?? object.status}`)
  }
  if (observed.rejected > 0) failures.push(`the local S3 endpoint rejected ${observed.rejected} requests`)
  const stored = await listPrefix(ctx, check.prefix)
  if (stored.count !== ctx.fileCount) failures.push(`${stored.count} objects in the bucket, ${ctx.fileCount} expected`)
  return {
    environment: check.environment,
    source: document?.credentials?.source ?? "-",
    objects: summary?.verified ?? 0,
    bytes: summary?.bytes ?? 0,
    seconds: result.millis / 1000,
    keys: observed.keys,
    verified: failures.length === 0,
    failures
  }
}

/** The uploader's credential line, as it reported it. */
export const credentialLine = (result: ChildResult): string => {
  const report = documentOf(result)?.credentials
  if (report?.ok !== true) return "no credentials"
  const expiration = report.credentials?.expiration
  return `${report.source} (key …${report.credentials?.accessKeyIdSuffix}${expiration === undefined ? "" : `, expires ${expiration}`})`
}
