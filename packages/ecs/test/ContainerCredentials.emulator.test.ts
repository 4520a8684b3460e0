import * as Path from "node:path"
import { CredentialsProvider } from "@credkit/core"
import { ContainerEmulator } from "@credkit/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { afterEach } from "vitest"

import { ContainerCredentials } from "../src/index.js"
import {
  boundaryLayer,
  captureLogs,
  loopbackTransport,
  tableResolver,
  violations,
  withBoundary
} from "./helpers/fakes.js"
import { AUTH_TOKEN, tempDir } from "./helpers/fixtures.js"

// Real HTTP against the loopback emulator. The transport is core's node:http one behind a guard that dials only
// 127.0.0.1 and ::1; the agent addresses of a case are routed to the emulator's port.
afterEach(() => {
  assert.deepStrictEqual(violations.splice(0), [])
})

const emulator = (options?: ContainerEmulator.Options) =>
  Effect.acquireRelease(
    Effect.promise(() => ContainerEmulator.start(options)),
    (running) => Effect.promise(() => running.close())
  )

const portOf = (running: ContainerEmulator.ContainerEmulator) => new URL(running.baseUrl).port

const fetchFrom = (
  running: ContainerEmulator.ContainerEmulator,
  options: ContainerCredentials.Options = {},
  env: Record<string, string> = { AWS_CONTAINER_CREDENTIALS_FULL_URI: running.url }
) => {
  const transport = loopbackTransport()
  return ContainerCredentials.source(options).resolve.pipe(withBoundary(env, transport.shape))
}

