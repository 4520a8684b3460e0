/**
 * What every scenario shares: the local S3 endpoint, the issued-keys history, a staged copy of the repository's
 * package sources with a large generated file, and an inspector client that checks the bucket independently of
 * the uploader.
 */
import { randomBytes } from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3"

import type { LocalS3 } from "../localS3/index.js"
import type { IssuedKeys } from "./issued.js"

const MIB = 1024 * 1024
// Large enough for a multipart upload with 5 MiB parts (three parts).
export const LARGE_FILE_BYTES = 12 * MIB

export interface DemoContext {
  readonly app: string
  readonly work: string
  readonly s3: LocalS3
  readonly issued: IssuedKeys
  readonly bucket: string
  /** Staged sources: `<tree>/packages/<name>/{src/**,README.md}`. */
  readonly tree: string
  readonly largeFile: string
  /** Files under `tree` plus the large file. */
  readonly fileCount: number
  readonly inspector: S3Client
  readonly log: (line: string) => void
}

const SKIPPED_DIRS = new Set(["node_modules", "dist", ".turbo"])

/** Copies each package's `src` tree and `README.md` into `<work>/tree/packages`; returns the number of files. */
export const stageSources = async (repo: string, tree: string): Promise<number> => {
  const packages = Path.join(repo, "packages")
  let count = 0
  for (const name of (await Fs.readdir(packages)).sort()) {
    const from = Path.join(packages, name)
    const to = Path.join(tree, "packages", name)
    const src = Path.join(from, "src")
    if ((await Fs.stat(src).catch(() => undefined))?.isDirectory()) {
      await Fs.cp(src, Path.join(to, "src"), {
        recursive: true,
        filter: (path) => !SKIPPED_DIRS.has(Path.basename(path))
      })
    }
    await Fs.mkdir(to, { recursive: true })
    await Fs.copyFile(Path.join(from, "README.md"), Path.join(to, "README.md")).catch(() => undefined)
  }
  for (const entry of await Fs.readdir(tree, { recursive: true, withFileTypes: true })) if (entry.isFile()) count++
  return count
}

export const writeLargeFile = (path: string): Promise<void> => Fs.writeFile(path, randomBytes(LARGE_FILE_BYTES))

/** A client with the demo's own key, to list what the uploads left in the bucket. */
export const makeInspector = (s3: LocalS3): S3Client => {
  const credentials = { accessKeyId: "AKIADEMOINSPECTOR001", secretAccessKey: randomBytes(30).toString("base64") }
  s3.keys.add(credentials)
  return new S3Client({ endpoint: s3.url, forcePathStyle: true, region: "us-east-1", credentials })
}

/** Objects and bytes stored under `prefix`. */
export const listPrefix = async (ctx: DemoContext, prefix: string) => {
  let count = 0
  let bytes = 0
  let token: string | undefined
  do {
    const page = await ctx.inspector.send(
      new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: prefix, ContinuationToken: token })
    )
    for (const object of page.Contents ?? []) {
      count++
      bytes += object.Size ?? 0
    }
    token = page.NextContinuationToken
  } while (token !== undefined)
  return { count, bytes }
}
