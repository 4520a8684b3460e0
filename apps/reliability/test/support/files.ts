/**
 * Temporary files for one test file: a directory under the system temp dir, removed after the file's tests.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll } from "@effect/vitest"

let directory: string | undefined
let counter = 0

// Registered when a test file imports this module, so it runs after that file's tests.
afterAll(() => {
  if (directory !== undefined) Fs.rmSync(directory, { recursive: true, force: true })
  directory = undefined
})

/** The test file's temporary directory, created on first use. */
export const tempDir = (): string => {
  directory ??= Fs.mkdtempSync(Path.join(Os.tmpdir(), "credkit-reliability-"))
  return directory
}

/** A fresh path in the temporary directory (the file is not created). */
export const tempFile = (name: string): string => Path.join(tempDir(), `${++counter}-${name}`)

/** Writes `text` to a fresh temporary file and returns its path. */
export const writeTemp = (name: string, text: string, mode = 0o600): string => {
  const path = tempFile(name)
  Fs.writeFileSync(path, text, { mode })
  return path
}
