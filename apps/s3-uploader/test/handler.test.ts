import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"

import { runNode } from "../src/demo/child.js"
import { INVOKE_SCRIPT, lambdaCredentials, lambdaEnv } from "../src/demo/lambda.js"
import { handlerBundlePath } from "../src/demo/paths.js"
import {
  APP,
  assertNoSecrets,
  BUCKET,
  envFor,
  readObject,
  sha256,
  startHarness,
  useCleanup
} from "./support/harness.js"

useCleanup()

/** The bundle copied to a directory with no node_modules anywhere above it: only Node built-ins can resolve. */
const isolatedBundle = async (work: string) => {
  const dir = Path.join(work, "lambda-task-root")
  await Fs.mkdir(dir)
  const bundle = Path.join(dir, "handler.mjs")
  await Fs.copyFile(handlerBundlePath(APP), bundle)
  return bundle
}

const invoke = async (bundle: string, work: string, events: ReadonlyArray<unknown>, env: Record<string, string>) => {
  const eventsFile = Path.join(work, "events.json")
  await Fs.writeFile(eventsFile, JSON.stringify(events))
  return runNode(["--input-type=module", "-e", INVOKE_SCRIPT, bundle, eventsFile], env, { timeoutMs: 30_000 })
}

describe("handler", () => {
  describe("bundle", () => {
    it("stores each payload under the prefix when plain node runs it with environment credentials", async () => {
      const harness = await startHarness()
      const credentials = lambdaCredentials()
      harness.s3.keys.add(credentials)
      const bundle = await isolatedBundle(harness.work)
      const env = envFor(
        await harness.home("lambda"),
        lambdaEnv(credentials, { bucket: BUCKET, prefix: "events", endpoint: harness.s3.url })
      )
      const events = [{ hello: "world" }, { order: 42, items: ["a", "b"] }]

      const result = await invoke(bundle, harness.work, events, env)

      assert.strictEqual(result.code, 0, result.stderr)
      const stored = JSON.parse(result.stdout) as Array<{ key: string; sha256: string; credentialsSource: string }>
      assert.strictEqual(stored.length, 2)
      for (const [index, object] of stored.entries()) {
        assert.match(object.key, /^events\/\d{4}-\d{2}-\d{2}T.*\.json$/)
        assert.strictEqual(object.credentialsSource, "env")
        const body = await readObject(harness, object.key)
        assert.strictEqual(sha256(body), sha256(JSON.stringify(events[index])))
        assert.strictEqual(object.sha256, sha256(body))
      }
      assert.strictEqual(harness.s3.stats.rejected, 0)
      assertNoSecrets(result.stdout + result.stderr, [credentials.secretAccessKey, credentials.sessionToken])
    })

    it("rejects with a message naming UPLOAD_BUCKET when the bucket is not configured", async () => {
      const harness = await startHarness()
      const credentials = lambdaCredentials()
      const bundle = await isolatedBundle(harness.work)
      const { UPLOAD_BUCKET: _unset, ...env } = envFor(
        await harness.home("lambda-unset"),
        lambdaEnv(credentials, { bucket: BUCKET, prefix: "", endpoint: harness.s3.url })
      )

      const result = await invoke(bundle, harness.work, [{}], env)

      assert.notStrictEqual(result.code, 0)
      assert.include(result.stderr, "UPLOAD_BUCKET is not set")
      assert.strictEqual(harness.s3.requests().length, 0)
    })
  })
})
