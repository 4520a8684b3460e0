import * as Path from "node:path"
import { CredentialsError } from "@credkit/core"
import { ContainerEmulator } from "@credkit/testing"
import { assert, describe, it } from "@effect/vitest"
import { afterEach, beforeEach } from "vitest"

import { fromContainerMetadata } from "../src/index.js"
import { AUTH_TOKEN, setContainerEnv, tempDir } from "./helpers/fixtures.js"

// The Promise API reads the real process environment, as an AWS SDK user's process would. Every endpoint here is
// the emulator on 127.0.0.1; the container variables are cleared before and restored after each test.
let restore: () => void = () => undefined
let running: Array<ContainerEmulator.ContainerEmulator> = []

beforeEach(() => {
  restore = setContainerEnv()
})

afterEach(async () => {
  restore()
  await Promise.all(running.map((emulator) => emulator.close()))
  running = []
})

const start = async (options?: ContainerEmulator.Options) => {
  const emulator = await ContainerEmulator.start(options)
  running.push(emulator)
  return emulator
}

const rejection = async (promise: Promise<unknown>): Promise<CredentialsError> => {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error
  )
  assert.isTrue(CredentialsError.is(outcome), `expected a CredentialsError, got ${String(outcome)}`)
  return outcome as CredentialsError
}

describe("fromContainerMetadata", () => {
  describe("fromContainerMetadata", () => {
    it("resolves the emulator's credentials from a full URI with a token value", async () => {
      const emulator = await start({ token: AUTH_TOKEN })
      process.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = emulator.url
      process.env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = AUTH_TOKEN
      const identity = await fromContainerMetadata()()
      const served = emulator.control.current()
      assert.strictEqual(identity.accessKeyId, served.accessKeyId)
      assert.strictEqual(identity.secretAccessKey, served.secretAccessKey)
      assert.strictEqual(identity.sessionToken, served.sessionToken)
      assert.strictEqual(identity.accountId, "123456789012")
      assert.strictEqual(identity.source, "container")
      assert.instanceOf(identity.expiration, Date)
    })

    it("sends the relative URI to relativeUriBase", async () => {
      const emulator = await start({ path: "/v2/credentials/task-7" })
      process.env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/task-7"
      process.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:1/ignored"
      const identity = await fromContainerMetadata({ relativeUriBase: emulator.baseUrl })()
      assert.strictEqual(identity.accessKeyId, emulator.control.current().accessKeyId)
      assert.deepStrictEqual(
        emulator.control.requests().map((request) => request.path),
        ["/v2/credentials/task-7"]
      )
    })

    it("caches, and re-reads a rotated token file on forceRefresh", async () => {
      const tokenFile = Path.join(tempDir(), "token")
      const emulator = await start({ tokenFile })
      process.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = emulator.url
      process.env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = tokenFile
      const provider = fromContainerMetadata()
      const first = await provider()
      const cached = await provider()
      assert.strictEqual(cached.accessKeyId, first.accessKeyId)
      assert.strictEqual(emulator.control.requests().length, 1)
      emulator.control.rotateToken()
      emulator.control.rotate()
      const refreshed = await provider({ forceRefresh: true })
      assert.strictEqual(refreshed.accessKeyId, emulator.control.current().accessKeyId)
      assert.deepStrictEqual(
        emulator.control.requests().map((request) => request.status),
        [200, 200]
      )
    })

    it("rejects with a continuable Unavailable when no container variable is set", async () => {
      const error = await rejection(fromContainerMetadata()())
      assert.strictEqual(error.name, "CredentialsError")
      assert.strictEqual(error.reason._tag, "Unavailable")
      assert.strictEqual(error.source, "container")
      assert.isTrue(error.tryNextLink)
    })

    it("rejects with the server's message and stops a chain when the endpoint answers 403", async () => {
      const emulator = await start()
      emulator.control.fault("*", { status: 403 })
      process.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = emulator.url
      const error = await rejection(fromContainerMetadata()())
      assert.strictEqual(error.reason._tag, "Unauthorized")
      assert.isFalse(error.tryNextLink)
      assert.include(error.message, "custom endpoint")
      assert.include(error.message, "answered 403 (AccessDenied: Forbidden)")
    })

    it("takes timeout in milliseconds and maxAttempts", async () => {
      const emulator = await start()
      emulator.control.fault("*", { hang: true })
      process.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = emulator.url
      const error = await rejection(fromContainerMetadata({ timeout: 150, maxAttempts: 2 })())
      assert.strictEqual(error.reason._tag, "Transport")
      assert.include(error.message, "no response within 150ms (2 attempts)")
      assert.strictEqual(emulator.control.requests().length, 2)
    })

    it("sends debug lines naming the flavour to the logger", async () => {
      const emulator = await start({ token: AUTH_TOKEN })
      process.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = emulator.url
      process.env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = AUTH_TOKEN
      process.env["AWS_LAMBDA_FUNCTION_NAME"] = "fixture-function"
      const lines: Array<string> = []
      const record = (...content: Array<unknown>) => lines.push(content.map(String).join(" "))
      await fromContainerMetadata({ logger: { debug: record, info: record, warn: record, error: record } })()
      assert.isTrue(
        lines.some((line) => line.includes("Lambda SnapStart detected")),
        lines.join("\n")
      )
      assert.isTrue(
        lines.some((line) => line.includes("credentials resolved from container")),
        lines.join("\n")
      )
    })
  })
})
