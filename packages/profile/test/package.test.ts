import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { promisify } from "node:util"

import { assert, describe, it } from "@effect/vitest"

const PACKAGE = path.resolve(import.meta.dirname, "..")
const HOOK = pathToFileURL(path.join(import.meta.dirname, "fixtures/record-imports.mjs")).href
const DIST_INDEX = pathToFileURL(path.join(PACKAGE, "dist/index.mjs")).href

interface Loaded {
  readonly outcome: string
  readonly urls: ReadonlyArray<string>
  readonly nativeModules: ReadonlyArray<string>
}

// Runs `program` (an ES module body) in a fresh Node process with the import recorder and only `env` set.
const load = async (program: string, env: Record<string, string>): Promise<Loaded> => {
  assert.isTrue(fs.existsSync(new URL(DIST_INDEX)), "the package is built (pnpm exec tsdown)")
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

const heavy = (loaded: Loaded) =>
  loaded.urls.filter((url) =>
    /client-sts|credential-provider|\/(ec2|ecs|env)\/dist\/|^node:(https?|child_process|net)$/.test(url)
  )

const withHome = async (credentials: string, run: (home: string) => Promise<void>) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "credkit-profile-package-"))
  try {
    fs.mkdirSync(path.join(home, ".aws"))
    fs.writeFileSync(path.join(home, ".aws", "credentials"), credentials)
    await run(home)
  } finally {
    fs.rmSync(home, { recursive: true, force: true })
  }
}

describe("@credkit/profile", () => {
  describe("import graph", () => {
    it("resolves static keys without loading the AWS SDK, other adapters, HTTP or child processes", () =>
      withHome("[default]\naws_access_key_id = AKIDGRAPH\naws_secret_access_key = s\n", async (home) => {
        const loaded = await load(
          `const { fromProfile } = await import(${JSON.stringify(DIST_INDEX)})
           const outcome = (await fromProfile()()).source`,
          { HOME: home }
        )
        assert.strictEqual(loaded.outcome, "profile:default")
        assert.deepStrictEqual(heavy(loaded), [])
        assert.notInclude(loaded.nativeModules, "NativeModule http")
        assert.notInclude(loaded.nativeModules, "NativeModule child_process")
        assert.isFalse(
          loaded.urls.some((url) => /\/effect\/dist\/(Schema|SchemaAST)\.js/.test(url)),
          "no Schema module of effect"
        )
      }))

    it("loads child_process, and nothing of STS, for a credential_process profile", () =>
      withHome(
        `[default]\ncredential_process = printf '%s' '{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"s"}'\n`,
        async (home) => {
          if (process.platform === "win32") return
          const loaded = await load(
            `const { fromProfile } = await import(${JSON.stringify(DIST_INDEX)})
             const outcome = (await fromProfile()()).source`,
            { HOME: home }
          )
          assert.strictEqual(loaded.outcome, "process:default")
          assert.include(loaded.nativeModules, "NativeModule child_process")
          assert.isFalse(loaded.urls.some((url) => /client-sts|credential-provider/.test(url)))
        }
      ))
  })

  describe("exports", () => {
    it("serves the same API to import and require", async () => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          "-e",
          `const viaRequire = require("@credkit/profile")
           import("@credkit/profile").then((viaImport) => process.stdout.write(JSON.stringify([
             Object.keys(viaRequire).sort(), viaImport.fromProfile === viaRequire.fromProfile,
             typeof viaRequire.ProfileCredentials.layer
           ])))`
        ],
        { cwd: PACKAGE, env: { PATH: process.env.PATH ?? "" } }
      )
      assert.deepStrictEqual(JSON.parse(stdout), [
        ["ProfileCredentials", "fromAssumeRole", "fromProfile"],
        true,
        "function"
      ])
    })
  })
})
