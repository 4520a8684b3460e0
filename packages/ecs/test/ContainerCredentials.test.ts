import { CredentialsProvider, HttpTransport } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { TestClock } from "effect/testing"
import { afterEach } from "vitest"

import { ContainerCredentials } from "../src/index.js"
import {
  boundaryLayer,
  captureLogs,
  fakeTransport,
  json,
  tableResolver,
  violations,
  withBoundary
} from "./helpers/fakes.js"
import {
  ACCESS_KEY_ID,
  ACCOUNT_ID,
  AUTH_TOKEN,
  credentialsDocument,
  EXPIRATION,
  SECRET_ACCESS_KEY,
  SESSION_TOKEN,
  tempDir,
  withTimePassing,
  writeToken
} from "./helpers/fixtures.js"

const RELATIVE = { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/task-id" }
const EKS = { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials" }
const ok = () => json(200, credentialsDocument())

const resolveWith = (
  env: Record<string, string>,
  transport: ReturnType<typeof fakeTransport>,
  options: ContainerCredentials.Options = {}
) => ContainerCredentials.source(options).resolve.pipe(withBoundary(env, transport.shape))

const failureOf = (
  env: Record<string, string>,
  transport: ReturnType<typeof fakeTransport>,
  options: ContainerCredentials.Options = {}
) => Effect.flip(withTimePassing(resolveWith(env, transport, options)))

const transportError = (kind: HttpTransport.HttpTransportError["kind"], responded = false) =>
  new HttpTransport.HttpTransportError({ kind, responded, url: "GET http://169.254.170.2/v2/credentials/task-id" })

// A fake asked for a target outside its table (or any non-loopback dial) fails the test that caused it.
afterEach(() => {
  assert.deepStrictEqual(violations.splice(0), [])
})

describe("ContainerCredentials", () => {
  describe("source", () => {
    it.effect("returns the credentials with AccountId when the relative URI answers 200", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(ok)
        const credentials = yield* resolveWith(RELATIVE, transport)
        assert.strictEqual(credentials.accessKeyId, ACCESS_KEY_ID)
        assert.strictEqual(Redacted.value(credentials.secretAccessKey), SECRET_ACCESS_KEY)
        assert.strictEqual(credentials.sessionToken && Redacted.value(credentials.sessionToken), SESSION_TOKEN)
        assert.strictEqual(credentials.expiration?.toISOString(), new Date(EXPIRATION).toISOString())
        assert.strictEqual(credentials.accountId, ACCOUNT_ID)
        assert.strictEqual(credentials.source, "container")
        assert.deepStrictEqual(
          transport.calls.map((call) => [call.url, call.address]),
          [["http://169.254.170.2/v2/credentials/task-id", "169.254.170.2"]]
        )
        assert.deepStrictEqual(transport.calls[0]?.headers, {})
      })
    )

    it.effect("fails with Unavailable and sends nothing when neither variable is set", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(ok)
        const error = yield* failureOf({ AWS_CONTAINER_AUTHORIZATION_TOKEN: AUTH_TOKEN }, transport)
        assert.strictEqual(error.reason._tag, "Unavailable")
        assert.isTrue(error.tryNextLink)
        assert.include(error.message, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        assert.strictEqual(transport.calls.length, 0)
      })
    )

    it.effect("treats blank variables as unset", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(ok)
        const env = { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "  ", AWS_CONTAINER_CREDENTIALS_FULL_URI: "" }
        const error = yield* failureOf(env, transport)
        assert.strictEqual(error.reason._tag, "Unavailable")
        const eks = fakeTransport(ok)
        yield* resolveWith({ ...EKS, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: " " }, eks)
        assert.strictEqual(eks.calls[0]?.url, "http://169.254.170.23/v1/credentials")
      })
    )

    it.effect("uses the relative URI when both variables are set", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(ok)
        yield* resolveWith({ ...RELATIVE, ...EKS }, transport)
        assert.strictEqual(transport.calls[0]?.url, "http://169.254.170.2/v2/credentials/task-id")
      })
    )

    it.effect("sends the relative URI to relativeUriBase when one is given", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(ok)
        yield* resolveWith(RELATIVE, transport, { relativeUriBase: "http://127.0.0.1:8123" })
        assert.deepStrictEqual(
          transport.calls.map((call) => [call.url, call.address]),
          [["http://127.0.0.1:8123/v2/credentials/task-id", "127.0.0.1"]]
        )
      })
    )

    it.effect("sends the token value verbatim as the Authorization header", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(ok)
        yield* resolveWith({ ...EKS, AWS_CONTAINER_AUTHORIZATION_TOKEN: AUTH_TOKEN }, transport)
        assert.deepStrictEqual(transport.calls[0]?.headers, { authorization: AUTH_TOKEN })
      })
    )

    it.effect("prefers the token file over the token value", () =>
      Effect.gen(function* () {
        const file = writeToken(tempDir(), "token-from-file")
        const transport = fakeTransport(ok)
        const env = {
          ...EKS,
          AWS_CONTAINER_AUTHORIZATION_TOKEN: AUTH_TOKEN,
          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file
        }
        yield* resolveWith(env, transport)
        assert.deepStrictEqual(transport.calls[0]?.headers, { authorization: "token-from-file" })
      })
    )

    it.effect("reads the token file again on every fetch", () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const file = writeToken(dir, "first-token")
        const transport = fakeTransport(ok)
        const env = { ...EKS, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file }
        yield* resolveWith(env, transport)
        writeToken(dir, "second-token")
        yield* resolveWith(env, transport)
        assert.deepStrictEqual(
          transport.calls.map((call) => call.headers["authorization"]),
          ["first-token", "second-token"]
        )
      })
    )

    it.effect("fails with Misconfigured and sends nothing when the token file is missing", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(ok)
        const missing = `${tempDir()}/absent`
        const error = yield* failureOf({ ...EKS, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: missing }, transport)
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.isFalse(error.tryNextLink)
        assert.include(error.message, missing)
        assert.include(error.message, "ENOENT")
        assert.strictEqual(transport.calls.length, 0)
      })
    )

    it.effect("fails with Misconfigured when the token file is empty or oversized", () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const transport = fakeTransport(ok)
        const empty = yield* failureOf(
          { ...EKS, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: writeToken(dir, "", "empty") },
          transport
        )
        assert.include(empty.message, "is empty")
        const huge = writeToken(dir, "x".repeat(16 * 1024 + 1), "huge")
        const oversized = yield* failureOf({ ...EKS, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: huge }, transport)
        assert.strictEqual(oversized.reason._tag, "Misconfigured")
        assert.include(oversized.message, "larger than")
        assert.strictEqual(transport.calls.length, 0)
      })
    )

    it.effect("fails with Unauthorized carrying only the server's code and message when the endpoint answers 403", () =>
      Effect.gen(function* () {
        const body = { code: "AccessDeniedException", message: "Pod is not associated", detail: "do-not-echo-this" }
        const transport = fakeTransport(() => json(403, body))
        const error = yield* failureOf(EKS, transport)
        assert.strictEqual(error.reason._tag, "Unauthorized")
        assert.strictEqual(
          error.reason._tag === "Unauthorized" ? error.reason.code : undefined,
          "AccessDeniedException"
        )
        assert.include(error.message, "EKS Pod Identity endpoint http://169.254.170.23/v1/credentials answered 403")
        assert.include(error.message, "AccessDeniedException: Pod is not associated")
        assert.notInclude(error.message, "do-not-echo-this")
        assert.strictEqual(transport.calls.length, 1)
      })
    )

    it.effect("fails with Misconfigured without retrying when the endpoint answers 404", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(() => json(404, { code: "NotFound", message: "no such task" }))
        const error = yield* failureOf(RELATIVE, transport)
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, "answered 404 (NotFound: no such task)")
        assert.strictEqual(transport.calls.length, 1)
      })
    )

    it.effect("bounds the server's message and drops a body that is not JSON", () =>
      Effect.gen(function* () {
        const long = fakeTransport(() => json(400, { code: "Invalid", message: `start ${"m".repeat(5000)} end` }))
        const error = yield* failureOf(RELATIVE, long)
        assert.include(error.message, "Invalid: start mmm")
        assert.notInclude(error.message, "m end")
        assert.isBelow(error.message.length, 600)
        const html = fakeTransport(() => json(400, "<html>proxy page with-a-value</html>"))
        const plain = yield* failureOf(RELATIVE, html)
        assert.notInclude(plain.message, "with-a-value")
        assert.include(plain.message, "answered 400")
      })
    )

    it.effect("does not follow a redirect", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(() => json(302, "", { location: "http://10.0.0.1/credentials" }))
        const error = yield* failureOf(EKS, transport)
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, "redirects are not followed")
        assert.deepStrictEqual(
          transport.calls.map((call) => call.url),
          ["http://169.254.170.23/v1/credentials"]
        )
      })
    )

    it.effect("retries a 500 and returns the credentials of the next attempt", () =>
      Effect.gen(function* () {
        const transport = fakeTransport((_, index) => (index === 0 ? json(500, { code: "Internal" }) : ok()))
        const credentials = yield* withTimePassing(resolveWith(RELATIVE, transport))
        assert.strictEqual(credentials.accessKeyId, ACCESS_KEY_ID)
        assert.strictEqual(transport.calls.length, 2)
      })
    )

    it.effect("fails with Transport after three attempts when every attempt answers 503", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(() => json(503, { code: "ServiceUnavailable", message: "busy" }))
        const error = yield* failureOf(RELATIVE, transport)
        assert.strictEqual(error.reason._tag, "Transport")
        assert.strictEqual(error.reason._tag === "Transport" ? error.reason.kind : undefined, "status")
        assert.include(error.message, "answered 503 (ServiceUnavailable: busy) (3 attempts)")
        assert.strictEqual(transport.calls.length, 3)
      })
    )

    it.effect("honours maxAttempts", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(() => transportError("refused"))
        yield* failureOf(RELATIVE, transport, { maxAttempts: 5 })
        assert.strictEqual(transport.calls.length, 5)
        const once = fakeTransport(() => transportError("refused"))
        const error = yield* failureOf(RELATIVE, once, { maxAttempts: 1 })
        assert.strictEqual(once.calls.length, 1)
        assert.notInclude(error.message, "attempts)")
      })
    )

    it.effect("retries I/O failures and reports the network failure itself", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(() => transportError("reset", true))
        const error = yield* failureOf(RELATIVE, transport)
        assert.strictEqual(error.reason._tag, "Transport")
        assert.strictEqual(error.reason._tag === "Transport" ? error.reason.kind : undefined, "reset")
        assert.include(error.message, "connection reset")
        assert.strictEqual(transport.calls.length, 3)
        const timeout = yield* failureOf(
          RELATIVE,
          fakeTransport(() => transportError("timeout")),
          { timeout: 250 }
        )
        assert.include(timeout.message, "no response within 250ms")
      })
    )

    it.effect("retries an unparseable 200 and fails with InvalidResponse that quotes nothing", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(() => json(200, `{"AccessKeyId": "${ACCESS_KEY_ID}", "SecretAccessKey": oops`))
        const error = yield* failureOf(RELATIVE, transport)
        assert.strictEqual(error.reason._tag, "InvalidResponse")
        assert.include(error.message, "not a JSON object")
        assert.notInclude(error.message, ACCESS_KEY_ID)
        assert.strictEqual(transport.calls.length, 3)
      })
    )

    it.effect("fails with InvalidResponse naming the missing fields", () =>
      Effect.gen(function* () {
        const body = credentialsDocument({ SecretAccessKey: undefined, Token: 42 })
        const error = yield* failureOf(
          RELATIVE,
          fakeTransport(() => json(200, body))
        )
        assert.strictEqual(error.reason._tag, "InvalidResponse")
        assert.include(error.message, "lacks SecretAccessKey, Token")
        const badDate = yield* failureOf(
          RELATIVE,
          fakeTransport(() => json(200, credentialsDocument({ Expiration: "soon" })))
        )
        assert.include(badDate.message, "Expiration is not an ISO-8601 time")
      })
    )

    it.effect("treats a 2xx other than 200 as an unusable answer", () =>
      Effect.gen(function* () {
        const transport = fakeTransport((_, index) => (index === 0 ? json(204, "") : ok()))
        const credentials = yield* withTimePassing(resolveWith(RELATIVE, transport))
        assert.strictEqual(credentials.accessKeyId, ACCESS_KEY_ID)
        assert.strictEqual(transport.calls.length, 2)
      })
    )

    it.effect("fails with Misconfigured when an option is out of range", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(ok)
        const attempts = yield* failureOf(RELATIVE, transport, { maxAttempts: 0 })
        assert.include(attempts.message, "maxAttempts")
        const timeout = yield* failureOf(RELATIVE, transport, { timeout: -1 })
        assert.include(timeout.message, "timeout")
        assert.strictEqual(transport.calls.length, 0)
      })
    )

    it.effect("names the detected flavour in errors and debug logs", () =>
      Effect.gen(function* () {
        const cases: ReadonlyArray<readonly [Record<string, string>, string]> = [
          [RELATIVE, "ECS task role"],
          [EKS, "EKS Pod Identity"],
          [{ AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://[fd00:ec2::23]/v1/credentials" }, "EKS Pod Identity"],
          [
            {
              AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9001/2021-04-23/credentials",
              AWS_CONTAINER_AUTHORIZATION_TOKEN: AUTH_TOKEN,
              AWS_LAMBDA_FUNCTION_NAME: "fixture-function"
            },
            "Lambda SnapStart"
          ],
          [
            {
              AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9001/2021-04-23/credentials",
              AWS_CONTAINER_AUTHORIZATION_TOKEN: AUTH_TOKEN
            },
            "custom endpoint"
          ],
          [{ AWS_CONTAINER_CREDENTIALS_FULL_URI: "https://creds.example.com/v1" }, "custom endpoint"]
        ]
        for (const [env, flavour] of cases) {
          const logs = captureLogs()
          const error = yield* failureOf(
            env,
            fakeTransport(() => json(403, {}))
          ).pipe(Effect.provide(logs.layer))
          assert.include(error.message, `${flavour} `)
          assert.notInclude(error.message, "endpoint endpoint")
          assert.isTrue(
            logs.lines.some((line) => line.startsWith("Debug") && line.includes(`${flavour} detected`)),
            logs.lines.join("\n")
          )
          assert.isTrue(logs.lines.every((line) => line.includes('"credentials.source":"container"')))
        }
      })
    )

    it.effect("resolves the name of a plain-http endpoint and connects to the checked address", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(ok)
        const resolver = tableResolver({ localhost: ["::1", "127.0.0.1"] })
        yield* ContainerCredentials.source().resolve.pipe(
          withBoundary(
            { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://localhost:8080/credentials" },
            transport.shape,
            resolver.shape
          )
        )
        assert.deepStrictEqual(resolver.lookups, ["localhost"])
        assert.deepStrictEqual(
          transport.calls.map((call) => [call.url, call.address]),
          [["http://localhost:8080/credentials", "::1"]]
        )
      })
    )

    it.effect("tries the next checked address when the first refuses the connection", () =>
      Effect.gen(function* () {
        const transport = fakeTransport((call) => (call.address === "::1" ? transportError("refused") : ok()))
        const resolver = tableResolver({ localhost: ["::1", "127.0.0.1"] })
        yield* ContainerCredentials.source().resolve.pipe(
          withBoundary(
            { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://localhost:8080/credentials" },
            transport.shape,
            resolver.shape
          )
        )
        assert.deepStrictEqual(
          transport.calls.map((call) => call.address),
          ["::1", "127.0.0.1"]
        )
      })
    )

    it.effect("reports a failed name lookup as a network failure, not as a refused host", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(ok)
        const resolver: ContainerCredentials.ResolverShape = {
          lookup: (host) => Effect.fail(new ContainerCredentials.ResolverError({ host, code: "EAI_AGAIN" }))
        }
        const error = yield* Effect.flip(
          withTimePassing(
            ContainerCredentials.source().resolve.pipe(
              withBoundary(
                { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://agent.local/credentials" },
                transport.shape,
                resolver
              )
            )
          )
        )
        assert.strictEqual(error.reason._tag, "Transport")
        assert.include(error.message, "could not resolve agent.local (EAI_AGAIN)")
        assert.strictEqual(transport.calls.length, 0)
      })
    )
  })

  describe("layer", () => {
    it.effect("serves cached credentials without contacting the endpoint again", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(ok)
        const program = Effect.gen(function* () {
          const provider = yield* CredentialsProvider
          const first = yield* provider.get
          const second = yield* provider.get
          return [first, second] as const
        })
        const [first, second] = yield* program.pipe(
          Effect.provide(ContainerCredentials.layer().pipe(Layer.provide(boundaryLayer(RELATIVE, transport.shape))))
        )
        assert.strictEqual(first, second)
        assert.strictEqual(transport.calls.length, 1)
      })
    )

    it.effect("keeps serving the last credentials through an endpoint outage (static stability)", () =>
      Effect.gen(function* () {
        // TestClock starts at the epoch: the first set expires 15 minutes later, then the endpoint fails.
        const expiration = new Date(15 * 60 * 1000).toISOString()
        const transport = fakeTransport((_, index) =>
          index === 0 ? json(200, credentialsDocument({ Expiration: expiration })) : json(503, {})
        )
        const program = Effect.gen(function* () {
          const provider = yield* CredentialsProvider
          const first = yield* provider.get
          yield* TestClock.adjust("20 minutes")
          const during = yield* withTimePassing(provider.get)
          return { first, during, now: yield* Clock.currentTimeMillis }
        })
        const { first, during, now } = yield* program.pipe(
          Effect.provide(ContainerCredentials.layer().pipe(Layer.provide(boundaryLayer(RELATIVE, transport.shape))))
        )
        assert.strictEqual(during.accessKeyId, first.accessKeyId)
        assert.isAbove(during.expiration?.getTime() ?? 0, now)
        assert.strictEqual(during.originalExpiration?.toISOString(), new Date(expiration).toISOString())
        assert.strictEqual(transport.calls.length, 4)
      })
    )
  })

  describe("layerConfig", () => {
    it.effect("takes its options from Config", () =>
      Effect.gen(function* () {
        const transport = fakeTransport(() => json(503, {}))
        const env = { ...RELATIVE, CREDS_ATTEMPTS: "1", CREDS_BASE: "http://127.0.0.1:8124" }
        const layer = ContainerCredentials.layerConfig({
          maxAttempts: Config.Int("CREDS_ATTEMPTS"),
          relativeUriBase: Config.String("CREDS_BASE")
        })
        const error = yield* Effect.flip(
          CredentialsProvider.use((provider) => provider.get).pipe(
            Effect.provide(layer.pipe(Layer.provide(boundaryLayer(env, transport.shape))))
          )
        )
        assert.strictEqual(error._tag, "CredentialsError")
        assert.deepStrictEqual(
          transport.calls.map((call) => call.url),
          ["http://127.0.0.1:8124/v2/credentials/task-id"]
        )
      })
    )
  })
})
