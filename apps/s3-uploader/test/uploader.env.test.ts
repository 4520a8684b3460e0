import { randomBytes } from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"

import { lambdaCredentials } from "../src/demo/lambda.js"
import { startUploader } from "../src/demo/uploader.js"
import {
  APP,
  assertNoSecrets,
  BUCKET,
  envFor,
  headObject,
  listKeys,
  readObject,
  runUploader,
  sha256,
  startHarness,
  track,
  until,
  useCleanup,
  writeTree
} from "./support/harness.js"
import { startSlowProxy } from "./support/slowProxy.js"

useCleanup()

/** Environment credentials (as on Lambda) that the harness's endpoint accepts. */
const withEnvCredentials = async () => {
  const harness = await startHarness()
  const credentials = lambdaCredentials()
  harness.s3.keys.add(credentials)
  const env = envFor(await harness.home(), {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken
  })
  return { harness, credentials, env, secrets: [credentials.secretAccessKey, credentials.sessionToken] }
}

describe("s3-uploader with environment credentials", () => {
  describe("upload", () => {
    it("uploads and verifies a directory tree and a file when the credentials are valid", async () => {
      const { harness, env, secrets, credentials } = await withEnvCredentials()
      const tree = await writeTree(harness.work)
      const single = Path.join(harness.work, "single.txt")
      await Fs.writeFile(single, "one file\n")

      const run = await runUploader(harness, env, [tree.root, single], { prefix: "backup" })

      assert.strictEqual(run.result.code, 0, run.output)
      assert.deepStrictEqual(run.document?.summary?.verified, 4)
      assert.strictEqual(run.document?.credentials?.source, "env")
      assert.strictEqual(run.document?.credentials?.credentials?.accessKeyIdSuffix, credentials.accessKeyId.slice(-4))
      assert.deepStrictEqual(await listKeys(harness, "backup/"), [
        "backup/single.txt",
        "backup/tree/a.txt",
        "backup/tree/nested/b.json",
        "backup/tree/nested/deeper/c.bin"
      ])
      for (const [name, hash] of tree.files)
        assert.strictEqual(sha256(await readObject(harness, `backup/${name}`)), hash)
      assert.strictEqual(harness.s3.stats.rejected, 0)
      assertNoSecrets(run.output, secrets)
    })

    it("sends a large file in parts and records its SHA-256 when it exceeds the part size", async () => {
      const { harness, env } = await withEnvCredentials()
      const big = Path.join(harness.work, "big.bin")
      const bytes = randomBytes(12 * 1024 * 1024)
      await Fs.writeFile(big, bytes)

      const run = await runUploader(harness, env, [big])

      assert.strictEqual(run.result.code, 0, run.output)
      const object = run.document?.objects?.[0]
      assert.strictEqual(object?.multipart, true)
      assert.strictEqual(object?.sha256, sha256(bytes))
      const parts = harness.s3.requests().filter((r) => r.method === "PUT" && r.path === "/credkit-e2e/big.bin")
      assert.strictEqual(parts.length, 3)
      assert.strictEqual((await headObject(harness, "big.bin")).Metadata?.sha256, sha256(bytes))
      assert.strictEqual(sha256(await readObject(harness, "big.bin")), sha256(bytes))
    })

    it("prints the credential source, key suffix and a summary when the output is text", async () => {
      const { harness, env, secrets, credentials } = await withEnvCredentials()
      const tree = await writeTree(harness.work)

      const run = await runUploader(harness, env, [tree.root], { json: false })

      assert.strictEqual(run.result.code, 0, run.output)
      assert.include(run.result.stdout, `credentials: env (key …${credentials.accessKeyId.slice(-4)}, no expiration)`)
      assert.include(run.result.stdout, "uploaded and verified 3 of 3 objects")
      assert.match(run.result.stderr, /^ok {5}tree\/a\.txt/m)
      assertNoSecrets(run.output, secrets)
    })

    it("sends nothing and lists the plan when --dry-run is given", async () => {
      const { harness, env } = await withEnvCredentials()
      const tree = await writeTree(harness.work)

      const run = await runUploader(harness, env, [tree.root], { args: ["--dry-run"], json: false })

      assert.strictEqual(run.result.code, 0, run.output)
      assert.include(run.result.stdout, "plan: 3 files")
      assert.include(run.result.stdout, "-> tree/nested/deeper/c.bin")
      assert.strictEqual(harness.s3.requests().length, 0)
    })
  })

  describe("failures", () => {
    it("exits 1 naming SignatureDoesNotMatch when the secret key is wrong", async () => {
      const { harness, credentials } = await withEnvCredentials()
      const wrongSecret = randomBytes(30).toString("base64")
      const env = envFor(await harness.home("wrong"), {
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: wrongSecret,
        AWS_SESSION_TOKEN: credentials.sessionToken
      })
      const tree = await writeTree(harness.work)

      const run = await runUploader(harness, env, [tree.root], { json: false })

      assert.strictEqual(run.result.code, 1, run.output)
      assert.include(run.result.stderr, "S3 rejected the request signature: the secret key from env does not match")
      assert.include(run.result.stderr, "AWS_SECRET_ACCESS_KEY")
      assert.include(run.result.stdout, "uploaded and verified 0 of 3 objects")
      assert.strictEqual(harness.s3.stats.rejectedByCode.SignatureDoesNotMatch, 1)
      assert.deepStrictEqual(await listKeys(harness), [])
      assertNoSecrets(run.output, [wrongSecret, credentials.secretAccessKey, credentials.sessionToken])
    })

    it("exits 1 with a clear message when the bucket does not exist", async () => {
      const { harness, env } = await withEnvCredentials()
      const tree = await writeTree(harness.work)

      const run = await runUploader(harness, env, [tree.root], { bucket: "no-such-bucket" })

      assert.strictEqual(run.result.code, 1, run.output)
      assert.strictEqual(run.document?.error?.code, "NoSuchBucket")
      assert.include(run.document?.error?.message ?? "", `bucket "no-such-bucket" does not exist at ${harness.s3.url}`)
      assert.strictEqual(run.document?.summary?.verified, 0)
    })

    it("uploads the rest and lists the entry when a directory holds a dangling symbolic link", async () => {
      // A dangling link fails to open even for root (chmod 000 does not stop root from reading).
      const { harness, env } = await withEnvCredentials()
      const tree = await writeTree(harness.work)
      await Fs.symlink(Path.join(harness.work, "gone.txt"), Path.join(tree.root, "broken-link.txt"))

      const run = await runUploader(harness, env, [tree.root], { json: false })

      assert.strictEqual(run.result.code, 1, run.output)
      assert.include(run.result.stdout, "uploaded and verified 3 of 4 objects")
      assert.match(run.result.stdout, /failed \(1\):\n {2}tree\/broken-link\.txt: cannot read .*broken symbolic link/)
      assert.deepStrictEqual(await listKeys(harness, "tree/"), [
        "tree/a.txt",
        "tree/nested/b.json",
        "tree/nested/deeper/c.bin"
      ])
    })

    it("reports a FIFO as not uploaded instead of blocking on it", async () => {
      const { harness, env } = await withEnvCredentials()
      const tree = await writeTree(harness.work)
      const { execFileSync } = await import("node:child_process")
      execFileSync("mkfifo", [Path.join(tree.root, "pipe")])

      const run = await runUploader(harness, env, [tree.root])

      assert.strictEqual(run.result.code, 1, run.output)
      const failed = run.document?.objects?.filter((object) => object.status === "failed")
      assert.deepStrictEqual(
        failed?.map((object) => [object.key, object.problem?.code]),
        [["tree/pipe", "Unreadable"]]
      )
      assert.include(failed?.[0]?.problem?.message ?? "", "a FIFO, not uploaded")
    })

    it("aborts the multipart upload and exits 130 when interrupted with SIGINT", async () => {
      const { harness, env } = await withEnvCredentials()
      const proxy = await startSlowProxy(harness.s3.port, 1024 * 1024)
      track(proxy.close)
      const big = Path.join(harness.work, "interrupted.bin")
      await Fs.writeFile(big, randomBytes(12 * 1024 * 1024))

      const child = startUploader({
        app: APP,
        s3: harness.s3,
        env,
        inputs: [big],
        destination: `s3://${BUCKET}/`,
        endpoint: proxy.url
      })
      await until(() => harness.s3.requests().some((r) => r.method === "POST" && r.path.endsWith("/interrupted.bin")))
      child.signal("SIGINT")
      const result = await child.done

      assert.strictEqual(result.code, 130, result.stdout + result.stderr)
      const aborts = harness.s3.requests().filter((r) => r.method === "DELETE" && r.path.endsWith("/interrupted.bin"))
      assert.deepStrictEqual(
        aborts.map((r) => r.status),
        [204]
      )
      assert.deepStrictEqual(await listKeys(harness), [])
    })

    it("exits 2 with the chain report when there are no credentials", async () => {
      const harness = await startHarness()
      const env = envFor(await harness.home("empty"))
      const tree = await writeTree(harness.work)

      const run = await runUploader(harness, env, [tree.root], { json: false })

      assert.strictEqual(run.result.code, 2, run.output)
      assert.include(run.result.stderr, "no credentials: the default chain found none. It tried:")
      for (const source of ["env", "profile", "web-identity", "container", "ec2"]) {
        assert.match(run.result.stderr, new RegExp(`^ {2}${source} +(skipped|failed|not-reached)`, "m"))
      }
      assert.strictEqual(harness.s3.requests().length, 0)
    })

    it("exits 2 with the usage when the destination is missing", async () => {
      const harness = await startHarness()
      const env = envFor(await harness.home())
      const { runNode } = await import("../src/demo/child.js")
      const { cliPath } = await import("../src/demo/paths.js")
      const { APP } = await import("./support/harness.js")

      const result = await runNode([cliPath(APP), "only-a-file.txt"], env)

      assert.strictEqual(result.code, 2)
      assert.include(result.stderr, "give at least one file or directory and the destination s3://bucket")
    })

    it("exits 2 when an argument does not exist", async () => {
      const { harness, env } = await withEnvCredentials()

      const run = await runUploader(harness, env, [Path.join(harness.work, "missing")])

      assert.strictEqual(run.result.code, 2, run.output)
      assert.strictEqual(run.document?.error?.code, "Usage")
      assert.include(run.document?.error?.message ?? "", "no such file or directory")
    })
  })
})
