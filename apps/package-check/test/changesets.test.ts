import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"

import { assert, describe, it } from "@effect/vitest"
import { afterAll, beforeAll } from "vitest"

import { describeRun, type ExecResult, exec } from "../src/exec.js"
import { type Manifest, readTarballManifest } from "../src/tarball.js"
import { pack, privateWorkspaces, publishedPackages, WORKSPACE_ROOT } from "../src/workspace.js"

const BUMPED = "@credkit/env"

const HAND_WRITTEN_CHANGESET = `---
"${BUMPED}": minor
---

test
`

const rootRequire = createRequire(path.join(WORKSPACE_ROOT, "package.json"))
const changesetsManifest = rootRequire.resolve("@changesets/cli/package.json")
const CHANGESET_BIN = path.join(
  path.dirname(changesetsManifest),
  (JSON.parse(fs.readFileSync(changesetsManifest, "utf8")) as { bin: { changeset: string } }).bin.changeset
)

const published = publishedPackages()
const workspaces = [...published, ...privateWorkspaces()]

let copy: string
let run: ExecResult

// A copy of what `changeset version` reads and writes: the root manifest and workspace file, the changesets
// config (without the pending changesets, so the hand-written one is the only input) and every manifest.
beforeAll(async () => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), "credkit-changesets-"))
  for (const file of ["package.json", "pnpm-workspace.yaml"]) {
    fs.copyFileSync(path.join(WORKSPACE_ROOT, file), path.join(copy, file))
  }
  fs.mkdirSync(path.join(copy, ".changeset"))
  for (const file of ["config.json", "README.md"]) {
    fs.copyFileSync(path.join(WORKSPACE_ROOT, ".changeset", file), path.join(copy, ".changeset", file))
  }
  for (const workspace of workspaces) {
    const target = path.join(copy, path.relative(WORKSPACE_ROOT, workspace.dir))
    fs.mkdirSync(target, { recursive: true })
    for (const file of ["package.json", "CHANGELOG.md"]) {
      if (fs.existsSync(path.join(workspace.dir, file))) {
        fs.copyFileSync(path.join(workspace.dir, file), path.join(target, file))
      }
    }
  }
  // The changelog generator named in config.json is resolved from the project's node_modules.
  fs.symlinkSync(path.join(WORKSPACE_ROOT, "node_modules"), path.join(copy, "node_modules"), "junction")
  fs.writeFileSync(path.join(copy, ".changeset", "package-check-dry-run.md"), HAND_WRITTEN_CHANGESET)
  run = await exec(process.execPath, [CHANGESET_BIN, "version"], { cwd: copy, timeout: 120_000 })
}, 180_000)

afterAll(() => fs.rmSync(copy, { recursive: true, force: true }))

const manifestAfter = (dir: string): Manifest =>
  JSON.parse(fs.readFileSync(path.join(copy, path.relative(WORKSPACE_ROOT, dir), "package.json"), "utf8")) as Manifest

const changelogAfter = (dir: string): string | undefined => {
  const file = path.join(copy, path.relative(WORKSPACE_ROOT, dir), "CHANGELOG.md")
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined
}

const dependsOnBumped = (manifest: Manifest) =>
  manifest.dependencies?.[BUMPED] !== undefined || manifest.peerDependencies?.[BUMPED] !== undefined

const minor = (version: string) => {
  const [major = 0, minorPart = 0] = version.split(".").map(Number)
  return `${major}.${minorPart + 1}.0`
}

const bumpedVersion = () =>
  minor(published.find((workspace) => workspace.manifest.name === BUMPED)?.manifest.version ?? "")

const patch = (version: string) => {
  const [major = 0, minorPart = 0, patchPart = 0] = version.split(".").map(Number)
  return `${major}.${minorPart}.${patchPart + 1}`
}

describe("changesets", () => {
  it("consumes a hand-written changeset with changeset version", () => {
    assert.strictEqual(run.code, 0, describeRun("changeset version", run))
    assert.isFalse(fs.existsSync(path.join(copy, ".changeset", "package-check-dry-run.md")))
  })

  it("bumps the named package by a minor version with a changelog entry", () => {
    const bumped = published.find((workspace) => workspace.manifest.name === BUMPED)
    assert.isDefined(bumped, `${BUMPED} is not a published package`)
    assert.strictEqual(manifestAfter(bumped.dir).version, minor(bumped.manifest.version))
    const changelog = changelogAfter(bumped.dir) ?? ""
    assert.include(changelog, `## ${minor(bumped.manifest.version)}`)
    assert.include(changelog, "### Minor Changes")
    assert.include(changelog, "test")
  })

  it("patches the packages that depend on it with a changelog entry for the dependency update", () => {
    const dependents = published.filter((workspace) => dependsOnBumped(workspace.manifest))
    assert.isAbove(dependents.length, 0, `no published package depends on ${BUMPED}`)
    for (const { dir, manifest } of dependents) {
      assert.strictEqual(manifestAfter(dir).version, patch(manifest.version), `${manifest.name} version`)
      const changelog = changelogAfter(dir) ?? ""
      assert.include(changelog, `## ${patch(manifest.version)}`, `${manifest.name} changelog`)
      assert.include(changelog, "### Patch Changes")
      assert.include(changelog, "Updated dependencies")
      assert.include(changelog, `${BUMPED}@${bumpedVersion()}`)
    }
  })

  it("publishes the dependents with a range that takes the new version", async () => {
    const destination = path.join(copy, "packed")
    fs.mkdirSync(destination, { recursive: true })
    for (const { dir, folder, manifest } of published.filter((workspace) => dependsOnBumped(workspace.manifest))) {
      const packed = await pack(
        { dir: path.join(copy, path.relative(WORKSPACE_ROOT, dir)), folder, manifest: manifestAfter(dir) },
        destination
      )
      assert.isDefined(packed.tarball, packed.error)
      const after = readTarballManifest(packed.tarball)
      const range = after.dependencies?.[BUMPED] ?? after.peerDependencies?.[BUMPED]
      assert.strictEqual(range, `^${bumpedVersion()}`, `${manifest.name} depends on ${BUMPED}@${range} when packed`)
    }
  })

  it("leaves the other packages and every private workspace alone", () => {
    const untouched = workspaces.filter(
      (workspace) =>
        workspace.manifest.name !== BUMPED &&
        !(workspace.manifest.private !== true && dependsOnBumped(workspace.manifest))
    )
    for (const { dir, manifest } of untouched) {
      assert.strictEqual(manifestAfter(dir).version, manifest.version, `${manifest.name} version`)
      assert.strictEqual(
        changelogAfter(dir),
        fs.existsSync(path.join(dir, "CHANGELOG.md"))
          ? fs.readFileSync(path.join(dir, "CHANGELOG.md"), "utf8")
          : undefined
      )
    }
  })
})
