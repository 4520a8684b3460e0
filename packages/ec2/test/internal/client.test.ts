import { HttpTransport } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import { TestClock } from "effect/testing"
import { beforeEach } from "vitest"

import { Ec2Credentials } from "../../src/index.js"
import { fakeTransport, reply, silence, withEnv } from "../support.js"

const BASE = "http://127.0.0.1:1338"
const TOKEN = "/latest/api/token"
const EXT = "/latest/meta-data/iam/security-credentials-extended/"
const LEGACY = "/latest/meta-data/iam/security-credentials/"

const DOCUMENT = JSON.stringify({
  Code: "Success",
  AccessKeyId: "ASIAFAKE",
  SecretAccessKey: "fake-secret",
  Token: "fake-token",
  Expiration: "2099-01-01T00:00:00Z"
})

// An IMDS that answers every request normally.
const healthy = (request: HttpTransport.Request) => {
  const path = new URL(request.url).pathname
  if (path === TOKEN) return reply(200, "fake-imds-token", { "x-aws-ec2-metadata-token-ttl-seconds": "21600" })
  if (path === EXT || path === LEGACY) return reply(200, "role")
  return reply(200, DOCUMENT)
}

const run = (transport: HttpTransport.Shape, options: Ec2Credentials.Options = {}) =>
  Ec2Credentials.source({ endpoint: BASE, ...options }).resolve.pipe(
    withEnv({}),
    Effect.provideService(HttpTransport.HttpTransport, transport)
  )

