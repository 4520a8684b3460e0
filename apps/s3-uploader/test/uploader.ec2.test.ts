import { randomBytes } from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { ImdsEmulator } from "@credkit/testing"
import { assert, describe, it } from "@effect/vitest"

import { firstUpload, mark, startUploader } from "../src/demo/uploader.js"
import {
  APP,
  assertNoSecrets,
  BUCKET,
  envFor,
  type Harness,
  runUploader,
  sha256,
  startHarness,
  track,
  useCleanup,
  writeTree
} from "./support/harness.js"
import { startSlowProxy } from "./support/slowProxy.js"

useCleanup()

const MIB = 1024 * 1024

/** An IMDSv2-only emulator whose credentials the harness's endpoint accepts. */
const startImds = async (harness: Harness, options: ImdsEmulator.Options) => {
  const imds = await ImdsEmulator.start({ mode: "v2-only", ...options })
  track(imds.close)
  track(harness.issued.watch(imds.control))
  return imds
}

const ec2Env = async (harness: Harness, imds: ImdsEmulator.ImdsEmulator) =>
  envFor(await harness.home("ec2"), { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url })

describe("s3-uploader on EC2", () => {
  describe("instance role", () => {
    it("discovers the role and uploads with its credentials when no role name is configured", async () => {
      const harness = await startHarness()
      const imds = await startImds(harness, { roleName: "uploader-instance-role" })
      const tree = await writeTree(harness.work)

      const run = await runUploader(harness, await ec2Env(harness, imds), [tree.root])

      assert.strictEqual(run.result.code, 0, run.output)
      assert.strictEqual(run.document?.credentials?.source, "ec2:uploader-instance-role")
      assert.strictEqual(run.document?.summary?.verified, 3)
      const listed = imds.control.requests().map((r) => r.path)
      assert.include(listed, "/latest/meta-data/iam/security-credentials-extended/")
      assert.strictEqual(harness.s3.stats.rejected, 0)
      const served = imds.control.current()
      assertNoSecrets(run.output, [served.secretAccessKey, served.sessionToken])
    })

    it("completes a long multipart upload with no rejected request when the credentials expire during it", async () => {
      // Credentials live 3 s and are replaced 2 s before they end; the slow uplink makes the upload outlast several.
      const harness = await startHarness()
      const imds = await startImds(harness, { roleName: "short-lived", lifetime: 3_000, rotateBefore: 2_000 })
      const proxy = await startSlowProxy(harness.s3.port, 2 * MIB)
      track(proxy.close)
      const big = Path.join(harness.work, "long.bin")
      const bytes = randomBytes(24 * MIB)
      await Fs.writeFile(big, bytes)

      const run = await runUploader(harness, await ec2Env(harness, imds), [big], { endpoint: proxy.url })
      const endedAt = Date.now()

      assert.strictEqual(run.result.code, 0, run.output)
      assert.strictEqual(run.document?.objects?.[0]?.sha256, sha256(bytes))
      assert.strictEqual(harness.s3.stats.rejected, 0)
      const uploadRequests = harness.s3.requests().filter((r) => r.path === `/${BUCKET}/long.bin` && r.method !== "GET")
      const signers = [...new Set(uploadRequests.map((r) => r.accessKeyIdSuffix))]
      assert.isAbove(signers.length, 1, "one key signed the whole multipart upload")
      const first = harness.issued.list().find((key) => key.accessKeyId.endsWith(signers[0] ?? "?"))
      assert.isBelow(
        first?.expiration?.getTime() ?? Number.POSITIVE_INFINITY,
        endedAt,
        "the first key outlived the upload"
      )
    })

    it("keeps uploading under the new name when the role is renamed during the run", async () => {
      const harness = await startHarness()
      const imds = await startImds(harness, { roleName: "before-rename", lifetime: 3_000, rotateBefore: 2_000 })
      const proxy = await startSlowProxy(harness.s3.port, 2 * MIB)
      track(proxy.close)
      const tree = await writeTree(harness.work)
      const big = Path.join(harness.work, "big.bin")
      await Fs.writeFile(big, randomBytes(12 * MIB))
      const env = await ec2Env(harness, imds)
      const from = mark(harness.s3)

      const child = startUploader({
        app: APP,
        s3: harness.s3,
        env,
        inputs: [tree.root, big],
        destination: `s3://${BUCKET}/`,
        endpoint: proxy.url
      })
      const started = await firstUpload(harness.s3, from, child)
      imds.control.renameRole("after-rename")
      const result = await child.done

      assert.isTrue(started)
      assert.strictEqual(result.code, 0, result.stdout + result.stderr)
      const renamedFetches = imds.control.requests().filter((r) => r.path.endsWith("/after-rename") && r.status === 200)
      assert.isAbove(renamedFetches.length, 0)
      assert.strictEqual(harness.s3.stats.rejected, 0)
    })
  })
})
