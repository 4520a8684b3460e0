/**
 * Running the built uploader CLI as a child and reading what it and the local S3 endpoint report: the CLI's
 * `--json` document, and which access keys signed the requests of one run and whether any was rejected.
 */
import type { LocalS3 } from "../localS3/index.js"
import { type ChildResult, type RunningChild, startNode } from "./child.js"
import { cliPath } from "./paths.js"

/** The part of the CLI's `--json` document the demo and the tests read. */
export interface UploaderDocument {
  readonly ok: boolean
  readonly exitCode: number
  readonly credentials?: {
    readonly ok: boolean
    readonly source?: string
    readonly credentials?: { readonly accessKeyIdSuffix: string; readonly expiration?: string }
    readonly attempts: ReadonlyArray<{ readonly source: string; readonly outcome: string; readonly message?: string }>
  }
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string }
  readonly summary?: {
    readonly objects: number
    readonly verified: number
    readonly failed: number
    readonly bytes: number
    readonly seconds: number
  }
  readonly objects?: ReadonlyArray<{
    readonly key: string
    readonly bytes: number
    readonly status: string
    readonly sha256?: string
    readonly multipart?: boolean
    readonly problem?: { readonly code: string; readonly message: string }
  }>
}

export interface UploaderRun {
  readonly app: string
  readonly s3: LocalS3
  readonly env: Readonly<Record<string, string>>
  readonly inputs: ReadonlyArray<string>
  readonly destination: string
  readonly args?: ReadonlyArray<string>
  /** `--json` output (the default); `false` for the text a person reads. */
  readonly json?: boolean
  /** Where the uploader sends requests; default the local S3 endpoint itself. */
  readonly endpoint?: string
  readonly timeoutMs?: number
}

/** Starts `node dist/cli.mjs <inputs> <destination> --endpoint <local S3> --path-style --json <args>`. */
export const startUploader = (run: UploaderRun): RunningChild =>
  startNode(
    [
      cliPath(run.app),
      ...run.inputs,
      run.destination,
      "--endpoint",
      run.endpoint ?? run.s3.url,
      "--path-style",
      ...(run.json === false ? [] : ["--json"]),
      ...(run.args ?? [])
    ],
    run.env,
    { timeoutMs: run.timeoutMs ?? 120_000 }
  )

/** The JSON document on the child's stdout, or `undefined` when there is none. */
export const documentOf = (result: ChildResult): UploaderDocument | undefined => {
  try {
    return JSON.parse(result.stdout) as UploaderDocument
  } catch {
    return undefined
  }
}

/** A mark in the local S3 endpoint's log; `since` tells what happened after it. */
export interface Mark {
  readonly requests: number
  readonly rejected: number
}

export const mark = (s3: LocalS3): Mark => ({ requests: s3.requests().length, rejected: s3.stats.rejected })

export const since = (s3: LocalS3, from: Mark) => {
  const requests = s3.requests().slice(from.requests)
  return {
    requests,
    rejected: s3.stats.rejected - from.rejected,
    /** Distinct access keys (by their last four characters) that signed accepted requests. */
    keys: new Set(requests.filter((r) => r.outcome === "Accepted").map((r) => r.accessKeyIdSuffix)).size
  }
}

/** Resolves once the local S3 endpoint accepted an upload after `from`, or when `child` ends first. */
export const firstUpload = (s3: LocalS3, from: Mark, child: RunningChild): Promise<boolean> =>
  new Promise((resolve) => {
    let finished = false
    const timer = setInterval(() => {
      const uploaded = s3
        .requests()
        .slice(from.requests)
        .some((r) => r.method === "PUT" && r.outcome === "Accepted")
      if (uploaded || finished) {
        clearInterval(timer)
        resolve(uploaded)
      }
    }, 10)
    void child.done.finally(() => {
      finished = true
    })
  })
