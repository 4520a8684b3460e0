import { HttpTransport } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { TestClock } from "effect/testing"
import { beforeEach } from "vitest"

import { Ec2Credentials } from "../src/index.js"
import { blackhole, emulator, recorder, seen, withEnv } from "./support.js"

const TOKEN = "/latest/api/token"
const EXT = "/latest/meta-data/iam/security-credentials-extended/"

const resolve = (options?: Ec2Credentials.Options) => Ec2Credentials.source(options).resolve

describe("Ec2Credentials", () => {
  beforeEach(() => {
    Ec2Credentials.clearUnreachableMemory()
  })

  describe("source (timeouts and attempts, decisions §10)", () => {
    it.live("retries every request after 503 and succeeds", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        emu.control.fault(TOKEN, { status: 503, times: 1 })
        emu.control.fault(`${EXT}credkit-role`, { status: 503, times: 2 })
        emu.control.fault(EXT, { status: 503, times: 1 })
        const credentials = yield* resolve({ endpoint: emu.url }).pipe(withEnv({}))

        assert.strictEqual(credentials.accessKeyId, emu.control.current().accessKeyId)
        assert.deepStrictEqual(seen(emu), [
          `PUT ${TOKEN} 503`,
          `PUT ${TOKEN} 200`,
          `GET ${EXT} 503`,
          `GET ${EXT} 200`,
          `GET ${EXT}credkit-role 503`,
          `GET ${EXT}credkit-role 503`,
          `GET ${EXT}credkit-role 200`
        ])
      })
    )

    it.live("retries after 429 and after a connection reset", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        emu.control.fault(TOKEN, { throttle: 2 })
        emu.control.fault(`${EXT}credkit-role`, { reset: true, times: 1 })
        const credentials = yield* resolve({ endpoint: emu.url }).pipe(withEnv({}))

        assert.strictEqual(credentials.accessKeyId, emu.control.current().accessKeyId)
        assert.deepStrictEqual(seen(emu), [
          `PUT ${TOKEN} 429`,
          `PUT ${TOKEN} 429`,
          `PUT ${TOKEN} 200`,
          `GET ${EXT} 200`,
          `GET ${EXT}credkit-role -`,
          `GET ${EXT}credkit-role 200`
        ])
      })
    )

    it.live("fails with Transport after AWS_METADATA_SERVICE_NUM_ATTEMPTS answers of 503", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        emu.control.fault(TOKEN, { status: 503 })
        const error = yield* Effect.flip(
          resolve({ endpoint: emu.url }).pipe(withEnv({ AWS_METADATA_SERVICE_NUM_ATTEMPTS: "2" }))
        )

        assert.strictEqual(error.reason._tag, "Transport")
        assert.include(error.message, "answered 503")
        assert.deepStrictEqual(seen(emu), [`PUT ${TOKEN} 503`, `PUT ${TOKEN} 503`])
      })
    )

    it.live("makes three attempts by default", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        emu.control.fault(TOKEN, { status: 500 })
        yield* Effect.flip(resolve({ endpoint: emu.url }).pipe(withEnv({})))

        assert.lengthOf(seen(emu), 3)
      })
    )

    it.effect("does not retry a GET that gets no answer within AWS_METADATA_SERVICE_TIMEOUT", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        emu.control.fault(`${EXT}credkit-role`, { hang: true })
        const error = yield* Effect.flip(
          resolve({ endpoint: emu.url }).pipe(withEnv({ AWS_METADATA_SERVICE_TIMEOUT: "0.3" }))
        )

        assert.strictEqual(error.reason._tag, "Transport")
        assert.isFalse(error.tryNextLink)
        assert.include(error.message, "no answer within 300ms")
        assert.deepStrictEqual(seen(emu), [`PUT ${TOKEN} 200`, `GET ${EXT} 200`, `GET ${EXT}credkit-role -`])
      })
    )

    it.effect("fails with Unavailable naming the endpoint when the connection is refused", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        yield* Effect.promise(() => emu.close())
        const error = yield* Effect.flip(resolve({ endpoint: emu.url }).pipe(withEnv({})))

        assert.strictEqual(error.reason._tag, "Unavailable")
        assert.isTrue(error.tryNextLink)
        assert.include(error.message, `IMDS unreachable at ${emu.url}`)
      })
    )

    it.effect("remembers an endpoint that never answered for 60 s, then tries it again", () =>
      Effect.gen(function* () {
        const hole = yield* blackhole
        const source = Ec2Credentials.source({ endpoint: hole.url, timeout: "200 millis" })
        const run = Effect.flip(source.resolve.pipe(withEnv({})))

        const first = yield* run
        assert.strictEqual(first.reason._tag, "Unavailable")
        assert.include(first.message, `IMDS unreachable at ${hole.url}`)
        // The token PUT and the one short GET of the hop-limit diagnosis.
        assert.strictEqual(hole.connections(), 2)

        yield* TestClock.adjust("59 seconds")
        const remembered = yield* run
        assert.include(remembered.message, `IMDS unreachable at ${hole.url} (no answer 59 s ago`)
        assert.strictEqual(hole.connections(), 2)

        yield* TestClock.adjust("2 seconds")
        yield* run
        assert.strictEqual(hole.connections(), 4)

        yield* Ec2Credentials.clearUnreachableMemory()
        yield* run
        assert.strictEqual(hole.connections(), 6)
      })
    )
  })

  describe("source (endpoint, decisions §11)", () => {
    it.effect("sends no request and fails with Unavailable when AWS_EC2_METADATA_DISABLED is true", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        const error = yield* Effect.flip(
          resolve().pipe(withEnv({ AWS_EC2_METADATA_DISABLED: "True", AWS_EC2_METADATA_SERVICE_ENDPOINT: emu.url }))
        )

        assert.strictEqual(error.reason._tag, "Unavailable")
        assert.include(error.message, "AWS_EC2_METADATA_DISABLED")
        assert.lengthOf(seen(emu), 0)
      })
    )

    it.effect("takes the endpoint from the option, then the env var, then the profile key", () =>
      Effect.gen(function* () {
        const right = yield* emulator()
        const wrong = yield* emulator()
        yield* resolve({ endpoint: right.url }).pipe(withEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: wrong.url }))
        yield* resolve({ profileSettings: { endpoint: wrong.url } }).pipe(
          withEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: right.url })
        )
        yield* resolve({ profileSettings: { endpoint: right.url } }).pipe(withEnv({}))

        assert.lengthOf(seen(right), 9)
        assert.lengthOf(seen(wrong), 0)
      })
    )

    const selected: ReadonlyArray<readonly [string, Ec2Credentials.Options, Record<string, string>, string]> = [
      ["nothing is configured", {}, {}, "http://169.254.169.254"],
      ["the env mode is IPv6", {}, { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "ipv6" }, "http://[fd00:ec2::254]"],
      [
        "the option mode beats the env mode",
        { endpointMode: "IPv4" },
        { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv6" },
        "http://169.254.169.254"
      ],
      ["only the profile names a mode", { profileSettings: { endpointMode: "IPv6" } }, {}, "http://[fd00:ec2::254]"],
      [
        "a profile endpoint meets an env mode",
        { profileSettings: { endpoint: "http://10.0.0.1" } },
        { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv6" },
        "http://10.0.0.1"
      ],
      ["the endpoint is an IPv6 address in brackets", { endpoint: "http://[::1]:8080/" }, {}, "http://[::1]:8080"]
    ]
    for (const [condition, options, env, expected] of selected) {
      it.effect(`sends the first request to ${expected} when ${condition}`, () =>
        Effect.gen(function* () {
          const wire = recorder()
          yield* Effect.flip(
            resolve(options).pipe(withEnv(env), Effect.provideService(HttpTransport.HttpTransport, wire.transport))
          )

          assert.deepStrictEqual(wire.urls, [`${expected}/latest/api/token`])
        })
      )
    }

    const rejected: ReadonlyArray<readonly [string, Ec2Credentials.Options, Record<string, string>, string]> = [
      [
        "the mode is not IPv4 or IPv6",
        {},
        { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv5" },
        "`IPv5` is not a valid endpoint mode"
      ],
      ["the endpoint is not a URL", { endpoint: "not a uri" }, {}, "is not a valid URL"],
      ["an IPv6 endpoint lacks brackets", { endpoint: "http://fd00:ec2::254" }, {}, "is not a valid URL"],
      ["the endpoint has a path", { endpoint: "http://127.0.0.1:1338/imds" }, {}, "must not have a path"],
      ["the endpoint is not http or https", { endpoint: "ftp://127.0.0.1" }, {}, "must use http or https"],
      [
        "the endpoint carries user credentials",
        { endpoint: "http://user:hunter2@127.0.0.1:1338" },
        {},
        "user credentials"
      ],
      ["the timeout is not a number", {}, { AWS_METADATA_SERVICE_TIMEOUT: "soon" }, "AWS_METADATA_SERVICE_TIMEOUT"],
      ["the attempts are zero", {}, { AWS_METADATA_SERVICE_NUM_ATTEMPTS: "0" }, "AWS_METADATA_SERVICE_NUM_ATTEMPTS"],
      ["the v1 switch is not a boolean", {}, { AWS_EC2_METADATA_V1_DISABLED: "yes" }, "AWS_EC2_METADATA_V1_DISABLED"]
    ]
    for (const [condition, options, env, expected] of rejected) {
      it.effect(`fails with Misconfigured and sends nothing when ${condition}`, () =>
        Effect.gen(function* () {
          const wire = recorder()
          const error = yield* Effect.flip(
            resolve(options).pipe(withEnv(env), Effect.provideService(HttpTransport.HttpTransport, wire.transport))
          )

          assert.strictEqual(error.reason._tag, "Misconfigured")
          assert.isFalse(error.tryNextLink)
          assert.include(error.message, expected)
          assert.notInclude(error.message, "hunter2")
          assert.lengthOf(wire.urls, 0)
        })
      )
    }
  })
})