describe("client", () => {
  beforeEach(() => {
    Ec2Credentials.clearUnreachableMemory()
  })

  describe("exchange", () => {
    it.effect("waits a jittered exponential delay, capped at 1 s, between attempts on 5xx", () =>
      Effect.gen(function* () {
        const times: Array<number> = []
        const clock = yield* Clock.Clock
        const wire = fakeTransport(BASE, () => {
          times.push(clock.currentTimeMillisUnsafe())
          return reply(503)
        })
        const fiber = yield* Effect.forkChild(Effect.flip(run(wire.transport, { maxAttempts: 7 })))
        for (let step = 0; step < 2000 && fiber.pollUnsafe() === undefined; step++) yield* TestClock.adjust("5 millis")
        const error = yield* Fiber.join(fiber)

        assert.strictEqual(error.reason._tag, "Transport")
        assert.lengthOf(times, 7)
        const gaps = times.slice(1).map((time, index) => time - (times[index] ?? 0))
        gaps.forEach((gap, index) => {
          const ceiling = Math.min(1000, 100 * 2 ** index)
          assert.isAtLeast(gap, ceiling / 2, `retry ${index + 1} waited too little`)
          assert.isAtMost(gap, ceiling + 5, `retry ${index + 1} waited too long`)
        })
      })
    )

    it.effect("does not retry when the connection is refused", () =>
      Effect.gen(function* () {
        const wire = fakeTransport(BASE, () => silence("refused"))
        const error = yield* Effect.flip(run(wire.transport))

        assert.strictEqual(error.reason._tag, "Unavailable")
        assert.include(error.message, `IMDS unreachable at ${BASE}`)
        assert.deepStrictEqual(wire.paths(), [`PUT ${TOKEN}`])
      })
    )

    it.effect("retries a timeout that came after the response started", () =>
      Effect.gen(function* () {
        const wire = fakeTransport(BASE, (request, index) =>
          index === 2
            ? new HttpTransport.HttpTransportError({ kind: "timeout", responded: true, url: request.url })
            : healthy(request)
        )
        const fiber = yield* Effect.forkChild(run(wire.transport))
        yield* TestClock.adjust("1 second")
        const credentials = yield* Fiber.join(fiber)

        assert.strictEqual(credentials.accessKeyId, "ASIAFAKE")
        assert.deepStrictEqual(wire.paths(), [`PUT ${TOKEN}`, `GET ${EXT}`, `GET ${EXT}role`, `GET ${EXT}role`])
      })
    )

    it.effect("bounds every body and sends the token as a Redacted header value", () =>
      Effect.gen(function* () {
        const wire = fakeTransport(BASE, healthy)
        yield* run(wire.transport)

        for (const request of wire.requests) assert.strictEqual(request.maxBodyBytes, 64 * 1024)
        const token = wire.requests[1]?.headers?.["x-aws-ec2-metadata-token"]
        assert.isTrue(Redacted.isRedacted(token))
        assert.strictEqual(Redacted.isRedacted(token) ? Redacted.value(token) : undefined, "fake-imds-token")
      })
    )

    it.effect("probes once with 250 ms after a token timeout, or with the timeout when it is shorter", () =>
      Effect.gen(function* () {
        for (const [timeout, budget] of [
          [Duration.seconds(1), 250],
          [Duration.millis(100), 100]
        ] as const) {
          const wire = fakeTransport(BASE, (request) =>
            request.method === "PUT" ? silence("timeout") : healthy(request)
          )
          yield* run(wire.transport, { timeout })

          assert.deepStrictEqual(wire.paths().slice(0, 2), [`PUT ${TOKEN}`, `GET ${LEGACY}`])
          assert.strictEqual(Duration.toMillis(Duration.fromInputUnsafe(wire.requests[1]?.timeout ?? 0)), budget)
          assert.isUndefined(wire.requests[2]?.headers?.["x-aws-ec2-metadata-token"])
        }
      })
    )
  })

  describe("token", () => {
    it.effect("renews a token 120 s before the TTL IMDS granted", () =>
      Effect.gen(function* () {
        const wire = fakeTransport(BASE, (request) =>
          request.method === "PUT"
            ? reply(200, "short-token", { "x-aws-ec2-metadata-token-ttl-seconds": "300" })
            : healthy(request)
        )
        const source = Ec2Credentials.source({ endpoint: BASE })
        const resolve = source.resolve.pipe(
          withEnv({}),
          Effect.provideService(HttpTransport.HttpTransport, wire.transport)
        )
        yield* resolve
        yield* TestClock.adjust("179 seconds")
        yield* resolve
        yield* TestClock.adjust("2 seconds")
        yield* resolve

        assert.deepStrictEqual(wire.paths(), [
          `PUT ${TOKEN}`,
          `GET ${EXT}`,
          `GET ${EXT}role`,
          `GET ${EXT}role`,
          `PUT ${TOKEN}`,
          `GET ${EXT}role`
        ])
      })
    )

    it.effect("fails with InvalidResponse when the token is not printable ASCII", () =>
      Effect.gen(function* () {
        const wire = fakeTransport(BASE, (request) =>
          request.method === "PUT" ? reply(200, "bad\r\ninjected: header") : healthy(request)
        )
        const error = yield* Effect.flip(run(wire.transport))

        assert.strictEqual(error.reason._tag, "InvalidResponse")
        assert.notInclude(error.message, "injected")
        assert.lengthOf(wire.requests, 1)
      })
    )

    it.effect("starts over when the configured endpoint changes", () =>
      Effect.gen(function* () {
        const other = "http://127.0.0.1:1339"
        const requests: Array<string> = []
        const transport: HttpTransport.Shape = {
          request: (request) => {
            if (!request.url.startsWith(BASE) && !request.url.startsWith(other)) return Effect.die("foreign address")
            requests.push(`${request.method} ${request.url}`)
            return Effect.succeed(healthy(request))
          }
        }
        const source = Ec2Credentials.source()
        const provide = (url: string) => (self: typeof source.resolve) =>
          self.pipe(
            withEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: url }),
            Effect.provideService(HttpTransport.HttpTransport, transport)
          )
        yield* source.resolve.pipe(provide(BASE))
        yield* source.resolve.pipe(provide(other))

        assert.deepStrictEqual(requests.slice(3), [
          `PUT ${other}${TOKEN}`,
          `GET ${other}${EXT}`,
          `GET ${other}${EXT}role`
        ])
      })
    )
  })
})
