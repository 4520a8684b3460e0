/**
 * Uploads a plan and verifies every object: the local file's SHA-256 first, then the upload through lib-storage
 * (one PutObject up to the part size, multipart above it) with the SDK's flexible checksum set to SHA-256, then
 * the object read back and its SHA-256 compared with the local one. A failure that concerns the whole run (missing
 * bucket, rejected credentials) stops the files not yet started.
 */
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import type { Readable } from "node:stream"
import { AbortMultipartUploadCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3"
import { Upload } from "@aws-sdk/lib-storage"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

import { describe, type Problem } from "./errors.js"
import type { Plan, PlannedFile } from "./plan.js"
import type { Progress } from "./progress.js"
import { S3 } from "./S3.js"

// Parts of one multipart upload in flight at once (lib-storage's default); `--concurrency` counts files.
// Limitation: lib-storage holds each part in memory, so a run may hold up to concurrency × 4 × part size (80 MiB at
// the defaults) and send as many requests at once. A shared part queue across files would lift it.
const PARTS_IN_FLIGHT = 4
// The object metadata entry that records the local file's SHA-256 (sent as `x-amz-meta-sha256`).
const SHA256_METADATA = "sha256"

export interface Target {
  readonly bucket: string
  readonly partSize: number
  readonly concurrency: number
  /** The credential source label, for messages. */
  readonly source: string | undefined
}

export interface ObjectResult {
  readonly file: string
  readonly key: string
  readonly bytes: number
  readonly status: "verified" | "failed"
  readonly sha256?: string | undefined
  readonly multipart?: boolean | undefined
  readonly problem?: Problem | undefined
}

export interface RunResult {
  /** Files and unreadable entries in the plan. */
  readonly planned: number
  /** The objects attempted (all planned ones, unless a failure of the whole run stopped it first). */
  readonly objects: ReadonlyArray<ObjectResult>
  /** A failure of the whole run, when there was one. */
  readonly problem?: Problem | undefined
  readonly millis: number
}

const sha256Of = (stream: Readable): Promise<{ readonly hex: string; readonly bytes: number }> =>
  new Promise((resolve, reject) => {
    const hash = createHash("sha256")
    let bytes = 0
    stream.on("data", (chunk: Buffer) => {
      hash.update(chunk)
      bytes += chunk.length
    })
    stream.once("error", reject)
    stream.once("end", () => resolve({ hex: hash.digest("hex"), bytes }))
  })

const attempt = <A>(run: (signal: AbortSignal) => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (error: unknown) => error })

// How long an interrupted run waits for S3 to drop the parts of an unfinished multipart upload.
const ABORT_TIMEOUT = Duration.seconds(5)

/** Drops the parts of an unfinished multipart upload, so an interrupted run leaves no billable leftovers. */
const abortPending = (client: S3Client, bucket: string, key: string, uploadId: string | undefined) =>
  uploadId === undefined
    ? Effect.void
    : Effect.promise((signal) =>
        client
          .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), {
            abortSignal: signal
          })
          .catch(() => undefined)
      ).pipe(Effect.timeout(ABORT_TIMEOUT), Effect.ignore)

const send = (file: PlannedFile, target: Target, sha256: string, progress: Progress) =>
  Effect.gen(function* () {
    const { client } = yield* S3
    let upload: Upload | undefined
    yield* attempt((signal) => {
      upload = new Upload({
        client,
        params: {
          Bucket: target.bucket,
          Key: file.key,
          Body: createReadStream(file.path),
          ChecksumAlgorithm: "SHA256",
          Metadata: { [SHA256_METADATA]: sha256 }
        },
        partSize: target.partSize,
        queueSize: PARTS_IN_FLIGHT,
        leavePartsOnError: false
      })
      const started = upload
      signal.addEventListener("abort", () => void started.abort().catch(() => undefined), { once: true })
      started.on("httpUploadProgress", (event) => progress.advance(file.key, event.loaded ?? 0))
      return started.done()
    }).pipe(Effect.onInterrupt(() => abortPending(client, target.bucket, file.key, upload?.uploadId)))
  })

const readBack = (target: Target, key: string) =>
  Effect.gen(function* () {
    const { client } = yield* S3
    return yield* attempt(async (signal) => {
      const answer = await client.send(
        new GetObjectCommand({ Bucket: target.bucket, Key: key, ChecksumMode: "ENABLED" }),
        {
          abortSignal: signal
        }
      )
      return sha256Of(answer.Body as Readable)
    })
  })

