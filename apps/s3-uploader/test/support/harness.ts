/**
 * End-to-end test support: a local S3 endpoint that accepts the keys the emulators issued, a temporary work
 * directory, fixture trees, and runs of the built CLI as a child process. Everything started is closed after
 * each test.
 */
import { createHash, randomBytes } from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3"
import { afterEach, assert } from "@effect/vitest"

import { type ChildResult, killAll } from "../../src/demo/child.js"
import { baseEnv, type Home, makeHome, makeWorkDir } from "../../src/demo/environment.js"
import { type IssuedKeys, makeIssuedKeys } from "../../src/demo/issued.js"
import { appDir } from "../../src/demo/paths.js"
import { documentOf, startUploader, type UploaderDocument } from "../../src/demo/uploader.js"
import { type LocalS3, startLocalS3 } from "../../src/localS3/index.js"

export const BUCKET = "credkit-e2e"
export const APP = appDir(import.meta.dirname)

const cleanups: Array<() => Promise<unknown> | unknown> = []

/** Registers the after-each cleanup; call once per test file. */
export const useCleanup = () =>
  afterEach(async () => {
    killAll()
    for (const step of cleanups.splice(0).reverse()) await step()
  })

/** Closes `close` after the current test. */
export const track = (close: () => Promise<unknown> | unknown) => cleanups.push(close)

export interface Harness {
  readonly s3: LocalS3
  readonly issued: IssuedKeys
  readonly work: string
  /** A client with its own registered key, to look at the bucket independently of the uploader. */
  readonly inspector: S3Client
  readonly home: (name?: string) => Promise<Home>
}

export const startHarness = async (): Promise<Harness> => {
  const work = await makeWorkDir("credkit-e2e")
  track(() => Fs.rm(work, { recursive: true, force: true }))
  const issued = makeIssuedKeys()
  track(issued.stop)
  const s3 = await startLocalS3({ buckets: [BUCKET], resolveUnknown: issued.resolveUnknown })
  track(s3.close)
  const key = { accessKeyId: "AKIAE2EINSPECTOR0001", secretAccessKey: randomBytes(24).toString("base64") }
  s3.keys.add(key)
  const inspector = new S3Client({ endpoint: s3.url, forcePathStyle: true, region: "us-east-1", credentials: key })
  track(() => inspector.destroy())
  return { s3, issued, work, inspector, home: (name = "home") => makeHome(work, name) }
}

export interface Run {
  readonly result: ChildResult
  readonly document: UploaderDocument | undefined
  /** stdout and stderr together, for message and secret checks. */
  readonly output: string
}

/** Runs the built CLI against the harness's endpoint and waits for it. */
export const runUploader = async (
  harness: Harness,
  env: Readonly<Record<string, string>>,
  inputs: ReadonlyArray<string>,
  options: {
    readonly prefix?: string
    readonly bucket?: string
    readonly args?: ReadonlyArray<string>
    readonly json?: boolean
    readonly endpoint?: string
  } = {}
): Promise<Run> => {
  const result = await startUploader({
    app: APP,
    s3: harness.s3,
    env,
    inputs,
    destination: `s3://${options.bucket ?? BUCKET}/${options.prefix ?? ""}`,
    args: options.args ?? [],
    json: options.json ?? true,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint })
  }).done
  return {
    result,
    document: options.json === false ? undefined : documentOf(result),
    output: result.stdout + result.stderr
  }
}

export const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex")

/** A small tree: `<dir>/tree/{a.txt, nested/b.json, nested/deeper/c.bin}`; returns the files' SHA-256 by path. */
export const writeTree = async (
  dir: string
): Promise<{ readonly root: string; readonly files: Map<string, string> }> => {
  const root = Path.join(dir, "tree")
  const contents: Record<string, Uint8Array | string> = {
    "a.txt": "hello from credkit\n",
    "nested/b.json": JSON.stringify({ ok: true }),
    "nested/deeper/c.bin": randomBytes(200 * 1024)
  }
  const files = new Map<string, string>()
  for (const [name, body] of Object.entries(contents)) {
    const path = Path.join(root, name)
    await Fs.mkdir(Path.dirname(path), { recursive: true })
    await Fs.writeFile(path, body)
    files.set(`tree/${name}`, sha256(body))
  }
  return { root, files }
}

/** Keys stored under `prefix`. */
export const listKeys = async (harness: Harness, prefix = ""): Promise<ReadonlyArray<string>> => {
  const page = await harness.inspector.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))
  return (page.Contents ?? []).map((object) => object.Key ?? "").sort()
}

export const readObject = async (harness: Harness, key: string) => {
  const answer = await harness.inspector.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
  return Buffer.from((await answer.Body?.transformToByteArray()) ?? [])
}

export const headObject = (harness: Harness, key: string) =>
  harness.inspector.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))

/** The base child environment with `extra` on top (see src/demo/environment.ts). */
export const envFor = (home: Home, extra: Readonly<Record<string, string>> = {}) => baseEnv(home, extra)

/** Fails the test if any of `secrets` appears in `text`. */
export const assertNoSecrets = (text: string, secrets: ReadonlyArray<string>) => {
  for (const secret of secrets) assert.notInclude(text, secret, "a secret appeared in the output")
}

/** Resolves once `condition` holds (checked every 10 ms); fails the test after `timeoutMs`. */
export const until = (condition: () => boolean, timeoutMs = 20_000): Promise<void> =>
  new Promise((resolve, reject) => {
    const startedAt = Date.now()
    const timer = setInterval(() => {
      if (condition()) {
        clearInterval(timer)
        resolve()
      } else if (Date.now() - startedAt > timeoutMs) {
        clearInterval(timer)
        reject(new Error("the condition never held"))
      }
    }, 10)
  })
