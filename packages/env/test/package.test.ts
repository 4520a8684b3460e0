import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { promisify } from "node:util"

import { assert, describe, it } from "@effect/vitest"

const PACKAGE = path.resolve(import.meta.dirname, "..")
const HOOK = pathToFileURL(path.join(import.meta.dirname, "fixtures/record-imports.mjs")).href
const DIST_FROM_ENV = pathToFileURL(path.join(PACKAGE, "dist/fromEnv.mjs")).href
const DIST_INDEX = pathToFileURL(path.join(PACKAGE, "dist/index.mjs")).href

const KEYS = { AWS_ACCESS_KEY_ID: "AKIAGRAPHTEST00001", AWS_SECRET_ACCESS_KEY: "graph-secret" }

interface Loaded {
  readonly outcome: string
  readonly urls: ReadonlyArray<string>
  readonly nativeModules: ReadonlyArray<string>
}

// Runs `program` (an ES module body) in a fresh Node process with the import recorder and only `env` set, and
// returns what it printed together with every module URL it resolved.
const load = async (program: string, env: Record<string, string>): Promise<Loaded> => {
  assert.isTrue(fs.existsSync(new URL(DIST_FROM_ENV)), "the package is built (pnpm exec tsdown)")
  const report = `
    const urls = globalThis[Symbol.for("credkit.test.resolvedUrls")]
    const nativeModules = process.moduleLoadList.filter((name) => name.startsWith("NativeModule "))
    process.stdout.write(JSON.stringify({ outcome, urls, nativeModules }))`
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", HOOK, "--input-type=module", "-e", `${program}\n${report}`],
    { cwd: PACKAGE, env: { PATH: process.env.PATH ?? "", ...env } }
  )
  return JSON.parse(stdout) as Loaded
}

const effectUrls = (loaded: Loaded) => loaded.urls.filter((url) => url.includes("/effect/"))
const coreUrls = (loaded: Loaded) => loaded.urls.filter((url) => /\/core\/dist\//.test(url))
const heavyUrls = (loaded: Loaded) =>
  loaded.urls.filter((url) =>
    /^node:(https?|fs|fs\/promises|child_process|net)$|client-sts|credential-provider/.test(url)
  )

describe("@credkit/env", () => {
  describe("import graph", () => {
    it("answers fromEnv from the environment without loading effect or @credkit/core", async () => {
      const loaded = await load(
        `const { fromEnv } = await import(${JSON.stringify(DIST_FROM_ENV)})
         const outcome = (await fromEnv()()).source`,
        KEYS
      )
      assert.strictEqual(loaded.outcome, "env")
      assert.include(loaded.urls, DIST_FROM_ENV)
      assert.deepStrictEqual(effectUrls(loaded), [])
      assert.deepStrictEqual(coreUrls(loaded), [])
      assert.deepStrictEqual(heavyUrls(loaded), [])
      assert.notInclude(loaded.nativeModules, "NativeModule http")
    })

    it("loads @credkit/core, and effect with it, only to reject", async () => {
      const loaded = await load(
        `const { fromEnv } = await import(${JSON.stringify(DIST_FROM_ENV)})
         const outcome = await fromEnv()().then(() => "resolved", (error) => error.reason._tag)`,
        {}
      )
      assert.strictEqual(loaded.outcome, "Unavailable")
      assert.isNotEmpty(coreUrls(loaded))
      assert.isNotEmpty(effectUrls(loaded))
      assert.deepStrictEqual(heavyUrls(loaded), [])
    })

    it("loads no file, HTTP or STS code when the whole package is imported", async () => {
      const loaded = await load(
        `const env = await import(${JSON.stringify(DIST_INDEX)})
         const outcome = Object.keys(env).sort().join(",")`,
        KEYS
      )
      assert.strictEqual(loaded.outcome, "EnvCredentials,fromEnv,readEnvCredentials")
      assert.isNotEmpty(effectUrls(loaded))
      assert.deepStrictEqual(heavyUrls(loaded), [])
      assert.notInclude(loaded.nativeModules, "NativeModule http")
      assert.isFalse(
        effectUrls(loaded).some((url) => /\/(Schema|SchemaAST|http)\b/.test(url)),
        "no Schema or HTTP module of effect"
      )
    })
  })

  describe("exports", () => {
    it("serves fromEnv and the reader under @credkit/env/fromEnv to import and require", async () => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          "-e",
          `const viaRequire = require("@credkit/env/fromEnv")
           import("@credkit/env/fromEnv").then((viaImport) => process.stdout.write(JSON.stringify([
             Object.keys(viaRequire).sort(), viaImport.fromEnv === viaRequire.fromEnv,
             typeof require("@credkit/env").EnvCredentials.layer
           ])))`
        ],
        { cwd: PACKAGE, env: { PATH: process.env.PATH ?? "" } }
      )
      assert.deepStrictEqual(JSON.parse(stdout), [["fromEnv", "readEnvCredentials"], true, "function"])
    })
  })
})
