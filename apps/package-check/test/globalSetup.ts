/**
 * Packs every published package once per run, as `pnpm publish` would, and hands the tarballs to the test files.
 * A package that fails to pack is reported by the tests, not here, so the other packages are still checked.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { TestProject } from "vitest/node"

import { type Packed, pack, publishedPackages } from "../src/workspace.js"

declare module "vitest" {
  export interface ProvidedContext {
    packed: ReadonlyArray<Packed>
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const destination = fs.mkdtempSync(path.join(os.tmpdir(), "credkit-pack-"))
  const packed: Array<Packed> = []
  // One at a time: packing is quick next to the npm install that follows.
  for (const workspace of publishedPackages()) packed.push(await pack(workspace, destination))
  project.provide("packed", packed)
  return () => fs.rmSync(destination, { recursive: true, force: true })
}
