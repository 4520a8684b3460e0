import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { afterEach } from "vitest"

import { ContainerCredentials } from "../src/index.js"
import { fakeTransport, json, refusingTransport, tableResolver, violations, withBoundary } from "./helpers/fakes.js"
import { credentialsDocument, tempDir, writeToken } from "./helpers/fixtures.js"

// Every case here injects both the resolver and the transport: a refused target is never dialled, and a transport
// call or an unexpected lookup is recorded as a violation that fails the test.
afterEach(() => {
  assert.deepStrictEqual(violations.splice(0), [])
})

const FULL_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"

const refused = (
  env: Record<string, string>,
  table: Parameters<typeof tableResolver>[0] = {},
  options: ContainerCredentials.Options = {}
) =>
  Effect.gen(function* () {
    const transport = refusingTransport()
    const resolver = tableResolver(table)
    const error = yield* Effect.flip(
      ContainerCredentials.source(options).resolve.pipe(withBoundary(env, transport.shape, resolver.shape))
    )
    assert.strictEqual(error.reason._tag, "Misconfigured", error.message)
    assert.isFalse(error.tryNextLink)
    assert.strictEqual(transport.calls.length, 0)
    return { error, lookups: resolver.lookups }
  })

describe("ContainerCredentials", () => {
  describe("source refuses forbidden targets before sending anything", () => {
    it.effect("refuses plain http to a public name", () =>
      Effect.gen(function* () {
        const { error, lookups } = yield* refused(
          { [FULL_URI]: "http://credentials.example.com/v1" },
          { "credentials.example.com": ["93.184.215.14"] }
        )
        assert.deepStrictEqual(lookups, ["credentials.example.com"])
        assert.include(error.message, "credentials.example.com resolves to 93.184.215.14")
        assert.include(error.message, "use https for any other host")
      })
    )

    it.effect("refuses plain http to private, link-local, public and unspecified IPv4 addresses", () =>
      Effect.gen(function* () {
        const hosts = [
          "10.0.0.1",
          "192.168.1.10",
          "172.16.0.5",
          "169.254.169.254",
          "169.254.170.3",
          "0.0.0.0",
          "8.8.8.8"
        ]
        for (const host of hosts) {
          const { error, lookups } = yield* refused({ [FULL_URI]: `http://${host}/credentials` })
          assert.include(error.message, `plain http to ${host} is not allowed`)
          assert.deepStrictEqual(lookups, [])
        }
      })
    )

    it.effect("refuses IPv6 tricks: IPv4-mapped private addresses, near-miss agent addresses, unspecified", () =>
      Effect.gen(function* () {
        const hosts = [
          "[::ffff:10.0.0.1]",
          "[fd00:ec2::24]",
          "[::]",
          "[::ffff:169.254.169.254]",
          "[fe80::1]",
          "[2001:db8::1]"
        ]
        for (const host of hosts) {
          const { lookups } = yield* refused({ [FULL_URI]: `http://${host}/credentials` })
          assert.deepStrictEqual(lookups, [])
        }
      })
    )

    it.effect("refuses a name that resolves to a forbidden address, or to any forbidden address among several", () =>
      Effect.gen(function* () {
        const table = { "agent.internal": ["10.1.2.3"], "mixed.internal": ["127.0.0.1", "192.168.0.7"] }
        const single = yield* refused({ [FULL_URI]: "http://agent.internal/credentials" }, table)
        assert.include(single.error.message, "agent.internal resolves to 10.1.2.3")
        const mixed = yield* refused({ [FULL_URI]: "http://mixed.internal/credentials" }, table)
        assert.include(mixed.error.message, "resolves to 192.168.0.7")
        assert.notInclude(mixed.error.message, "127.0.0.1")
      })
    )

    it.effect("checks the name again on every fetch (DNS rebinding)", () =>
      Effect.gen(function* () {
        const transport = fakeTransport((call) =>
          call.address === "127.0.0.1" ? json(200, credentialsDocument()) : json(500, {})
        )
        const resolver = tableResolver({ "rebind.test": (n) => (n === 1 ? ["127.0.0.1"] : ["10.0.0.9"]) })
        const resolve = ContainerCredentials.source().resolve.pipe(
          withBoundary({ [FULL_URI]: "http://rebind.test:8080/credentials" }, transport.shape, resolver.shape)
        )
        yield* resolve
        const error = yield* Effect.flip(resolve)
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, "rebind.test resolves to 10.0.0.9")
        assert.deepStrictEqual(resolver.lookups, ["rebind.test", "rebind.test"])
        assert.deepStrictEqual(
          transport.calls.map((call) => call.address),
          ["127.0.0.1"]
        )
      })
    )

    it.effect("refuses userinfo in the URL without repeating it", () =>
      Effect.gen(function* () {
        for (const uri of ["http://user:hunter2@127.0.0.1:8080/creds", "https://user:hunter2@example.com/creds"]) {
          const { error } = yield* refused({ [FULL_URI]: uri })
          assert.include(error.message, "userinfo")
          assert.notInclude(error.message, "hunter2")
        }
      })
    )

    it.effect("refuses a full URI that is not an absolute http(s) URL", () =>
      Effect.gen(function* () {
        const relative = yield* refused({ [FULL_URI]: "/credentials" })
        assert.include(relative.error.message, "URI did not specify a host")
        const ftp = yield* refused({ [FULL_URI]: "ftp://127.0.0.1/credentials" })
        assert.include(ftp.error.message, "not an http or https URL")
      })
    )

    it.effect("refuses a relative URI that is not a path, and a forbidden relativeUriBase", () =>
      Effect.gen(function* () {
        const notPath = yield* refused({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "@10.0.0.1/credentials" })
        assert.include(notPath.error.message, 'starting with "/"')
        const base = yield* refused(
          { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/creds" },
          {},
          {
            relativeUriBase: "http://10.0.0.1"
          }
        )
        assert.include(base.error.message, "plain http to 10.0.0.1 is not allowed")
      })
    )

    it.effect("refuses an authorization token with a line break or a control character", () =>
      Effect.gen(function* () {
        const endpoint = { [FULL_URI]: "http://127.0.0.1:8080/credentials" }
        const value = yield* refused({ ...endpoint, AWS_CONTAINER_AUTHORIZATION_TOKEN: "abc\r\nX-Injected: yes" })
        assert.include(value.error.message, "contains a line break (CR or LF)")
        assert.notInclude(value.error.message, "X-Injected")
        const file = writeToken(tempDir(), "file-token\n")
        const fromFile = yield* refused({ ...endpoint, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file })
        assert.include(fromFile.error.message, "contains a line break")
        const control = yield* refused({ ...endpoint, AWS_CONTAINER_AUTHORIZATION_TOKEN: "abc\u0000def" })
        assert.include(control.error.message, "not allowed in an HTTP header")
      })
    )
  })

  describe("source allows the permitted targets", () => {
    it.effect("allows loopback in any form, the ECS and EKS agent addresses, and https to any host", () =>
      Effect.gen(function* () {
        const uris = [
          ["http://127.0.0.1:8080/c", "127.0.0.1"],
          ["http://127.1.2.3/c", "127.1.2.3"],
          ["http://[::1]:8080/c", "::1"],
          ["http://[::ffff:127.0.0.1]/c", "::ffff:7f00:1"],
          ["http://169.254.170.2/c", "169.254.170.2"],
          ["http://169.254.170.23/c", "169.254.170.23"],
          ["http://[fd00:ec2::23]/c", "fd00:ec2::23"],
          ["https://credentials.example.com/c", undefined]
        ] as const
        for (const [uri, address] of uris) {
          const transport = fakeTransport(() => json(200, credentialsDocument()))
          const resolver = tableResolver({})
          yield* ContainerCredentials.source().resolve.pipe(
            withBoundary({ [FULL_URI]: uri }, transport.shape, resolver.shape)
          )
          assert.deepStrictEqual(
            transport.calls.map((call) => call.address),
            [address],
            uri
          )
          assert.deepStrictEqual(resolver.lookups, [])
        }
      })
    )
  })
})
