import * as fs from "node:fs"
import * as path from "node:path"

import { assert, describe, it } from "@effect/vitest"
import { inject } from "vitest"

import { EFFECT_PEER_RANGE, ENGINES_NODE } from "../src/expectations.js"
import { moduleSpecifiers, packageOf } from "../src/imports.js"
import { type Manifest, readTarball } from "../src/tarball.js"
import { privateWorkspaces, publishedPackages, WORKSPACE_ROOT } from "../src/workspace.js"

const packages = publishedPackages()
const published = new Set(packages.map((workspace) => workspace.manifest.name))
const packed = inject("packed")

const tarballOf = (name: string): string => {
  const entry = packed.find((candidate) => candidate.name === name)
  assert.isDefined(entry, `${name} was not packed`)
  assert.isDefined(entry.tarball, entry.error)
  return entry.tarball
}

const pendingChangesets = (): Array<string> => {
  const dir = path.join(WORKSPACE_ROOT, ".changeset")
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(".md") && file !== "README.md")
    .map((file) => fs.readFileSync(path.join(dir, file), "utf8"))
}

const frontMatterNames = (changeset: string): Array<string> => {
  const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(changeset)
  return match?.[1] === undefined ? [] : [...match[1].matchAll(/^\s*["']?([^"':]+)["']?\s*:/gm)].map((m) => m[1]!)
}

const dependencyFields = ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"] as const

// Export targets: strings of a conditions object or of a subpath value.
const targetsOf = (value: unknown): Array<string> =>
  typeof value === "string"
    ? [value]
    : typeof value === "object" && value !== null
      ? Object.values(value).flatMap((inner) => targetsOf(inner))
      : []

