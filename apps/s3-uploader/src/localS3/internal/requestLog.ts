/**
 * What the front did with each request, for tests and the demo: counters by outcome and a log of recent requests.
 * Entries carry the method, the path (never the query, which may hold a presigned token), the last four characters
 * of the access key id, the outcome and the status. No secret is ever recorded.
 */
import type { S3ErrorCode } from "./s3Error.js"

// The log keeps this many recent entries; the counters count every request.
const MAX_ENTRIES = 10_000
// How much of an access key id a log entry keeps.
const KEY_SUFFIX_LENGTH = 4

/** `Accepted`: verified and forwarded to s3rver (whatever s3rver answered); otherwise the code the front sent. */
export type Outcome = "Accepted" | S3ErrorCode

export interface RequestRecord {
  readonly method: string
  readonly path: string
  readonly accessKeyIdSuffix: string | undefined
  readonly outcome: Outcome
  readonly status: number
}

/** Live counters: each read gives the current values. */
export interface LocalS3Stats {
  readonly accepted: number
  readonly rejected: number
  readonly rejectedByCode: Readonly<Partial<Record<S3ErrorCode, number>>>
}

export const keySuffix = (accessKeyId: string | undefined): string | undefined =>
  accessKeyId === undefined ? undefined : accessKeyId.slice(-KEY_SUFFIX_LENGTH)

export const make = () => {
  const entries: Array<RequestRecord> = []
  const byCode: Partial<Record<S3ErrorCode, number>> = {}
  let accepted = 0
  let rejected = 0

  const record = (entry: RequestRecord): void => {
    if (entry.outcome === "Accepted") accepted += 1
    else {
      rejected += 1
      byCode[entry.outcome] = (byCode[entry.outcome] ?? 0) + 1
    }
    entries.push(entry)
    if (entries.length > MAX_ENTRIES) entries.splice(0, entries.length - MAX_ENTRIES)
  }

  const stats: LocalS3Stats = {
    get accepted() {
      return accepted
    },
    get rejected() {
      return rejected
    },
    get rejectedByCode() {
      return { ...byCode }
    }
  }

  return { record, stats, requests: (): ReadonlyArray<RequestRecord> => entries.slice() }
}
