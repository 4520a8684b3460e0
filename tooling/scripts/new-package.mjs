#!/usr/bin/env node
// The one skeleton every library starts from: `node tooling/scripts/new-package.mjs <name> "<description>"`.
// Writes packages/<name>/{package.json,tsconfig.json,tsdown.config.ts,vitest.config.ts,src/index.ts,README.md}.
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const [name, description = ""] = process.argv.slice(2)
if (!name) {
  console.error("usage: new-package.mjs <name> <description>")
  process.exit(2)
}
const dir = join(import.meta.dirname, "..", "..", "packages", name)
if (existsSync(join(dir, "package.json"))) {
  console.error(`packages/${name} exists`)
  process.exit(1)
}
mkdirSync(join(dir, "src", "internal"), { recursive: true })
mkdirSync(join(dir, "test"), { recursive: true })
const manifest = {
  name: `@credkit/${name}`,
  version: "0.0.0",
  description,
  license: "Apache-2.0",
  repository: { type: "git", url: "git+https://github.com/credkit/credkit.git", directory: `packages/${name}` },
  keywords: ["aws", "credentials", "effect"],
  type: "module",
  sideEffects: false,
  engines: { node: ">=22.12" },
  exports: {
    ".": { types: "./dist/index.d.mts", default: "./dist/index.mjs" },
    "./package.json": "./package.json",
    "./internal/*": null
  },
  main: "./dist/index.mjs",
  types: "./dist/index.d.mts",
  files: ["dist", "README.md", "CHANGELOG.md"],
  scripts: {
    build: "tsdown",
    typecheck: "tsc --noEmit",
    lint: "biome check .",
    format: "biome format --write .",
    test: "vitest run",
    clean: "rm -rf dist .turbo .vitest-report.json"
  },
  peerDependencies: { effect: "^4.1.5" },
  dependencies: { "@credkit/core": "workspace:^" },
  devDependencies: {
    "@credkit/tsconfig": "workspace:*",
    "@credkit/tsdown-config": "workspace:*",
    "@credkit/vitest-config": "workspace:*",
    "@effect/vitest": "catalog:",
    "@types/node": "catalog:",
    effect: "catalog:",
    tsdown: "catalog:",
    typescript: "catalog:",
    vitest: "catalog:"
  }
}
const files = {
  "package.json": JSON.stringify(manifest, null, 2) + "\n",
  "tsconfig.json":
    JSON.stringify(
      {
        extends: "@credkit/tsconfig/base.json",
        compilerOptions: { rootDir: ".", outDir: "dist", noEmit: true },
        include: ["src", "test"]
      },
      null,
      2
    ) + "\n",
  "tsdown.config.ts": `import { libraryBuild } from "@credkit/tsdown-config"
import { defineConfig } from "tsdown"

export default defineConfig(libraryBuild())
`,
  "vitest.config.ts": `import { credkitVitest } from "@credkit/vitest-config"
import { defineConfig } from "vitest/config"

export default defineConfig(credkitVitest())
`,
  "src/index.ts": "export {}\n",
  "README.md": `# @credkit/${name}\n\n${description}\n`
}
for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text)
console.log(`created packages/${name}`)