describe("manifest", () => {
  it("finds the published packages in packages/", () => {
    assert.isAbove(packages.length, 0, "no package in packages/ is publishable")
    for (const workspace of packages) assert.strictEqual(workspace.manifest.name, `@credkit/${workspace.folder}`)
  })

  it("keeps apps and tooling private", () => {
    const notPrivate = privateWorkspaces().filter((workspace) => workspace.manifest.private !== true)
    assert.deepStrictEqual(
      notPrivate.map((workspace) => workspace.manifest.name),
      [],
      "apps/* and tooling/* must set private: true"
    )
  })

  describe.each(packages)("$manifest.name", ({ dir, folder, manifest }) => {
    it("carries a version, description, license and keywords", () => {
      assert.match(manifest.version, /^\d+\.\d+\.\d+(-[\w.]+)?$/)
      assert.isAbove(manifest.description?.trim().length ?? 0, 20, "description is missing or too short")
      assert.strictEqual(manifest.license, "Apache-2.0")
      assert.includeMembers([...(manifest.keywords ?? [])], ["aws", "credentials", "effect"])
    })

    it("points repository at its folder of the credkit repository", () => {
      assert.deepStrictEqual(manifest.repository, {
        type: "git",
        url: "git+https://github.com/credkit/credkit.git",
        directory: `packages/${folder}`
      })
    })

    it("is an ES module without side effects for the Node.js versions that require() ES modules", () => {
      assert.strictEqual(manifest.type, "module")
      assert.strictEqual(manifest.sideEffects, false)
      assert.strictEqual(manifest.engines?.node, ENGINES_NODE)
    })

    it("exports every entry with its types first and blocks internal modules", () => {
      const exportsMap = manifest.exports ?? {}
      assert.property(exportsMap, ".", "the exports map has no root entry")
      assert.strictEqual(exportsMap["./package.json"], "./package.json")
      assert.strictEqual(exportsMap["./internal/*"], null)
      for (const [subpath, value] of Object.entries(exportsMap)) {
        if (value === null || subpath === "./package.json") continue
        assert.isObject(value, `exports["${subpath}"] has no conditions, so no types`)
        const conditions = Object.keys(value as object)
        assert.strictEqual(conditions[0], "types", `exports["${subpath}"] must list "types" first`)
        assert.strictEqual(conditions.at(-1), "default", `exports["${subpath}"] must end with "default"`)
        for (const target of targetsOf(value)) assert.match(target, /^\.\/dist\//, `exports["${subpath}"] → ${target}`)
      }
      // Tools that predate `exports` read main and types: they must name the root entry's files.
      const root = exportsMap["."] as Record<string, string>
      assert.strictEqual(manifest.main, root.default, 'main differs from exports["."].default')
      assert.strictEqual(manifest.types, root.types, 'types differs from exports["."].types')
    })

    it("publishes dist, README and CHANGELOG, and no sources or tests", () => {
      assert.includeMembers([...(manifest.files ?? [])], ["dist", "README.md", "CHANGELOG.md"])
      assert.isTrue(fs.existsSync(path.join(dir, "README.md")), "README.md is missing")
      const files = [...readTarball(tarballOf(manifest.name)).keys()]
      assert.include(files, "README.md")
      assert.include(files, "LICENSE")
      const unexpected = files.filter(
        (file) => !/^(dist\/|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE$)/.test(file)
      )
      assert.deepStrictEqual(unexpected, [], "the tarball ships files outside dist/")
    })

    it("ships every file its exports map, main, types and bin point at", () => {
      const files = new Set(readTarball(tarballOf(manifest.name)).keys())
      const bins = typeof manifest.bin === "string" ? [manifest.bin] : Object.values(manifest.bin ?? {})
      const targets = [...targetsOf(manifest.exports), manifest.main, manifest.types, ...bins].filter(
        (target): target is string => target !== undefined && !target.includes("*") && target !== "./package.json"
      )
      const missing = targets.filter((target) => !files.has(path.posix.normalize(target)))
      assert.deepStrictEqual(missing, [], "the tarball lacks files the manifest points at")
    })

    it("takes effect as a peer dependency, never a dependency", () => {
      assert.strictEqual(manifest.peerDependencies?.effect, EFFECT_PEER_RANGE)
      assert.notProperty(manifest.dependencies ?? {}, "effect")
    })

    it("replaces workspace and catalog ranges with versions when packed", () => {
      const text = readTarball(tarballOf(manifest.name)).get("package.json")?.toString("utf8") ?? ""
      const packedManifest = JSON.parse(text) as Manifest
      for (const field of dependencyFields) {
        for (const [name, range] of Object.entries(packedManifest[field] ?? {})) {
          assert.notMatch(range, /^(workspace|catalog):/, `${field}.${name} is ${range} in the tarball`)
        }
      }
      assert.notMatch(text, /"(workspace|catalog):/)
    })

    it("depends only on published @credkit packages", () => {
      const internal = [
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {})
      ].filter((name) => name.startsWith("@credkit/"))
      for (const name of internal) assert.isTrue(published.has(name), `${name} is not a published package`)
    })

    it("declares every package that its shipped code and types import", () => {
      const packedManifest = JSON.parse(
        readTarball(tarballOf(manifest.name)).get("package.json")?.toString("utf8") ?? "{}"
      ) as Manifest
      const declared = new Set([
        manifest.name,
        ...Object.keys(packedManifest.dependencies ?? {}),
        ...Object.keys(packedManifest.peerDependencies ?? {}),
        ...Object.keys(packedManifest.optionalDependencies ?? {})
      ])
      const undeclared: Array<string> = []
      for (const [file, content] of readTarball(tarballOf(manifest.name))) {
        if (!/\.(mjs|js|cjs|d\.mts|d\.ts|d\.cts)$/.test(file)) continue
        for (const specifier of moduleSpecifiers(content.toString("utf8"))) {
          const name = packageOf(specifier)
          if (name !== undefined && !declared.has(name)) undeclared.push(`${file} imports ${specifier}`)
        }
      }
      assert.deepStrictEqual(undeclared, [], "imports of packages that are not dependencies or peers")
    })

    it("has a pending changeset or a changelog", () => {
      const hasChangelog = fs.existsSync(path.join(dir, "CHANGELOG.md"))
      const hasChangeset = pendingChangesets().some((changeset) => frontMatterNames(changeset).includes(manifest.name))
      assert.isTrue(hasChangelog || hasChangeset, `no .changeset/*.md names ${manifest.name} and no CHANGELOG.md`)
    })
  })
})