describe("ContainerCredentials", () => {
  describe("flavours over real HTTP", () => {
    it.live("gets ECS task role credentials from the relative URI mapped to the emulator by relativeUriBase", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const running = yield* emulator({ path: "/v2/credentials/3f2b1c0a-task" })
          const logs = captureLogs()
          const env = { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: running.relativeUri }
          const credentials = yield* fetchFrom(running, { relativeUriBase: running.baseUrl }, env).pipe(
            Effect.provide(logs.layer)
          )
          const served = running.control.current()
          assert.strictEqual(credentials.accessKeyId, served.accessKeyId)
          assert.strictEqual(Redacted.value(credentials.secretAccessKey), served.secretAccessKey)
          assert.strictEqual(credentials.accountId, "123456789012")
          assert.strictEqual(credentials.expiration?.getTime(), Math.floor(served.expiration.getTime() / 1000) * 1000)
          assert.deepStrictEqual(
            running.control.requests().map((request) => [request.method, request.path, request.status]),
            [["GET", "/v2/credentials/3f2b1c0a-task", 200]]
          )
          assert.isTrue(logs.lines.some((line) => line.includes("ECS task role detected")))
        })
      )
    )

    it.live("gets EKS Pod Identity credentials and follows a token file rotated between two fetches", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const tokenFile = Path.join(tempDir(), "eks-pod-identity-token")
          const running = yield* emulator({ tokenFile })
          const transport = loopbackTransport({ "169.254.170.23": `127.0.0.1:${portOf(running)}` })
          const env = {
            AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
            AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile
          }
          const logs = captureLogs()
          const program = Effect.gen(function* () {
            const provider = yield* CredentialsProvider
            const first = yield* provider.get
            running.control.rotateToken()
            running.control.rotate()
            const second = yield* provider.refresh
            return [first, second] as const
          })
          const [first, second] = yield* program.pipe(
            Effect.provide(ContainerCredentials.layer().pipe(Layer.provide(boundaryLayer(env, transport.shape)))),
            Effect.provide(logs.layer)
          )
          assert.notStrictEqual(first.accessKeyId, second.accessKeyId)
          assert.strictEqual(second.accessKeyId, running.control.current().accessKeyId)
          // The emulator accepts only the current token: the second 200 proves the file was read again.
          assert.deepStrictEqual(
            running.control.requests().map((request) => [request.status, request.headers["authorization"]]),
            [
              [200, "<redacted>"],
              [200, "<redacted>"]
            ]
          )
          assert.isTrue(logs.lines.some((line) => line.includes("EKS Pod Identity detected")))
        })
      )
    )

    it.live("gets Lambda SnapStart credentials from a loopback full URI with a token value", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const running = yield* emulator({ token: AUTH_TOKEN, path: "/2021-04-23/credentials" })
          const env = {
            AWS_CONTAINER_CREDENTIALS_FULL_URI: running.url,
            AWS_CONTAINER_AUTHORIZATION_TOKEN: AUTH_TOKEN,
            AWS_LAMBDA_FUNCTION_NAME: "fixture-function"
          }
          const logs = captureLogs()
          const credentials = yield* fetchFrom(running, {}, env).pipe(Effect.provide(logs.layer))
          assert.strictEqual(credentials.accessKeyId, running.control.current().accessKeyId)
          assert.isTrue(logs.lines.some((line) => line.includes("Lambda SnapStart detected")))
        })
      )
    )

    it.live("connects a plain-http host name to the address it was checked against", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const running = yield* emulator()
          const transport = loopbackTransport()
          const resolver = tableResolver({ "agent.test": ["127.0.0.1"] })
          const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://agent.test:${portOf(running)}/v1/credentials` }
          const credentials = yield* ContainerCredentials.source().resolve.pipe(
            withBoundary(env, transport.shape, resolver.shape)
          )
          assert.strictEqual(credentials.accessKeyId, running.control.current().accessKeyId)
          assert.deepStrictEqual(
            transport.calls.map((call) => call.address),
            ["127.0.0.1"]
          )
        })
      )
    )
  })

  describe("faults over real HTTP", () => {
    const failure = (running: ContainerEmulator.ContainerEmulator, options: ContainerCredentials.Options = {}) =>
      Effect.flip(fetchFrom(running, options))

    it.live("stops at a 4xx with the server's code and message", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const running = yield* emulator({ token: AUTH_TOKEN })
          const error = yield* Effect.flip(
            fetchFrom(
              running,
              {},
              { AWS_CONTAINER_CREDENTIALS_FULL_URI: running.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: "stale" }
            )
          )
          assert.strictEqual(error.reason._tag, "Unauthorized")
          assert.include(
            error.message,
            "answered 401 (AccessDenied: The authorization token is missing or does not match)"
          )
          assert.strictEqual(running.control.requests().length, 1)
          running.control.fault("*", { status: 404 })
          const missing = yield* Effect.flip(
            fetchFrom(
              running,
              {},
              { AWS_CONTAINER_CREDENTIALS_FULL_URI: running.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: AUTH_TOKEN }
            )
          )
          assert.strictEqual(missing.reason._tag, "Misconfigured")
          assert.include(missing.message, "answered 404 (NotFound")
          assert.strictEqual(running.control.requests().length, 2)
        })
      )
    )

    it.live("recovers when a 5xx is followed by a good answer", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const running = yield* emulator()
          running.control.fault("*", { status: 500, times: 1 })
          const credentials = yield* fetchFrom(running)
          assert.strictEqual(credentials.accessKeyId, running.control.current().accessKeyId)
          assert.deepStrictEqual(
            running.control.requests().map((request) => request.status),
            [500, 200]
          )
        })
      )
    )

    it.live("times out an attempt that hangs and retries it", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const running = yield* emulator()
          running.control.fault("*", { hang: true })
          const error = yield* failure(running, { timeout: 200, maxAttempts: 2 })
          assert.strictEqual(error.reason._tag, "Transport")
          assert.strictEqual(error.reason._tag === "Transport" ? error.reason.kind : undefined, "timeout")
          assert.include(error.message, "no response within 200ms (2 attempts)")
          assert.strictEqual(running.control.requests().length, 2)
        })
      )
    )

    it.live("reports a connection reset, and recovers from one", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const running = yield* emulator()
          running.control.fault("*", { reset: true })
          const error = yield* failure(running)
          assert.strictEqual(error.reason._tag === "Transport" ? error.reason.kind : undefined, "reset")
          assert.strictEqual(running.control.requests().length, 3)
          running.control.clearFaults()
          running.control.fault("*", { reset: "mid-body", times: 1 })
          const credentials = yield* fetchFrom(running)
          assert.strictEqual(credentials.accessKeyId, running.control.current().accessKeyId)
        })
      )
    )

    it.live("reports connection refused once nothing listens", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const running = yield* emulator()
          yield* Effect.promise(() => running.close())
          const error = yield* failure(running)
          assert.strictEqual(error.reason._tag === "Transport" ? error.reason.kind : undefined, "refused")
          assert.include(error.message, "connection refused (3 attempts)")
        })
      )
    )

    it.live("retries malformed JSON and then fails with InvalidResponse", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const running = yield* emulator()
          running.control.fault("*", { body: "malformed" })
          const error = yield* failure(running)
          assert.strictEqual(error.reason._tag, "InvalidResponse")
          assert.include(error.message, "not a JSON object (3 attempts)")
          assert.strictEqual(running.control.requests().length, 3)
        })
      )
    )

    it.live("fails with InvalidResponse naming the fields a document lacks", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const running = yield* emulator()
          const body = JSON.stringify({ AccessKeyId: "ASIAPARTIAL", Expiration: "2030-01-01T00:00:00Z" })
          running.control.fault("*", { body })
          const error = yield* failure(running, { maxAttempts: 1 })
          assert.include(error.message, "lacks SecretAccessKey, Token")
        })
      )
    )

    it.live("does not follow a redirect", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const running = yield* emulator()
          running.control.fault("*", { status: 302 })
          const error = yield* failure(running)
          assert.strictEqual(error.reason._tag, "Misconfigured")
          assert.include(error.message, "answered 302: redirects are not followed")
          assert.strictEqual(running.control.requests().length, 1)
        })
      )
    )
  })
})
