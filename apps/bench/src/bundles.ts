/**
 * The esbuild bundles of the start-up scenario (the same handler for both SDKs): a single minified file, which
 * the bundled start-up scenarios run and whose gzip size is measured, and a build with code splitting, where only
 * the entry chunk and the chunks it imports statically load at start-up (dynamic imports load later, if ever).
 */
import { readFileSync } from "node:fs"
import { join, relative, sep } from "node:path"
import { gzipSync } from "node:zlib"
import * as esbuild from "esbuild"

import { SCENARIOS_DIR } from "./child.ts"
import type { Side } from "./scenarios/shared.ts"

export interface SideBundles {
  /** The single-file bundle, runnable with `node`. */
  readonly singleFile: string
  readonly singleBytes: number
  readonly singleGzipBytes: number
  /** Gzip bytes of what a start-up loads from the code-split build: the entry chunk and its static imports. */
  readonly splitStartupGzipBytes: number
  readonly splitStartupFiles: number
  /** Gzip bytes of every chunk of the code-split build. */
  readonly splitTotalGzipBytes: number
}

// An ES module has no `require`; CommonJS code bundled into one (the AWS SDK's "main" builds) needs it for Node.js
// built-ins. Both sides get this banner, the usual one for ESM bundles on Lambda.
const REQUIRE_BANNER =
  'import { createRequire as __benchCreateRequire } from "node:module"; const require = __benchCreateRequire(import.meta.url);'

const COMMON: esbuild.BuildOptions = {
  bundle: true,
  banner: { js: REQUIRE_BANNER },
  minify: true,
  platform: "node",
  format: "esm",
  target: "node22",
  metafile: true,
  logLevel: "error"
}

const gzipBytes = (file: string): number => gzipSync(readFileSync(file)).length

const entryOf = (side: Side): string => join(SCENARIOS_DIR, `startup-${side}.mjs`)

// Paths in the metafile are relative to esbuild's working directory, pinned to `root`. With code splitting every
// dynamically imported module is an entry point too, so the entry chunk is found by its source file.
const startupClosure = (metafile: esbuild.Metafile, root: string, source: string): ReadonlyArray<string> => {
  const entryPoint = relative(root, source).split(sep).join("/")
  const entry = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint === entryPoint)
  if (entry === undefined) throw new Error(`the code-split build has no chunk for ${entryPoint}`)
  const seen = new Set<string>([entry[0]])
  const pending = [entry[0]]
  while (pending.length > 0) {
    const output = metafile.outputs[pending.pop()!]
    for (const imported of output?.imports ?? []) {
      if (imported.kind !== "import-statement" || imported.external === true || seen.has(imported.path)) continue
      seen.add(imported.path)
      pending.push(imported.path)
    }
  }
  return [...seen].map((path) => join(root, path))
}

const buildSide = async (side: Side, dir: string): Promise<SideBundles> => {
  const singleFile = join(dir, `single-${side}`, "handler.mjs")
  // esbuild defaults otherwise: for platform node, CommonJS builds ("main") win over ESM builds ("module").
  await esbuild.build({ ...COMMON, absWorkingDir: dir, entryPoints: [entryOf(side)], outfile: singleFile })

  // Code splitting needs ESM, so this build prefers each package's ESM build ("module" before "main").
  const split = await esbuild.build({
    ...COMMON,
    absWorkingDir: dir,
    entryPoints: [entryOf(side)],
    outdir: join(dir, `split-${side}`),
    splitting: true,
    mainFields: ["module", "main"]
  })
  const startup = startupClosure(split.metafile!, dir, entryOf(side))
  const all = Object.keys(split.metafile!.outputs)
    .filter((path) => path.endsWith(".js") || path.endsWith(".mjs"))
    .map((path) => join(dir, path))

  return {
    singleFile,
    singleBytes: readFileSync(singleFile).length,
    singleGzipBytes: gzipBytes(singleFile),
    splitStartupGzipBytes: startup.reduce((sum, file) => sum + gzipBytes(file), 0),
    splitStartupFiles: startup.length,
    splitTotalGzipBytes: all.reduce((sum, file) => sum + gzipBytes(file), 0)
  }
}

/** Builds both sides' bundles into `dir`. */
export const buildBundles = async (dir: string): Promise<Record<Side, SideBundles>> => ({
  credkit: await buildSide("credkit", dir),
  aws: await buildSide("aws", dir)
})
