import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { promisify } from "node:util"

import { afterEach, assert, beforeAll, describe, it } from "@effect/vitest"

/**
 * The built package as users get it, each case in a fresh Node process whose module resolutions are recorded
 * (`node --import` with a `registerHooks` recorder), with only the environment the case gives.
 */

const PACKAGE = path.resolve(import.meta.dirname, "..")
const HOOK = pathToFileURL(path.join(import.meta.dirname, "fixtures", "record-imports.mjs")).href
const NODE_ENTRY = pathToFileURL(path.join(PACKAGE, "dist", "index.node.mjs")).href
const BUNDLER_ENTRY = pathToFileURL(path.join(PACKAGE, "dist", "index.mjs")).href

const KEYS = { AWS_ACCESS_KEY_ID: "AKIAPACKAGEGRAPH0001", AWS_SECRET_ACCESS_KEY: "package-graph-secret" }
// No profile files and no IMDS, unless a case says otherwise.
const QUIET = {
  AWS_CONFIG_FILE: "/nonexistent/credkit-test/config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credkit-test/credentials",
  AWS_EC2_METADATA_DISABLED: "true"
}

interface Loaded {
  readonly outcome: unknown
  readonly urls: ReadonlyArray<string>
}

// Runs `program` (an ES module body that sets `outcome`) in a fresh process, printing `outcome` and every URL the
// process resolved after a marker (Effect's default logger may print before it).
const MARK = "\n@@credkit-outcome@@"
const load = async (program: string, env: Record<string, string>, flags: ReadonlyArray<string> = []) => {
  const report = `
    const urls = globalThis[Symbol.for("credkit.test.resolvedUrls")]
    process.stdout.write(${JSON.stringify(MARK)} + JSON.stringify({ outcome, urls }))`
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...flags, "--import", HOOK, "--input-type=module", "-e", `let outcome\n${program}\n${report}`],
    { cwd: PACKAGE, env: { PATH: process.env.PATH ?? "", HOME: os.tmpdir(), ...QUIET, ...env } }
  )
  return JSON.parse(stdout.slice(stdout.lastIndexOf(MARK) + MARK.length)) as Loaded
}

const effectUrls = (urls: ReadonlyArray<string>) => urls.filter((url) => url.includes("/effect/"))
const adapterUrls = (urls: ReadonlyArray<string>) =>
  urls.filter((url) => /\/(profile|ec2|ecs|core)\/dist\/|client-sts|credential-provider-/.test(url))
const ioUrls = (urls: ReadonlyArray<string>) =>
  urls.filter((url) => /^node:(https?|net|child_process|fs|fs\/promises)$/.test(url))

const homes: Array<string> = []
afterEach(() => {
  for (const home of homes.splice(0)) fs.rmSync(home, { recursive: true, force: true })
})

beforeAll(() => {
  assert.isTrue(fs.existsSync(new URL(NODE_ENTRY)), "the package is built (pnpm exec tsdown)")
})

