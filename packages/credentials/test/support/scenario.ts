/**
 * Lays out a default-chain scenario of the shared vectors for one test: `fs/home/**` written as real files in a
 * temporary home, `fs/token.jwt` next to it, and the scenario's environment with `HOME` and every `/token.jwt`
 * rewritten to those paths. Everything is removed with the test's scope.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

import * as Effect from "effect/Effect"

/** The shared vectors, read at run time (never copied into the repository). */
export const VECTORS = path.resolve(import.meta.dirname, "../../../../../shared/vectors")

/** A fresh directory under the system temp directory, removed with the test's scope. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "credkit-credentials-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

export const readJson = <A>(file: string): A => JSON.parse(fs.readFileSync(file, "utf8")) as A

// The recorded file-system root: /home and /token.jwt of the scenarios.
const RECORDED_HOME = "/home"
const RECORDED_TOKEN = "/token.jwt"

const copyTree = (from: string, to: string, rewrite: (text: string) => string): void => {
  fs.mkdirSync(to, { recursive: true })
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name)
    const target = path.join(to, entry.name)
    if (entry.isDirectory()) copyTree(source, target, rewrite)
    else fs.writeFileSync(target, rewrite(fs.readFileSync(source, "utf8")))
  }
}

/** The scenario's home and environment, laid out in a temporary directory. */
export const layOut = (dir: string) =>
  Effect.map(tempDir, (root) => {
    const home = path.join(root, "home")
    const token = path.join(root, "token.jwt")
    const rewrite = (text: string) => text.split(RECORDED_TOKEN).join(token)
    if (fs.existsSync(path.join(dir, "fs", "home"))) copyTree(path.join(dir, "fs", "home"), home, rewrite)
    else fs.mkdirSync(home)
    if (fs.existsSync(path.join(dir, "fs", "token.jwt"))) fs.copyFileSync(path.join(dir, "fs", "token.jwt"), token)
    // EXPOSE_SECRETS_FOR_TESTS switches the Rust runner's log check; it means nothing here (vectors README §6).
    const { EXPOSE_SECRETS_FOR_TESTS: _, ...recorded } = readJson<Record<string, string>>(path.join(dir, "env.json"))
    const env: Record<string, string> = {}
    for (const [name, value] of Object.entries(recorded)) {
      env[name] = value === RECORDED_TOKEN ? token : value === RECORDED_HOME ? home : value
    }
    // A scenario without HOME still must not see the real home directory (vectors README rule #1).
    env.HOME = home
    return { root, home, token, env }
  })
