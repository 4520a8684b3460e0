import { randomBytes } from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { ContainerEmulator } from "@credkit/testing"
import { assert, describe, it } from "@effect/vitest"

import { firstUpload, mark, startUploader } from "../src/demo/uploader.js"
import {
  APP,
  assertNoSecrets,
  BUCKET,
  envFor,
  type Harness,
  runUploader,
  startHarness,
  track,
  useCleanup,
  writeTree
} from "./support/harness.js"
import { startSlowProxy } from "./support/slowProxy.js"

useCleanup()

const MIB = 1024 * 1024

const startEndpoint = async (harness: Harness, options: ContainerEmulator.Options) => {
  const endpoint = await ContainerEmulator.start(options)
  track(endpoint.close)
  track(harness.issued.watch(endpoint.control))
  return endpoint
}

describe("s3-uploader on ECS / EKS", () => {
  describe("container endpoint", () => {
    it("keeps fetching credentials when the token file is rotated during the run", async () => {
      const harness = await startHarness()
      const tokenFile = Path.join(harness.work, "pod-identity-token")
      const endpoint = await startEndpoint(harness, { tokenFile, lifetime: 3_000, rotateBefore: 2_000 })
      const proxy = await startSlowProxy(harness.s3.port, 2 * MIB)
      track(proxy.close)
      const tree = await writeTree(harness.work)
      const big = Path.join(harness.work, "big.bin")
      await Fs.writeFile(big, randomBytes(12 * MIB))
      const env = envFor(await harness.home("ecs"), {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile
      })
      const from = mark(harness.s3)

      const child = startUploader({
        app: APP,
        s3: harness.s3,
        env,
        inputs: [tree.root, big],
        destination: `s3://${BUCKET}/ecs/`,
        endpoint: proxy.url
      })
      assert.isTrue(await firstUpload(harness.s3, from, child))
      const rotatedAt = endpoint.control.requests().length
      const newToken = endpoint.control.rotateToken()
      const result = await child.done

      assert.strictEqual(result.code, 0, result.stdout + result.stderr)
      const after = endpoint.control.requests().slice(rotatedAt)
      assert.isAbove(after.filter((r) => r.status === 200).length, 0)
      assert.isFalse(endpoint.control.requests().some((r) => r.status === 401))
      assert.strictEqual(harness.s3.stats.rejected, 0)
      assertNoSecrets(result.stdout + result.stderr, [newToken, endpoint.control.current().secretAccessKey])
    })

    it("exits 2 naming the container source when the endpoint refuses the token", async () => {
      const harness = await startHarness()
      const endpoint = await startEndpoint(harness, { token: "expected-token" })
      const tree = await writeTree(harness.work)
      const env = envFor(await harness.home("ecs-denied"), {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "some-other-token"
      })

      const run = await runUploader(harness, env, [tree.root])

      assert.strictEqual(run.result.code, 2, run.output)
      assert.isFalse(run.document?.credentials?.ok)
      const container = run.document?.credentials?.attempts.find((attempt) => attempt.source === "container")
      assert.strictEqual(container?.outcome, "failed")
      assert.strictEqual(harness.s3.requests().length, 0)
      assertNoSecrets(run.output, ["some-other-token", "expected-token"])
    })
  })
})
