import { randomBytes } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"

import { LAPTOP_PROFILE, sourceKeys, writeProfiles } from "../src/demo/laptop.js"
import { type IssuedCredentials, startStsStandIn } from "../src/demo/sts.js"
import { assertNoSecrets, envFor, runUploader, startHarness, track, useCleanup, writeTree } from "./support/harness.js"

useCleanup()

describe("s3-uploader on a laptop", () => {
  describe("profile with a role", () => {
    it("assumes the role through STS and uploads with the issued credentials when --profile names it", async () => {
      const harness = await startHarness()
      const keys = sourceKeys()
      const issued: Array<IssuedCredentials> = []
      const sts = await startStsStandIn({
        callers: new Map([[keys.accessKeyId, keys.secretAccessKey]]),
        onIssue: (credentials) => {
          issued.push(credentials)
          harness.s3.keys.add(credentials)
        }
      })
      track(sts.close)
      const home = await harness.home("laptop")
      await writeProfiles(home, keys)
      const tree = await writeTree(harness.work)

      const run = await runUploader(harness, envFor(home, { AWS_ENDPOINT_URL_STS: sts.url }), [tree.root], {
        args: ["--profile", LAPTOP_PROFILE]
      })

      assert.strictEqual(run.result.code, 0, run.output)
      assert.strictEqual(run.document?.credentials?.source, `role:${LAPTOP_PROFILE}`)
      assert.strictEqual(run.document?.summary?.verified, 3)
      assert.strictEqual(sts.refused(), 0)
      const signers = new Set(harness.s3.requests().map((r) => r.accessKeyIdSuffix))
      const issuedSuffixes = new Set(issued.map((credentials) => credentials.accessKeyId.slice(-4)))
      assert.isTrue(
        [...signers].filter((suffix) => suffix !== "0001").every((suffix) => issuedSuffixes.has(suffix ?? ""))
      )
      assertNoSecrets(run.output, [
        keys.secretAccessKey,
        ...issued.flatMap((credentials) => [credentials.secretAccessKey, credentials.sessionToken])
      ])
    })

    it("exits 2 with the chain report when STS refuses the source profile's keys", async () => {
      const harness = await startHarness()
      const keys = sourceKeys()
      const sts = await startStsStandIn({
        callers: new Map([[keys.accessKeyId, randomBytes(30).toString("base64")]]),
        onIssue: (credentials) => harness.s3.keys.add(credentials)
      })
      track(sts.close)
      const home = await harness.home("laptop-refused")
      await writeProfiles(home, keys)
      const tree = await writeTree(harness.work)

      const run = await runUploader(harness, envFor(home, { AWS_ENDPOINT_URL_STS: sts.url }), [tree.root], {
        args: ["--profile", LAPTOP_PROFILE],
        json: false
      })

      assert.strictEqual(run.result.code, 2, run.output)
      assert.isAbove(sts.refused(), 0)
      assert.include(run.result.stderr, "no credentials: the default chain found none")
      assert.match(run.result.stderr, /^ {2}profile +failed/m)
      assert.strictEqual(harness.s3.requests().length, 0)
      assertNoSecrets(run.output, [keys.secretAccessKey])
    })
  })
})
