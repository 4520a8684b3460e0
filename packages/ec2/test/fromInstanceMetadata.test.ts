import * as Net from "node:net"
import { CredentialsError } from "@credkit/core"
import { ImdsEmulator } from "@credkit/testing"
import { assert, describe, it } from "@effect/vitest"
import { fromInstanceMetadata as smithyFromInstanceMetadata } from "@smithy/credential-provider-imds"
import { afterEach, beforeEach, vi } from "vitest"

import { Ec2Credentials, fromInstanceMetadata } from "../src/index.js"

const started: Array<{ readonly close: () => Promise<void> }> = []

const startEmulator = async (options?: ImdsEmulator.Options) => {
  const emu = await ImdsEmulator.start(options)
  started.push(emu)
  return emu
}

const pointAt = (url: string) => {
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "false")
  vi.stubEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url)
}

const rejection = async (promise: Promise<unknown>): Promise<CredentialsError> => {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error
  )
  assert.isTrue(CredentialsError.is(outcome), "the provider should reject with a CredentialsError")
  return outcome as CredentialsError
}

// A port that accepts TCP and never answers; it counts the connections it accepted.
const startBlackhole = async () => {
  let connections = 0
  const sockets = new Set<Net.Socket>()
  const server = Net.createServer((socket) => {
    connections++
    sockets.add(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const hole = {
    url: `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
  started.push(hole)
  return hole
}

describe("fromInstanceMetadata", () => {
  beforeEach(() => {
    Ec2Credentials.clearUnreachableMemory()
  })
  afterEach(async () => {
    vi.unstubAllEnvs()
    await Promise.all(started.splice(0).map((server) => server.close()))
  })

  describe("fromInstanceMetadata", () => {
    it("resolves the instance role from the endpoint in AWS_EC2_METADATA_SERVICE_ENDPOINT", async () => {
      const emu = await startEmulator()
      pointAt(emu.url)
      const identity = await fromInstanceMetadata()()
      const served = emu.control.current()

      assert.strictEqual(identity.source, "ec2:credkit-role")
      assert.strictEqual(identity.accessKeyId, served.accessKeyId)
      assert.strictEqual(identity.secretAccessKey, served.secretAccessKey)
      assert.strictEqual(identity.sessionToken, served.sessionToken)
      assert.strictEqual(identity.accountId, served.accountId)
      assert.instanceOf(identity.expiration, Date)
    })

    it("reads the environment when it fetches, not when it is built", async () => {
      const first = await startEmulator({ roleName: "first" })
      const second = await startEmulator({ roleName: "second" })
      const provider = fromInstanceMetadata()
      pointAt(first.url)
      assert.strictEqual((await provider()).source, "ec2:first")

      pointAt(second.url)
      assert.strictEqual((await fromInstanceMetadata()()).source, "ec2:second")
    })

    it("shares one fetch sequence among 1,000 concurrent cold calls", async () => {
      const emu = await startEmulator()
      pointAt(emu.url)
      const provider = fromInstanceMetadata()
      const identities = await Promise.all(Array.from({ length: 1000 }, () => provider()))

      assert.strictEqual(new Set(identities.map((identity) => identity.accessKeyId)).size, 1)
      assert.lengthOf(emu.control.requests(), 3)
    })

    it("answers from the cache, and refetches with one request on forceRefresh", async () => {
      const emu = await startEmulator()
      pointAt(emu.url)
      const provider = fromInstanceMetadata()
      await provider()
      await provider()
      assert.lengthOf(emu.control.requests(), 3)

      emu.control.rotate()
      const refreshed = await provider({ forceRefresh: true })
      assert.strictEqual(refreshed.accessKeyId, emu.control.current().accessKeyId)
      assert.lengthOf(emu.control.requests(), 4)
    })

    it("fails on a blackholed endpoint, then at once without a connection for 60 s", async () => {
      const hole = await startBlackhole()
      pointAt(hole.url)
      const first = await rejection(fromInstanceMetadata({ timeout: 300 })())
      assert.strictEqual(first.reason._tag, "Unavailable")
      assert.isTrue(first.tryNextLink)
      assert.include(first.message, `IMDS unreachable at ${hole.url}`)
      assert.strictEqual(hole.connections(), 2)

      const second = await rejection(fromInstanceMetadata({ timeout: 300 })())
      assert.include(second.message, `IMDS unreachable at ${hole.url}`)
      assert.strictEqual(hole.connections(), 2)
    })

    it("rejects with a continuable Unavailable error when AWS_EC2_METADATA_DISABLED is true", async () => {
      const emu = await startEmulator()
      pointAt(emu.url)
      vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true")
      const error = await rejection(fromInstanceMetadata()())

      assert.strictEqual(error.name, "CredentialsError")
      assert.strictEqual(error.reason._tag, "Unavailable")
      assert.isTrue(error.tryNextLink)
      assert.lengthOf(emu.control.requests(), 0)
    })

    it("passes warnings to the AWS SDK logger", async () => {
      const emu = await startEmulator({ mode: "v1-only" })
      pointAt(emu.url)
      const warnings: Array<string> = []
      await fromInstanceMetadata({ logger: { warn: (...parts) => warnings.push(parts.join(" ")) } })()

      assert.lengthOf(warnings, 1)
      assert.include(warnings[0], "using IMDSv1")
    })

    it("returns the same credentials as the AWS SDK's own fromInstanceMetadata", async () => {
      const emu = await startEmulator()
      pointAt(emu.url)
      const ours = await fromInstanceMetadata()()
      const theirs = await smithyFromInstanceMetadata()()

      assert.strictEqual(theirs.accessKeyId, ours.accessKeyId)
      assert.strictEqual(theirs.secretAccessKey, ours.secretAccessKey)
      assert.strictEqual(theirs.sessionToken, ours.sessionToken)
      assert.strictEqual(theirs.expiration?.getTime(), ours.expiration?.getTime())
    })
  })
})
