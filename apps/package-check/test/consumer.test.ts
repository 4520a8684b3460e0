import * as fs from "node:fs"
import * as path from "node:path"

import { assert, describe, it } from "@effect/vitest"
import { afterAll, beforeAll, inject } from "vitest"

import {
  type ConsumerProject,
  createConsumerProject,
  FIXTURE_CREDENTIALS,
  lastJsonLine,
  runScript,
  startBin
} from "../src/consumer.js"
import { describeRun, type ExecResult, exec } from "../src/exec.js"
import { EXPECTED_EXPORTS, EXPECTED_MEMBERS } from "../src/expectations.js"

type ModuleShape = Record<string, { readonly kind: string; readonly members: ReadonlyArray<string> }>

interface Settled<A> {
  readonly ok: boolean
  readonly value?: A
  readonly error?: {
    readonly name?: string
    readonly isCredentialsError: boolean
    readonly reason?: string
    readonly tryNextLink?: boolean
    readonly message: string
  }
}

interface Resolutions {
  readonly promise: Record<"fromEnv" | "fromDefaultChain" | "toCredentialIdentityProvider", Settled<unknown>>
  readonly effect: Record<"EnvCredentials" | "DefaultCredentials", Settled<unknown>>
}

const packed = inject("packed")
let project: ConsumerProject | undefined

beforeAll(async () => {
  project = await createConsumerProject(packed.flatMap((entry) => (entry.tarball === undefined ? [] : [entry.tarball])))
}, 600_000)

afterAll(() => {
  if (project !== undefined) fs.rmSync(project.dir, { recursive: true, force: true })
})

const installed = (): string => {
  assert.isDefined(project, "the consumer project was not created")
  assert.strictEqual(project.install.code, 0, describeRun("npm install", project.install))
  return project.dir
}

// Each script runs once; the tests that read its output share the run.
const memo = <A>(run: () => Promise<A>): (() => Promise<A>) => {
  let result: Promise<A> | undefined
  return () => (result ??= run())
}

const parsed = <A>(label: string, result: ExecResult): A => {
  assert.strictEqual(result.code, 0, describeRun(label, result))
  for (const secret of [FIXTURE_CREDENTIALS.AWS_SECRET_ACCESS_KEY, FIXTURE_CREDENTIALS.AWS_SESSION_TOKEN]) {
    assert.notInclude(result.stdout + result.stderr, secret, `${label} printed a secret`)
  }
  return lastJsonLine(result.stdout) as A
}

const esmImports = memo(async () =>
  parsed<Record<string, ModuleShape>>("imports.mjs", await runScript(installed(), "imports.mjs"))
)
// Bundlers resolve the `module` condition (@credkit/credentials points it at an entry without the lazy facade).
const bundlerImports = memo(async () =>
  parsed<Record<string, ModuleShape>>(
    "imports.mjs --conditions=module",
    await runScript(installed(), "imports.mjs", {}, ["--conditions=module"])
  )
)
const cjsImports = memo(async () =>
  parsed<Record<string, ModuleShape>>("imports.cjs", await runScript(installed(), "imports.cjs"))
)
const withCredentials = (script: string) =>
  memo(async () => parsed<Resolutions>(script, await runScript(installed(), script, { ...FIXTURE_CREDENTIALS })))
const esmWithCredentials = withCredentials("credentials.mjs")
const cjsWithCredentials = withCredentials("credentials.cjs")

const identity = {
  accessKeyId: FIXTURE_CREDENTIALS.AWS_ACCESS_KEY_ID,
  source: "env",
  secretMatches: true,
  sessionTokenMatches: true
}
const credentials = { ...identity, secretIsRedacted: true }

const typecheck = async (config: string) => {
  const dir = installed()
  const result = await exec(process.execPath, [path.join(dir, "node_modules/typescript/bin/tsc"), "-p", config], {
    cwd: dir
  })
  assert.strictEqual(result.code, 0, describeRun(`tsc -p ${config}`, result))
}

