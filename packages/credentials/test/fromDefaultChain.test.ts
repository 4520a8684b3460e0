import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as util from "node:util"

import { CredentialsError } from "@credkit/core"
import { Ec2Credentials } from "@credkit/ec2"
import { ContainerEmulator, ImdsEmulator } from "@credkit/testing"
import { afterEach, assert, beforeEach, describe, it, vi } from "@effect/vitest"

import { explain, fromDefaultChain } from "../src/index.js"
import { SECRETS, startBlackhole } from "./support/servers.js"

const KEYS = { AWS_ACCESS_KEY_ID: "AKIAPROMISECHAIN0001", AWS_SECRET_ACCESS_KEY: "promise-chain-secret-value" }

// process.env is the boundary of the Promise API. The shared vitest config already blanks every AWS variable and
// points the profile files at paths that do not exist; each test stubs what it needs on top, and everything it
// started is stopped afterwards.
const cleanups: Array<() => unknown> = []
const later = <A>(value: A, cleanup: (value: A) => unknown): A => {
  cleanups.push(() => cleanup(value))
  return value
}
beforeEach(() => Ec2Credentials.clearUnreachableMemory())
afterEach(async () => {
  vi.unstubAllEnvs()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const stubEnv = (env: Record<string, string>) => {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value)
}

const imds = async (options: ImdsEmulator.Options = {}) => {
  const emulator = later(await ImdsEmulator.start(options), (emu) => emu.close())
  stubEnv({ AWS_EC2_METADATA_DISABLED: "" })
  return emulator
}

const blackhole = async () => {
  stubEnv({ AWS_EC2_METADATA_DISABLED: "" })
  return later(await startBlackhole(), (hole) => hole.close())
}

const homeWith = (credentials: string) => {
  const home = later(fs.mkdtempSync(path.join(os.tmpdir(), "credkit-chain-")), (dir) =>
    fs.rmSync(dir, { recursive: true, force: true })
  )
  fs.mkdirSync(path.join(home, ".aws"))
  fs.writeFileSync(path.join(home, ".aws", "credentials"), credentials)
  stubEnv({
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, ".aws", "config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, ".aws", "credentials")
  })
  return home
}

const rejectionOf = (promise: Promise<unknown>): Promise<CredentialsError> =>
  promise.then(
    () => assert.fail("expected a rejection"),
    (error: unknown) => {
      assert.isTrue(error instanceof CredentialsError, "rejects with the CredentialsError class of @credkit/core")
      return error as CredentialsError
    }
  )

const outcomes = (error: CredentialsError) =>
  (error.attempts ?? []).map((attempt) => `${attempt.source}:${attempt.outcome}`).join(" ")

// Providers made with equal options share one cache for the life of the process, across tests too: a test that
// needs a cache of its own passes a logger with a function of its own (functions compare by identity).
const own = () => ({ logger: { debug: () => {} } })

/** A logger in the AWS SDK shape that keeps every line. */
const recordingLogger = () => {
  const lines: Array<string> = []
  const keep = (...content: Array<unknown>) => {
    lines.push(content.map(String).join(" "))
  }
  return { lines, logger: { debug: keep, info: keep, warn: keep, error: keep } }
}

describe("fromDefaultChain", () => {
  describe("fromDefaultChain", () => {
    it("resolves environment keys, read when a call is made, not when the provider is", async () => {
      const provider = fromDefaultChain(own())
      stubEnv(KEYS)

      const identity = await provider()

      assert.deepStrictEqual(identity, {
        accessKeyId: KEYS.AWS_ACCESS_KEY_ID,
        secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY,
        source: "env"
      })
    })

    it("rejects a key without its secret with Misconfigured instead of trying the next source", async () => {
      homeWith("[default]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = profile-secret\n")
      stubEnv({ AWS_ACCESS_KEY_ID: KEYS.AWS_ACCESS_KEY_ID })

      const error = await rejectionOf(fromDefaultChain(own())())

      assert.strictEqual(error.reason._tag, "Misconfigured")
      assert.isFalse(error.tryNextLink)
      assert.include(error.message, "AWS_SECRET_ACCESS_KEY")
    })

    it("shares one cache among providers made with structurally equal options", async () => {
      const emulator = await imds()
      const first = fromDefaultChain({ ec2: { endpoint: emulator.url, maxAttempts: 2 } })
      const second = fromDefaultChain({ ec2: { maxAttempts: 2, endpoint: emulator.url, roleName: undefined } })

      const identities = await Promise.all([first(), second(), first(), second()])
      await second()

      assert.strictEqual(new Set(identities.map((identity) => identity.accessKeyId)).size, 1)
      assert.strictEqual(identities[0]?.source, "ec2:credkit-role")
      // One fetch sequence: token, role list, credentials.
      assert.strictEqual(emulator.control.requests().length, 3)
    })

    it("keeps a separate cache for different options", async () => {
      const emulator = await imds()

      await fromDefaultChain({ ec2: { endpoint: emulator.url } })()
      await fromDefaultChain({ ec2: { endpoint: emulator.url, maxAttempts: 5 } })()
      await fromDefaultChain({ ec2: { endpoint: emulator.url } })()

      assert.strictEqual(emulator.control.requests().length, 6)
    })

    it("compares functions in options by identity", async () => {
      const emulator = await imds()
      const warn = () => {}

      await fromDefaultChain({ ec2: { endpoint: emulator.url }, logger: { warn } })()
      await fromDefaultChain({ ec2: { endpoint: emulator.url }, logger: { warn } })()
      const shared = emulator.control.requests().length
      await fromDefaultChain({ ec2: { endpoint: emulator.url }, logger: { warn: () => {} } })()

      assert.strictEqual(shared, 3)
      assert.strictEqual(emulator.control.requests().length, 6)
    })

    it("never contacts IMDS when a profile has credentials (a laptop)", async () => {
      const emulator = await imds()
      stubEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.url })
      homeWith("[default]\naws_access_key_id = AKIALAPTOP0000000001\naws_secret_access_key = laptop-secret\n")

      const options = own()
      const identity = await fromDefaultChain(options)()
      await fromDefaultChain(options)({ forceRefresh: true })
      const report = await explain()

      assert.strictEqual(identity.source, "profile:default")
      assert.strictEqual(report.source, "profile:default")
      assert.deepStrictEqual(emulator.control.requests(), [])
    })

    it("rejects within the timeout option with a Transport timeout error when IMDS never answers", async () => {
      const hole = await blackhole()

      const error = await rejectionOf(
        fromDefaultChain({ timeout: 300, ec2: { endpoint: hole.url, timeout: 30_000 } })()
      )

      // IMDS alone would have waited 30 s per attempt: the chain's deadline cut it.
      assert.strictEqual(error.reason._tag, "Transport")
      assert.strictEqual(error.reason._tag === "Transport" ? error.reason.kind : undefined, "timeout")
      assert.include(error.message, "300 ms deadline")
      assert.strictEqual(
        outcomes(error),
        "env:skipped profile:skipped web-identity:skipped container:skipped ec2:failed"
      )
      assert.strictEqual(hole.connections(), 1)
    })

    it("lists every source in order when nothing is configured, then fails at once for 60 s", async () => {
      const hole = await blackhole()
      stubEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: hole.url })
      const provider = fromDefaultChain({ ec2: { timeout: 300 } })

      const first = await rejectionOf(provider())
      const connections = hole.connections()
      const second = await rejectionOf(provider())
      const other = await rejectionOf(fromDefaultChain({ ec2: { timeout: 250 } })())

      assert.strictEqual(first.name, "CredentialsError")
      assert.strictEqual(first.reason._tag, "ChainExhausted")
      assert.strictEqual(first.source, "chain")
      assert.isTrue(first.tryNextLink)
      assert.strictEqual(
        outcomes(first),
        "env:skipped profile:skipped web-identity:skipped container:skipped ec2:skipped"
      )
      for (const [index, attempt] of (first.attempts ?? []).entries()) {
        assert.strictEqual(attempt.reason, "Unavailable")
        assert.include(first.message, `${index + 1}. ${attempt.source}: skipped (Unavailable): ${attempt.message}`)
      }
      assert.include(first.attempts?.[4]?.message, `IMDS unreachable at ${hole.url}`)
      assert.isAbove(connections, 0)
      // The memory is process-wide: the same provider and a provider with other options both skip IMDS at once.
      for (const again of [second, other]) {
        assert.strictEqual(again.reason._tag, "ChainExhausted")
        assert.include(again.attempts?.[4]?.message, "not tried again")
      }
      assert.strictEqual(hole.connections(), connections)
    })

    it("warns once per process when environment keys shadow AWS_PROFILE", async () => {
      stubEnv({ ...KEYS, AWS_PROFILE: "dev" })
      const first = recordingLogger()
      const second = recordingLogger()

      const identity = await fromDefaultChain({ logger: first.logger })()
      await fromDefaultChain({ logger: first.logger })()
      await fromDefaultChain({ logger: second.logger })()

      assert.strictEqual(identity.source, "env")
      assert.deepStrictEqual(
        first.lines.filter((line) => line.includes("AWS_PROFILE")),
        [
          '[credkit] AWS_PROFILE is set to "dev" but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set too: ' +
            'the environment variables win; unset them to use profile "dev"'
        ]
      )
      assert.isFalse(second.lines.some((line) => line.includes("AWS_PROFILE")))
    })
  })

  describe("explain", () => {
    it("resolves to a report within the timeout option instead of rejecting", async () => {
      const hole = await blackhole()

      const report = await explain({ timeout: 300, ec2: { endpoint: hole.url, timeout: 30_000 } })

      assert.isFalse(report.ok)
      assert.deepStrictEqual(
        report.attempts.map((attempt) => `${attempt.source}:${attempt.outcome}:${attempt.reason}`),
        [
          "env:skipped:Unavailable",
          "profile:skipped:Unavailable",
          "web-identity:skipped:Unavailable",
          "container:skipped:Unavailable",
          "ec2:failed:Transport"
        ]
      )
      assert.include(report.attempts[4]?.message, "300 ms deadline")
    })

    it("shows the winner's key id as its last four characters only", async () => {
      stubEnv({ ...KEYS, AWS_ACCOUNT_ID: "123456789012" })

      const report = await explain()

      assert.strictEqual(report.source, "env")
      assert.deepStrictEqual(report.credentials, { accessKeyIdSuffix: "0001", accountId: "123456789012" })
      assert.notInclude(JSON.stringify(report), KEYS.AWS_ACCESS_KEY_ID)
      assert.notInclude(JSON.stringify(report), KEYS.AWS_SECRET_ACCESS_KEY)
    })
  })

  describe("secrets", () => {
    it("keeps secrets out of the logger, rejections, inspect and JSON", async () => {
      const ecs = later(
        await ContainerEmulator.start({
          token: SECRETS.containerToken,
          credentials: {
            accessKeyId: "ASIACONTAINER0000002",
            secretAccessKey: SECRETS.secretAccessKey,
            sessionToken: SECRETS.sessionToken
          }
        }),
        (emu) => emu.close()
      )
      stubEnv({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.url,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: SECRETS.containerToken
      })
      const { lines, logger } = recordingLogger()

      const identity = await fromDefaultChain({ logger })()
      vi.stubEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN", `${SECRETS.containerToken}-wrong`)
      const refused = await rejectionOf(fromDefaultChain({ logger, timeout: 5_000 })())
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", SECRETS.secretAccessKey)
      const partial = await rejectionOf(fromDefaultChain({ logger, ecs: { maxAttempts: 1 } })())
      const report = await explain({ logger })

      assert.strictEqual(identity.secretAccessKey, SECRETS.secretAccessKey, "the identity itself carries the secret")
      assert.strictEqual(refused.reason._tag, "Unauthorized")
      assert.strictEqual(partial.reason._tag, "Misconfigured")
      assert.isNotEmpty(lines)
      const outputs = [...lines, JSON.stringify(report)]
      for (const error of [refused, partial]) outputs.push(error.message, util.inspect(error), JSON.stringify(error))
      for (const secret of Object.values(SECRETS)) {
        for (const output of outputs) assert.notInclude(output, secret)
      }
    })
  })
})