/**
 * Hash, upload, read back, compare. Fails with the first error, as it came.
 *
 * Limitation: every object is read back in full to compare its SHA-256, so each upload costs its size again in
 * download (and the GET permission). A `--no-verify` flag, or comparing S3's full-object SHA-256 checksum where S3
 * keeps one (single-part uploads), would lift it.
 */
const transfer = (file: PlannedFile, target: Target, progress: Progress) =>
  Effect.gen(function* () {
    const local = yield* attempt(() => sha256Of(createReadStream(file.path)))
    yield* send(file, target, local.hex, progress)
    const stored = yield* readBack(target, file.key)
    const mismatch =
      stored.hex !== local.hex
        ? `SHA-256 of the stored object (${stored.hex.slice(0, 12)}…) differs from the local file's (${local.hex.slice(0, 12)}…)`
        : undefined
    return { sha256: local.hex, bytes: local.bytes, mismatch }
  })

const failed = (file: { path: string; key: string }, bytes: number, problem: Problem): ObjectResult => ({
  file: file.path,
  key: file.key,
  bytes,
  status: "failed",
  problem
})

/** Checks that the bucket answers, so a missing bucket or rejected credentials are reported once, up front. */
const checkBucket = (target: Target, prefix: string) =>
  Effect.gen(function* () {
    const s3 = yield* S3
    const outcome = yield* Effect.result(
      attempt((signal) =>
        s3.client.send(new ListObjectsV2Command({ Bucket: target.bucket, Prefix: prefix, MaxKeys: 1 }), {
          abortSignal: signal
        })
      )
    )
    if (outcome._tag === "Success") return undefined
    const problem = describe(outcome.failure, { bucket: target.bucket, target: s3.target, source: target.source })
    // Listing may be denied to an identity that can still put objects: only failures of the whole run stop here.
    return problem.scope === "object" ? undefined : problem
  })

/** Uploads and verifies every planned file, `target.concurrency` files at a time. */
export const run = Effect.fn("Upload.run")(function* (plan: Plan, target: Target, prefix: string, progress: Progress) {
  const s3 = yield* S3
  const startedAt = yield* Clock.currentTimeMillis
  const unreadable = plan.unreadable.map((entry) =>
    failed(entry, 0, { code: "Unreadable", message: `cannot read ${entry.path}: ${entry.reason}`, scope: "object" })
  )
  const elapsed = Effect.map(Clock.currentTimeMillis, (now) => now - startedAt)
  const planned = plan.files.length + plan.unreadable.length

  const blocked = yield* checkBucket(target, prefix)
  if (blocked !== undefined)
    return { planned, objects: unreadable, problem: blocked, millis: yield* elapsed } satisfies RunResult

  let stopped: Problem | undefined
  const one = (file: PlannedFile) =>
    Effect.gen(function* () {
      if (stopped !== undefined) {
        return failed(file, file.bytes, {
          code: "NotAttempted",
          message: `not attempted: ${stopped.message}`,
          scope: "object"
        })
      }
      yield* Effect.sync(() => progress.start(file.key, file.bytes))
      const outcome = yield* Effect.result(transfer(file, target, progress))
      const where = { bucket: target.bucket, key: file.key, target: s3.target, source: target.source }
      const result: ObjectResult =
        outcome._tag === "Failure"
          ? failed(file, file.bytes, describe(outcome.failure, where))
          : outcome.success.mismatch !== undefined
            ? failed(file, outcome.success.bytes, {
                code: "VerificationFailed",
                message: outcome.success.mismatch,
                scope: "object"
              })
            : {
                file: file.path,
                key: file.key,
                bytes: outcome.success.bytes,
                status: "verified",
                sha256: outcome.success.sha256,
                multipart: outcome.success.bytes > target.partSize
              }
      if (result.problem !== undefined && result.problem.scope !== "object") stopped ??= result.problem
      yield* Effect.sync(() =>
        progress.finish(file.key, { ok: result.status === "verified", reason: result.problem?.message })
      )
      return result
    })

  yield* Effect.sync(() => progress.begin(plan.files.length, plan.bytes))
  const objects = yield* Effect.forEach(plan.files, one, { concurrency: target.concurrency }).pipe(
    Effect.ensuring(Effect.sync(() => progress.end()))
  )
  return { planned, objects: [...objects, ...unreadable], problem: stopped, millis: yield* elapsed } satisfies RunResult
})