describe("@credkit/credentials", () => {
  describe("import graph", () => {
    it("imports without side effects: no Effect, adapter or I/O module is loaded", async () => {
      const loaded = await load(`const credentials = await import("@credkit/credentials"); outcome = "imported"`, KEYS)

      assert.include(loaded.urls, NODE_ENTRY)
      assert.deepStrictEqual(effectUrls(loaded.urls), [])
      assert.deepStrictEqual(adapterUrls(loaded.urls), [])
      assert.deepStrictEqual(ioUrls(loaded.urls), [])
    })

    it("answers from environment keys (Lambda) without loading Effect, an adapter, HTTP or STS code", async () => {
      const loaded = await load(
        `const { fromDefaultChain } = await import("@credkit/credentials")
         outcome = (await fromDefaultChain()()).source`,
        KEYS
      )

      assert.strictEqual(loaded.outcome, "env")
      assert.deepStrictEqual(effectUrls(loaded.urls), [])
      assert.deepStrictEqual(adapterUrls(loaded.urls), [])
      assert.deepStrictEqual(ioUrls(loaded.urls), [])
    })

    it("provides DefaultCredentials.layer through the same Node entry, loading the Effect API on first use", async () => {
      const loaded = await load(
        `const { DefaultCredentials, fromDefaultChain } = await import("@credkit/credentials")
         await fromDefaultChain()()
         const seen = globalThis[Symbol.for("credkit.test.resolvedUrls")]
         const before = seen.filter((url) => url.includes("DefaultCredentials")).length
         const layer = DefaultCredentials.layer()
         const Effect = await import("effect/Effect")
         const { CredentialsProvider } = await import("@credkit/core")
         const credentials = await Effect.runPromise(
           CredentialsProvider.use((provider) => provider.get).pipe(Effect.provide(layer))
         )
         outcome = { before, after: seen.filter((url) => url.includes("DefaultCredentials")).length, source: credentials.source }`,
        KEYS
      )

      const outcome = loaded.outcome as { before: number; after: number; source: string }
      assert.strictEqual(outcome.before, 0)
      assert.isAbove(outcome.after, 0)
      assert.strictEqual(outcome.source, "env")
    })

    it("loads only the adapters the chain reaches: the profile package on a laptop", async () => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), "credkit-package-"))
      homes.push(home)
      const credentials = path.join(home, "credentials")
      fs.writeFileSync(credentials, "[default]\naws_access_key_id = AKIAPACKAGELAPTOP001\naws_secret_access_key = s\n")

      const loaded = await load(
        `const { fromDefaultChain } = await import("@credkit/credentials")
         outcome = (await fromDefaultChain()()).source`,
        { AWS_SHARED_CREDENTIALS_FILE: credentials }
      )

      assert.strictEqual(loaded.outcome, "profile:default")
      assert.isTrue(loaded.urls.some((url) => url.includes("/profile/dist/")))
      assert.deepStrictEqual(
        loaded.urls.filter((url) => /\/(ec2|ecs)\/dist\/|client-sts|credential-provider-|^node:https?$/.test(url)),
        []
      )
      assert.isFalse(
        effectUrls(loaded.urls).some((url) => /\/dist\/(Config|Schema)\.js$/.test(url)),
        "no Config or Schema module of effect"
      )
    })

    it("gives bundlers (the module condition) an entry that loads no adapter at import", async () => {
      const loaded = await load(
        `const credentials = await import("@credkit/credentials"); outcome = import.meta.resolve("@credkit/credentials")`,
        KEYS,
        ["--conditions=module"]
      )

      assert.strictEqual(loaded.outcome, BUNDLER_ENTRY)
      assert.include(loaded.urls, BUNDLER_ENTRY)
      assert.deepStrictEqual(
        loaded.urls.filter((url) => /\/(profile|ec2|ecs)\/dist\/|client-sts|credential-provider-/.test(url)),
        []
      )
      assert.deepStrictEqual(ioUrls(loaded.urls), [])
    })
  })

  describe("exports", () => {
    const shape = `const shape = (m) => ({
      names: Object.keys(m).sort(),
      effect: Object.keys(m.DefaultCredentials).sort(),
      functions: [typeof m.fromDefaultChain, typeof m.explain, typeof m.DefaultCredentials.layer]
    })`

    it("serves the same names to Node (import and require) and to bundlers", async () => {
      const node = await load(`${shape}\noutcome = shape(await import("@credkit/credentials"))`, KEYS)
      const bundler = await load(`${shape}\noutcome = shape(await import("@credkit/credentials"))`, KEYS, [
        "--conditions=module"
      ])
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["-e", `${shape}\nprocess.stdout.write(JSON.stringify(shape(require("@credkit/credentials"))))`],
        { cwd: PACKAGE, env: { PATH: process.env.PATH ?? "" } }
      )

      const expected = {
        names: ["DefaultCredentials", "explain", "fromDefaultChain"],
        effect: ["explain", "layer", "layerConfig", "source", "sources"],
        functions: ["function", "function", "function"]
      }
      assert.deepStrictEqual(node.outcome, expected)
      assert.deepStrictEqual(bundler.outcome, expected)
      assert.deepStrictEqual(JSON.parse(stdout), expected)
    })
  })
})
