/**
 * AbortMultipartUpload (`DELETE /<bucket>/<key>?uploadId=…`), answered by the front: s3rver 3.7.1 routes it to
 * "method not allowed". The front removes the upload's parts from s3rver's directory and answers as S3 does.
 */
import * as Fs from "node:fs/promises"
import type * as Http from "node:http"
import * as Path from "node:path"

import { type Rejection, reject } from "./s3Error.js"
import { safeDecode } from "./url.js"

// The query parameter naming the upload (S3 AbortMultipartUpload).
const UPLOAD_ID_PARAM = "uploadId"
// Where s3rver 3.7.1's filesystem store keeps pending uploads: `<directory>/<bucket>/._S3rver_uploads/<uploadId>/`.
const S3RVER_UPLOADS_DIR = "._S3rver_uploads"
// s3rver issues upload ids of hex digits; anything else cannot name an upload (and cannot leave the directory).
const UPLOAD_ID = /^[0-9A-Za-z]{1,128}$/
// A bucket name as S3 allows it, so it cannot leave the directory either.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,62}$/

/**
 * The bucket and upload id when the request is an AbortMultipartUpload, else undefined.
 *
 * Limitation: the bucket is read from the path, so aborts need path-style addressing (`forcePathStyle: true`, which
 * every client of this endpoint uses); a virtual-hosted abort reaches s3rver and gets MethodNotAllowed. Reading the
 * bucket from the Host header as well would lift it.
 */
export const abortTarget = (
  method: string,
  rawPath: string,
  query: ReadonlyArray<readonly [string, string]>
): { readonly bucket: string; readonly uploadId: string } | undefined => {
  const uploadId = query.find(([key]) => key === UPLOAD_ID_PARAM)?.[1]
  const [, bucket, ...key] = rawPath.split("/")
  if (method !== "DELETE" || uploadId === undefined || bucket === undefined || key.join("/") === "") return undefined
  return { bucket: safeDecode(bucket), uploadId }
}

const exists = (path: string): Promise<boolean> =>
  Fs.stat(path).then(
    (stat) => stat.isDirectory(),
    () => false
  )

/** Removes the upload's parts; `NoSuchBucket` / `NoSuchUpload` when there is nothing to abort. */
export const abortUpload = async (
  directory: string,
  target: { readonly bucket: string; readonly uploadId: string }
): Promise<Rejection | undefined> => {
  const bucketDir = Path.join(directory, target.bucket)
  if (!BUCKET_NAME.test(target.bucket) || !(await exists(bucketDir))) return reject("NoSuchBucket")
  const uploadDir = Path.join(bucketDir, S3RVER_UPLOADS_DIR, target.uploadId)
  if (!UPLOAD_ID.test(target.uploadId) || !(await exists(uploadDir))) return reject("NoSuchUpload")
  await Fs.rm(uploadDir, { recursive: true, force: true })
  return undefined
}

/** S3 answers a successful abort with 204 No Content. */
export const sendAborted = (res: Http.ServerResponse): void => {
  res.writeHead(204)
  res.end()
}
