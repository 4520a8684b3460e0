import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { TestClock } from "effect/testing"
import { beforeEach } from "vitest"

import { Ec2Credentials } from "../src/index.js"
import { captureLogs, emulator, seen, withEnv } from "./support.js"

const TOKEN = "/latest/api/token"
const EXT = "/latest/meta-data/iam/security-credentials-extended/"
const LEGACY = "/latest/meta-data/iam/security-credentials/"

const resolve = (options?: Ec2Credentials.Options) => Ec2Credentials.source(options).resolve

describe("Ec2Credentials", () => {
  beforeEach(() => {
    Ec2Credentials.clearUnreachableMemory()
  })

  describe("source (IMDSv2 token, decisions §6)", () => {
    it.effect("resolves the role credentials with three requests when cold", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        const credentials = yield* resolve().pipe(withEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: emu.url }))
        const served = emu.control.current()

        assert.strictEqual(credentials.accessKeyId, served.accessKeyId)
        assert.strictEqual(Redacted.value(credentials.secretAccessKey), served.secretAccessKey)
        assert.strictEqual(credentials.sessionToken && Redacted.value(credentials.sessionToken), served.sessionToken)
        assert.strictEqual(credentials.expiration?.getTime(), Math.floor(served.expiration.getTime() / 1000) * 1000)
        assert.strictEqual(credentials.accountId, served.accountId)
        assert.strictEqual(credentials.source, "ec2:credkit-role")
        assert.deepStrictEqual(seen(emu), [`PUT ${TOKEN} 200`, `GET ${EXT} 200`, `GET ${EXT}credkit-role 200`])
      })
    )

    it.effect("sends the token with a 21600 s TTL request and on every metadata GET", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ mode: "v2-only" })
        yield* resolve({ endpoint: emu.url }).pipe(withEnv({}))
        const [put, ...gets] = emu.control.requests()

        assert.strictEqual(put?.headers["x-aws-ec2-metadata-token-ttl-seconds"], "21600")
        assert.lengthOf(gets, 2)
        for (const get of gets) assert.strictEqual(get.headers["x-aws-ec2-metadata-token"], "<redacted>")
      })
    )

    it.effect("reuses the token and the role name, so the next fetch costs one request", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        const source = Ec2Credentials.source({ endpoint: emu.url })
        yield* source.resolve.pipe(withEnv({}))
        emu.control.clearRequests()
        yield* source.resolve.pipe(withEnv({}))

        assert.deepStrictEqual(seen(emu), [`GET ${EXT}credkit-role 200`])
      })
    )

    it.effect("renews the token 120 s before its TTL ends, not earlier", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ clock: true })
        const source = Ec2Credentials.source({ endpoint: emu.url })
        yield* source.resolve.pipe(withEnv({}))

        yield* TestClock.adjust("21479 seconds")
        emu.control.clearRequests()
        yield* source.resolve.pipe(withEnv({}))
        assert.deepStrictEqual(seen(emu), [`GET ${EXT}credkit-role 200`])

        yield* TestClock.adjust("2 seconds")
        emu.control.clearRequests()
        yield* source.resolve.pipe(withEnv({}))
        assert.deepStrictEqual(seen(emu), [`PUT ${TOKEN} 200`, `GET ${EXT}credkit-role 200`])
      })
    )

    it.effect("drops the token and retries once when a metadata GET answers 401", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ mode: "v2-only" })
        const source = Ec2Credentials.source({ endpoint: emu.url })
        yield* source.resolve.pipe(withEnv({}))
        emu.control.expireTokens()
        emu.control.clearRequests()
        const credentials = yield* source.resolve.pipe(withEnv({}))

        assert.strictEqual(credentials.accessKeyId, emu.control.current().accessKeyId)
        assert.deepStrictEqual(seen(emu), [
          `GET ${EXT}credkit-role 401`,
          `PUT ${TOKEN} 200`,
          `GET ${EXT}credkit-role 200`
        ])
      })
    )

    it.effect("fails with Transport when IMDS answers 401 even with a new token", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        emu.control.fault(`${EXT}credkit-role`, { status: 401 })
        const error = yield* Effect.flip(resolve({ endpoint: emu.url }).pipe(withEnv({})))

        assert.strictEqual(error.reason._tag, "Transport")
        assert.include(error.message, "401")
        assert.strictEqual(error.source, "ec2:credkit-role")
        assert.strictEqual(seen(emu).filter((line) => line.startsWith("PUT")).length, 2)
      })
    )
  })

  describe("source (token status and IMDSv1 fallback, decisions §7)", () => {
    it.effect("fails with Misconfigured and never tries IMDSv1 when the token request answers 403", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ mode: "off" })
        const error = yield* Effect.flip(resolve({ endpoint: emu.url }).pipe(withEnv({})))

        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.isFalse(error.tryNextLink)
        assert.include(error.message, "IMDS is turned off for this instance")
        assert.deepStrictEqual(seen(emu), [`PUT ${TOKEN} 403`])
      })
    )

    it.effect("falls back to IMDSv1, warns once and remembers it when the token endpoint answers 404", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ mode: "v1-only" })
        const logs = captureLogs()
        const source = Ec2Credentials.source({ endpoint: emu.url })
        const credentials = yield* source.resolve.pipe(withEnv({}), Effect.provide(logs.layer))
        assert.strictEqual(credentials.accessKeyId, emu.control.current().accessKeyId)
        assert.lengthOf(logs.warnings(), 1)
        assert.include(logs.warnings()[0], "using IMDSv1")
        const gets = emu.control.requests().filter((request) => request.method === "GET")
        for (const get of gets) assert.isUndefined(get.headers["x-aws-ec2-metadata-token"])

        emu.control.clearRequests()
        yield* source.resolve.pipe(withEnv({}), Effect.provide(logs.layer))
        assert.deepStrictEqual(seen(emu), [`GET ${EXT}credkit-role 200`])
        assert.lengthOf(logs.warnings(), 1)
      })
    )

    it.effect("returns to IMDSv2 when IMDS starts to require tokens after the fallback", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ mode: "v1-only" })
        const source = Ec2Credentials.source({ endpoint: emu.url })
        yield* source.resolve.pipe(withEnv({}))
        emu.control.setMode("v2-only")
        emu.control.clearRequests()
        const credentials = yield* source.resolve.pipe(withEnv({}))

        assert.strictEqual(credentials.accessKeyId, emu.control.current().accessKeyId)
        assert.deepStrictEqual(seen(emu), [
          `GET ${EXT}credkit-role 401`,
          `PUT ${TOKEN} 200`,
          `GET ${EXT}credkit-role 200`
        ])
      })
    )

    it.effect("falls back to IMDSv1 when the token endpoint answers 405", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        emu.control.fault(TOKEN, { status: 405 })
        const credentials = yield* resolve({ endpoint: emu.url }).pipe(withEnv({}))

        assert.strictEqual(credentials.accessKeyId, emu.control.current().accessKeyId)
        assert.deepStrictEqual(seen(emu), [`PUT ${TOKEN} 405`, `GET ${EXT} 200`, `GET ${EXT}credkit-role 200`])
      })
    )

    it.effect(
      "fails with Misconfigured naming the switch when IMDSv1 is disabled by AWS_EC2_METADATA_V1_DISABLED",
      () =>
        Effect.gen(function* () {
          const emu = yield* emulator({ mode: "v1-only" })
          const error = yield* Effect.flip(
            resolve({ endpoint: emu.url }).pipe(withEnv({ AWS_EC2_METADATA_V1_DISABLED: "TRUE" }))
          )

          assert.strictEqual(error.reason._tag, "Misconfigured")
          assert.include(error.message, "AWS_EC2_METADATA_V1_DISABLED")
          assert.deepStrictEqual(seen(emu), [`PUT ${TOKEN} 404`])
        })
    )

    it.effect("honours ec2_metadata_v1_disabled from the profile and lets the option override both", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ mode: "v1-only" })
        const fromProfile = yield* Effect.flip(
          resolve({ endpoint: emu.url, profileSettings: { v1Disabled: "true" } }).pipe(withEnv({}))
        )
        assert.include(fromProfile.message, "profile key ec2_metadata_v1_disabled")

        const fromOption = yield* Effect.flip(resolve({ endpoint: emu.url, v1Fallback: false }).pipe(withEnv({})))
        assert.include(fromOption.message, "option v1Fallback")

        const allowed = yield* resolve({ endpoint: emu.url, v1Fallback: true }).pipe(
          withEnv({ AWS_EC2_METADATA_V1_DISABLED: "true" })
        )
        assert.strictEqual(allowed.accessKeyId, emu.control.current().accessKeyId)
      })
    )

    it.effect("fails without falling back when the token request answers 400", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        emu.control.fault(TOKEN, { status: 400 })
        const error = yield* Effect.flip(resolve({ endpoint: emu.url }).pipe(withEnv({})))

        assert.strictEqual(error.reason._tag, "Transport")
        assert.include(error.message, "400")
        assert.deepStrictEqual(seen(emu), [`PUT ${TOKEN} 400`])
      })
    )

    it.effect("uses IMDSv1 with the hop-limit hint when the token request times out but a GET answers", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        emu.control.fault(TOKEN, { hang: true })
        const logs = captureLogs()
        const source = Ec2Credentials.source({ endpoint: emu.url, timeout: "300 millis" })
        const credentials = yield* source.resolve.pipe(withEnv({}), Effect.provide(logs.layer))

        assert.strictEqual(credentials.accessKeyId, emu.control.current().accessKeyId)
        assert.deepStrictEqual(seen(emu), [
          `PUT ${TOKEN} -`,
          `GET ${LEGACY} 200`,
          `GET ${EXT} 200`,
          `GET ${EXT}credkit-role 200`
        ])
        assert.lengthOf(logs.warnings(), 1)
        assert.include(logs.warnings()[0], "raise the hop limit to 2 for containers")

        emu.control.clearRequests()
        yield* source.resolve.pipe(withEnv({}), Effect.provide(logs.layer))
        assert.deepStrictEqual(seen(emu), [`GET ${EXT}credkit-role 200`])
        assert.lengthOf(logs.warnings(), 1)
      })
    )

    it.effect("fails with the hop-limit hint when the token request times out and IMDSv1 is disabled", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        emu.control.fault(TOKEN, { hang: true })
        const error = yield* Effect.flip(
          resolve({ endpoint: emu.url, timeout: "300 millis" }).pipe(withEnv({ AWS_EC2_METADATA_V1_DISABLED: "true" }))
        )

        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.reason.hint ?? "", "raise the hop limit to 2 for containers")
        assert.include(error.message, "token request timed out but metadata answered")
      })
    )

    it.effect("fails with the hop-limit hint when the token request times out and IMDS requires tokens", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ mode: "v2-only" })
        emu.control.fault(TOKEN, { hang: true })
        const error = yield* Effect.flip(resolve({ endpoint: emu.url, timeout: "300 millis" }).pipe(withEnv({})))

        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.reason.hint ?? "", "raise the hop limit to 2")
        assert.deepStrictEqual(seen(emu), [`PUT ${TOKEN} -`, `GET ${LEGACY} 401`])
      })
    )
  })
})
