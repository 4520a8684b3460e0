/** Where the app's built files are, from either `src/demo/` (tests) or `dist/` (the bundled demo). */
import { existsSync } from "node:fs"
import * as Path from "node:path"

/** The app directory: the nearest ancestor holding a package.json. */
export const appDir = (from: string = import.meta.dirname): string => {
  let dir = from
  while (!existsSync(Path.join(dir, "package.json"))) {
    const parent = Path.dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${from}`)
    dir = parent
  }
  return dir
}

export const cliPath = (app: string): string => Path.join(app, "dist", "cli.mjs")
export const handlerBundlePath = (app: string): string => Path.join(app, "dist", "lambda", "handler.mjs")
/** The repository root (the app lives in `apps/s3-uploader`). */
export const repoRoot = (app: string): string => Path.resolve(app, "..", "..")
