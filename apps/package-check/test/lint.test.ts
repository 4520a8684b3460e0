import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"

import { assert, describe, it } from "@effect/vitest"
import { publint } from "publint"
import { formatMessage } from "publint/utils"
import { inject } from "vitest"

import { describeRun, exec } from "../src/exec.js"
import { publishedPackages } from "../src/workspace.js"

const packed = inject("packed")

const tarballOf = (name: string): string => {
  const entry = packed.find((candidate) => candidate.name === name)
  assert.isDefined(entry, `${name} was not packed`)
  assert.isDefined(entry.tarball, entry.error)
  return entry.tarball
}

const require = createRequire(import.meta.url)
const attwManifest = require.resolve("@arethetypeswrong/cli/package.json")
const ATTW = path.join(
  path.dirname(attwManifest),
  (JSON.parse(fs.readFileSync(attwManifest, "utf8")) as { bin: { attw: string } }).bin.attw
)

// The packages are ES modules only, by design: CommonJS callers use require(esm) (Node.js >= 22.12), which the
// `esm-only` profile accepts. Problems seen only under these resolutions are listed, not failed.
const ESM_ONLY_RESOLUTIONS = new Set(["node10", "node16-cjs"])

interface AttwProblem {
  readonly kind: string
  readonly entrypoint?: string
  readonly resolutionKind?: string
}

describe("lint", () => {
  describe.each(publishedPackages())("$manifest.name", ({ manifest }) => {
    it("passes publint without errors or warnings", async () => {
      const tarball = new Uint8Array(fs.readFileSync(tarballOf(manifest.name))).buffer
      const { messages, pkg } = await publint({ pack: { tarball }, level: "suggestion" })
      const render = (type: string) =>
        messages
          .filter((message) => message.type === type)
          .map((message) => `${message.code}: ${formatMessage(message, pkg, { color: false }) ?? ""}`)
      const suggestions = render("suggestion")
      if (suggestions.length > 0)
        console.log(`publint suggestions for ${manifest.name}:\n  ${suggestions.join("\n  ")}`)
      assert.deepStrictEqual([...render("error"), ...render("warning")], [])
    })

    it("passes arethetypeswrong with the esm-only profile", async () => {
      const tarball = tarballOf(manifest.name)
      const result = await exec(process.execPath, [ATTW, tarball, "--profile", "esm-only", "--format", "json"], {
        cwd: path.dirname(tarball),
        timeout: 120_000
      })
      let report: { problems?: Record<string, ReadonlyArray<AttwProblem>> } = {}
      try {
        report = JSON.parse(result.stdout) as typeof report
      } catch {
        assert.fail(describeRun("attw printed no JSON report:", result))
      }
      const problems = Object.values(report.problems ?? {}).flat()
      const describeProblem = (problem: AttwProblem) =>
        `${problem.kind} at ${problem.entrypoint ?? "?"} (${problem.resolutionKind ?? "any resolution"})`
      const ignored = problems.filter((problem) => ESM_ONLY_RESOLUTIONS.has(problem.resolutionKind ?? ""))
      if (ignored.length > 0) {
        console.log(`attw, ignored for ESM-only ${manifest.name}:\n  ${ignored.map(describeProblem).join("\n  ")}`)
      }
      const failing = problems.filter((problem) => !ESM_ONLY_RESOLUTIONS.has(problem.resolutionKind ?? ""))
      assert.deepStrictEqual(failing.map(describeProblem), [])
      assert.strictEqual(result.code, 0, describeRun("attw", result))
    })
  })
})
