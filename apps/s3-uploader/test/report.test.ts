import { assert, describe, it } from "@effect/vitest"

import { credentialLines, jsonDocument, summaryLines } from "../src/report.js"
import type { RunResult } from "../src/upload.js"

const NOW = Date.parse("2025-06-01T12:00:00Z")

const result: RunResult = {
  planned: 3,
  millis: 2000,
  objects: [
    { file: "/t/a", key: "a", bytes: 1024, status: "verified", sha256: "ab" },
    { file: "/t/b", key: "b", bytes: 1024, status: "verified", sha256: "cd" },
    {
      file: "/t/c",
      key: "c",
      bytes: 0,
      status: "failed",
      problem: { code: "Unreadable", message: "cannot read /t/c: broken symbolic link", scope: "object" }
    }
  ]
}

describe("report", () => {
  describe("credentialLines", () => {
    it("shows the source, key suffix, expiry and account when credentials were found", () => {
      const lines = credentialLines(
        {
          ok: true,
          source: "ec2:web",
          credentials: { accessKeyIdSuffix: "WXYZ", expiration: "2025-06-01T18:00:00Z", accountId: "123456789012" },
          attempts: []
        },
        NOW
      )
      assert.deepStrictEqual(lines, [
        "credentials: ec2:web (key …WXYZ, expires 2025-06-01T18:00:00Z (in 360 min), account 123456789012)"
      ])
    })

    it("lists every attempt with its reason and hint when none were found", () => {
      const lines = credentialLines(
        {
          ok: false,
          attempts: [
            {
              source: "env",
              outcome: "skipped",
              reason: "Unavailable",
              message: "AWS_ACCESS_KEY_ID is not set",
              elapsedMs: 0
            },
            {
              source: "ec2",
              outcome: "failed",
              reason: "Unavailable",
              message: "no role attached",
              hint: "attach an instance profile",
              elapsedMs: 12
            }
          ]
        },
        NOW
      )
      assert.deepStrictEqual(lines, [
        "no credentials: the default chain found none. It tried:",
        "  env           skipped     Unavailable: AWS_ACCESS_KEY_ID is not set (0 ms)",
        "  ec2           failed      Unavailable: no role attached (12 ms)",
        "                hint: attach an instance profile"
      ])
    })
  })

  describe("summaryLines", () => {
    it("counts verified objects and lists each failure with its reason", () => {
      assert.deepStrictEqual(summaryLines(result), [
        "uploaded and verified 2 of 3 objects, 2.0 KiB in 2.0 s (1.0 KiB/s); checksums: SHA-256",
        "failed (1):",
        "  c: cannot read /t/c: broken symbolic link"
      ])
    })
  })

  describe("jsonDocument", () => {
    it("carries the exit code, summary and objects when a run finished", () => {
      const document = jsonDocument({ exitCode: 1, destination: "s3://b/", result })
      assert.deepStrictEqual(document.summary, {
        objects: 3,
        verified: 2,
        failed: 1,
        bytes: 2048,
        seconds: 2,
        checksum: "SHA256"
      })
      assert.isFalse(document.ok)
      assert.strictEqual(document.objects?.length, 3)
    })
  })
})
