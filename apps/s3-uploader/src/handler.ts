/**
 * A Lambda handler that stores each invocation's payload as a JSON object in S3, with credentials from the default
 * chain's Promise API (on Lambda: the function's environment variables). Bucket and prefix come from
 * `UPLOAD_BUCKET` and `UPLOAD_PREFIX`; `S3_ENDPOINT` (optional) selects an S3-compatible endpoint, path-style.
 * Bundled by `scripts/build-lambda.mjs` into one file, `dist/lambda/handler.mjs`.
 */
import { createHash, randomUUID } from "node:crypto"
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3"

import { fromDefaultChain } from "@credkit/credentials"

// The function's configuration (Lambda environment variables).
const UPLOAD_BUCKET = "UPLOAD_BUCKET"
const UPLOAD_PREFIX = "UPLOAD_PREFIX"
const S3_ENDPOINT = "S3_ENDPOINT"

export interface Stored {
  readonly bucket: string
  readonly key: string
  readonly bytes: number
  /** SHA-256 of the stored body, hex. */
  readonly sha256: string
  readonly etag: string | undefined
  /** Where the credentials came from (`env` on Lambda); never a secret. */
  readonly credentialsSource: string
}

interface Settings {
  readonly bucket: string
  readonly prefix: string
  readonly endpoint: string | undefined
}

const readSettings = (env: NodeJS.ProcessEnv): Settings => {
  const bucket = env[UPLOAD_BUCKET]?.trim()
  if (bucket === undefined || bucket === "")
    throw new Error(`${UPLOAD_BUCKET} is not set: name the bucket to store payloads in`)
  const prefix = env[UPLOAD_PREFIX]?.trim() ?? ""
  const endpoint = env[S3_ENDPOINT]?.trim()
  return {
    bucket,
    prefix: prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`,
    endpoint: endpoint === "" ? undefined : endpoint
  }
}

// Built on the first invocation and kept for the life of the execution environment, as Lambda reuses it.
interface Client {
  readonly settings: Settings
  readonly s3: S3Client
  readonly credentials: ReturnType<typeof fromDefaultChain>
}
let client: Client | undefined

const clientFor = (): Client => {
  if (client !== undefined) return client
  const settings = readSettings(process.env)
  const credentials = fromDefaultChain()
  const s3 = new S3Client({
    credentials,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint, forcePathStyle: true })
  })
  client = { settings, s3, credentials }
  return client
}

/** Stores `event` as `<prefix><ISO time>-<request id>.json` and says where. */
export const handler = async (event: unknown, context?: { readonly awsRequestId?: string }): Promise<Stored> => {
  const { settings, s3, credentials } = clientFor()
  const body = JSON.stringify(event ?? null)
  const key = `${settings.prefix}${new Date().toISOString()}-${context?.awsRequestId ?? randomUUID()}.json`
  const answer = await s3.send(
    new PutObjectCommand({
      Bucket: settings.bucket,
      Key: key,
      Body: body,
      ContentType: "application/json",
      ChecksumAlgorithm: "SHA256"
    })
  )
  return {
    bucket: settings.bucket,
    key,
    bytes: Buffer.byteLength(body),
    sha256: createHash("sha256").update(body).digest("hex"),
    etag: answer.ETag,
    // The provider caches: this is the identity that just signed the request.
    credentialsSource: (await credentials()).source
  }
}
