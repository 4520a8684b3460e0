import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"

import { runNode } from "../src/demo/child.js"
import { APP } from "./support/harness.js"

const demoDirs = async () => (await Fs.readdir(Os.tmpdir())).filter((name) => name.startsWith("credkit-demo-"))

describe("demo", () => {
  describe("main", () => {
    it("ends with a verified row per environment and removes its temporary files when run as npm run demo does", async () => {
      const before = await demoDirs()

      const result = await runNode(
        [Path.join(APP, "dist", "demo.mjs")],
        { PATH: process.env.PATH ?? "" },
        {
          timeoutMs: 90_000
        }
      )

      assert.strictEqual(result.code, 0, result.stdout + result.stderr)
      const rows = result.stdout.split("\n").filter((line) => /^(EC2|ECS \/ EKS|Lambda|Laptop) {2,}/.test(line))
      assert.strictEqual(rows.length, 4)
      for (const row of rows) assert.match(row, / yes$/)
      assert.match(result.stdout, /^EC2 +ec2:credkit-demo-instance /m)
      assert.match(result.stdout, /^Laptop +role:demo-admin /m)
      assert.include(result.stdout, "rejected 0")
      assert.deepStrictEqual(await demoDirs(), before)
    })
  })
})
