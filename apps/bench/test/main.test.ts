import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"

import { assert, describe, it } from "@effect/vitest"

import { METRICS } from "../src/metrics.ts"
import type { Results } from "../src/report.ts"

const MAIN = join(import.meta.dirname, "..", "src", "main.ts")

describe("main", () => {
  describe("--quick", () => {
    it("writes every metric with a credkit and an AWS SDK column when run for one round", async () => {
      const dir = mkdtempSync(join(tmpdir(), "credkit-bench-test-"))
      try {
        const out = join(dir, "results.json")
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [MAIN, "--quick", "--rounds", "1", "--out", out],
          {
            maxBuffer: 16 * 1024 * 1024
          }
        )
        const results = JSON.parse(readFileSync(out, "utf8")) as Results

        assert.strictEqual(results.mode, "quick")
        assert.strictEqual(results.node, process.version)
        assert.isString(results.packages["@credkit/credentials"])
        assert.isString(results.packages["@aws-sdk/credential-provider-node"])
        assert.deepStrictEqual(
          results.metrics.map((metric) => metric.id),
          METRICS.map((metric) => metric.id)
        )
        for (const metric of results.metrics) {
          for (const column of [metric.credkit, metric.aws]) {
            assert.isAtLeast(column.samples.length, 1, `${metric.id} has no samples`)
            if (column.kind === "numeric") assert.isTrue(Number.isFinite(column.median), `${metric.id} median`)
            else assert.isString(column.value)
          }
          assert.isBoolean(metric.met)
          assert.include(stdout, metric.label.replaceAll("|", "\\|"))
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })
})
