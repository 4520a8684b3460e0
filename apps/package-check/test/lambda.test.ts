import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import * as zlib from "node:zlib"

import { assert, describe, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import { afterAll, beforeAll } from "vitest"

import { consumerEnvironment, FIXTURE_CREDENTIALS } from "../src/consumer.js"
import { describeRun, exec } from "../src/exec.js"

const HANDLER = path.resolve(import.meta.dirname, "../src/lambdaHandler.ts")
const LOOPBACK_ONLY = pathToFileURL(path.resolve(import.meta.dirname, "../fixtures/consumer/loopback-only.mjs")).href

// What the Lambda runtime does with a handler module: import it, call `handler`, serialize what it returns.
const INVOKE = `import { handler } from "./handler.mjs"
const settled = await handler({}, {}).then(
  (value) => ({ ok: true, value }),
  (error) => ({ ok: false, name: error?.name, reason: error?.reason?._tag })
)
console.log(JSON.stringify(settled))
`

let dir: string
let build: esbuild.BuildResult<{ metafile: true }>

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "credkit-lambda-"))
  fs.writeFileSync(path.join(dir, "invoke.mjs"), INVOKE)
  build = await esbuild.build({
    entryPoints: [HANDLER],
    bundle: true,
    platform: "node",
    format: "esm",
    minify: true,
    target: "node22",
    outfile: path.join(dir, "handler.mjs"),
    metafile: true,
    logLevel: "silent"
  })
}, 120_000)

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const invoke = async (variables: Record<string, string>) => {
  const result = await exec(process.execPath, ["--import", LOOPBACK_ONLY, "invoke.mjs"], {
    cwd: dir,
    env: consumerEnvironment(dir, variables),
    timeout: 60_000
  })
  assert.strictEqual(result.code, 0, describeRun("node invoke.mjs", result))
  return JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "") as unknown
}

describe("lambda bundle", () => {
  it("bundles a fromDefaultChain handler into one ES module that imports only Node.js built-ins", () => {
    assert.deepStrictEqual(build.errors, [])
    const imports = Object.values(build.metafile.outputs).flatMap((file) => file.imports)
    const nonBuiltin = imports.filter((entry) => !entry.path.startsWith("node:"))
    assert.deepStrictEqual(nonBuiltin, [], "the bundle imports packages at run time")
    const bytes = fs.readFileSync(path.join(dir, "handler.mjs"))
    const gzip = zlib.gzipSync(bytes, { level: 9 }).length
    console.log(
      `lambda bundle (fromDefaultChain, esbuild --minify, node22 ESM): ${(bytes.length / 1024).toFixed(1)} KiB raw, ` +
        `${(gzip / 1024).toFixed(1)} KiB gzip, ${Object.keys(build.metafile.inputs).length} input files`
    )
    for (const warning of build.warnings) console.log(`esbuild warning: ${warning.text}`)
    // CommonJS modules inside an ES module bundle keep their require() calls, which throw "Dynamic require of ...
    // is not supported" when reached: listed so a change in what the chain pulls in is visible in the log.
    const requires = Object.entries(build.metafile.inputs).flatMap(([file, input]) =>
      input.imports
        .filter((entry) => entry.kind === "require-call" && entry.external === true)
        .map((entry) => `${file.replace(/^.*node_modules\//, "")} → ${entry.path}`)
    )
    if (requires.length > 0) console.log(`require() calls left in the bundle:\n  ${requires.join("\n  ")}`)
  })

  it("answers from environment credentials under plain node", async () => {
    assert.deepStrictEqual(await invoke({ ...FIXTURE_CREDENTIALS }), {
      ok: true,
      value: { source: "env", accessKeyIdSuffix: FIXTURE_CREDENTIALS.AWS_ACCESS_KEY_ID.slice(-4) }
    })
  })

  it("rejects with ChainExhausted under plain node when no source has credentials", async () => {
    assert.deepStrictEqual(await invoke({}), { ok: false, name: "CredentialsError", reason: "ChainExhausted" })
  })
})