describe("consumer", () => {
  it("installs every packed tarball with npm, each package once", () => {
    for (const entry of packed) assert.isDefined(entry.tarball, `${entry.name}: ${entry.error}`)
    const dir = installed()
    const lock = JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8")) as {
      packages: Record<string, { readonly resolved?: string; readonly version?: string }>
    }
    for (const entry of packed) {
      const record = lock.packages[`node_modules/${entry.name}`]
      assert.isDefined(record, `${entry.name} is not installed`)
      assert.match(record.resolved ?? "", /^file:/, `${entry.name} did not come from its tarball`)
    }
    const nested = Object.keys(lock.packages).filter((key) =>
      /node_modules\/.+\/node_modules\/(@credkit\/[^/]+|effect)$/.test(key)
    )
    assert.deepStrictEqual(nested, [], "a second copy of a @credkit package or of effect was installed")
  })

  describe("import", () => {
    it("imports every entry point of every package from an ES module", async () => {
      const modules = await esmImports()
      for (const entry of packed) {
        assert.property(modules, entry.name, `${entry.name} was not imported`)
        const shape = modules[entry.name]!
        assert.includeMembers(Object.keys(shape), [...(EXPECTED_EXPORTS[entry.name] ?? [])], `${entry.name} exports`)
        for (const [name, members] of Object.entries(EXPECTED_MEMBERS)) {
          if (shape[name] !== undefined)
            assert.includeMembers([...shape[name].members], [...members], `${name} members`)
        }
      }
      for (const [specifier, shape] of Object.entries(modules)) {
        assert.isAbove(Object.keys(shape).length, 0, `${specifier} exports nothing`)
      }
    })

    it("requires every entry point from CommonJS with the same exports", async () => {
      assert.deepStrictEqual(await cjsImports(), await esmImports())
    })

    it("resolves the same exports under the module condition that bundlers use", async () => {
      assert.deepStrictEqual(await bundlerImports(), await esmImports())
    })
  })

  describe("Promise API", () => {
    it("resolves environment credentials with fromEnv, fromDefaultChain and the bridge", async () => {
      const result = await esmWithCredentials()
      assert.deepStrictEqual(result.promise, {
        fromEnv: { ok: true, value: identity },
        fromDefaultChain: { ok: true, value: identity },
        toCredentialIdentityProvider: { ok: true, value: identity }
      })
    })

    it("resolves environment credentials when required from CommonJS", async () => {
      assert.deepStrictEqual((await cjsWithCredentials()).promise, (await esmWithCredentials()).promise)
    })
  })

  describe("Effect API", () => {
    it("resolves environment credentials through EnvCredentials and DefaultCredentials layers", async () => {
      const result = await esmWithCredentials()
      assert.deepStrictEqual(result.effect, {
        EnvCredentials: { ok: true, value: credentials },
        DefaultCredentials: { ok: true, value: credentials }
      })
    })

    it("resolves environment credentials when required from CommonJS", async () => {
      assert.deepStrictEqual((await cjsWithCredentials()).effect, (await esmWithCredentials()).effect)
    })
  })

  describe("without credentials", () => {
    it("rejects with CredentialsError when no source has credentials", async () => {
      const result = parsed<Resolutions>("credentials.mjs", await runScript(installed(), "credentials.mjs"))
      const outcome = (settled: Settled<unknown>) => ({
        ok: settled.ok,
        name: settled.error?.name,
        isCredentialsError: settled.error?.isCredentialsError,
        reason: settled.error?.reason
      })
      const failed = (reason: string) => ({ ok: false, name: "CredentialsError", isCredentialsError: true, reason })
      assert.deepStrictEqual(
        {
          fromEnv: outcome(result.promise.fromEnv),
          fromDefaultChain: outcome(result.promise.fromDefaultChain),
          toCredentialIdentityProvider: outcome(result.promise.toCredentialIdentityProvider),
          EnvCredentials: outcome(result.effect.EnvCredentials),
          DefaultCredentials: outcome(result.effect.DefaultCredentials)
        },
        {
          fromEnv: failed("Unavailable"),
          fromDefaultChain: failed("ChainExhausted"),
          toCredentialIdentityProvider: failed("Unavailable"),
          EnvCredentials: failed("Unavailable"),
          DefaultCredentials: failed("ChainExhausted")
        }
      )
    })
  })

  describe("emulators", () => {
    it("runs every bin of every package with --help", async () => {
      const dir = installed()
      for (const entry of packed) {
        const manifest = JSON.parse(
          fs.readFileSync(path.join(dir, "node_modules", entry.name, "package.json"), "utf8")
        ) as { bin?: Record<string, string> }
        for (const bin of Object.keys(manifest.bin ?? {})) {
          const result = await exec(path.join(dir, "node_modules", ".bin", bin), ["--help"], {
            cwd: dir,
            timeout: 30_000
          })
          assert.strictEqual(result.code, 0, describeRun(`${bin} --help`, result))
          assert.match(result.stdout + result.stderr, /Usage/, `${bin} --help prints no usage`)
        }
      }
    })

    it.each([
      { bin: "credkit-container-emulator", variables: {}, source: "container" },
      { bin: "credkit-imds-emulator", variables: { AWS_EC2_METADATA_DISABLED: "false" }, source: "ec2:credkit-role" }
    ])("resolves fromDefaultChain from $bin on 127.0.0.1", async ({ bin, variables, source }) => {
      const dir = installed()
      const emulator = await startBin(dir, bin)
      try {
        const result = await runScript(dir, "emulator.mjs", { ...variables, [emulator.variable]: emulator.url })
        assert.deepStrictEqual(parsed("emulator.mjs", result), { source, hasSessionToken: true, expiresInFuture: true })
      } finally {
        emulator.stop()
      }
    })
  })

  describe("types", () => {
    it("type-checks a consumer (ESM and CommonJS) with module nodenext", () => typecheck("tsconfig.nodenext.json"))

    it("type-checks a consumer with moduleResolution bundler", () => typecheck("tsconfig.bundler.json"))
  })
})
