import * as Fs from "node:fs"
import * as Path from "node:path"

import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import { afterEach } from "vitest"

import { ContainerCredentials } from "../src/index.js"
import { readEnv, resolveEndpoint } from "../src/internal/config.js"
import { fakeTransport, json, tableResolver, violations, withBoundary } from "./helpers/fakes.js"
import { credentialsDocument } from "./helpers/fixtures.js"

// The shared cross-SDK vectors, read in place (never copied into the repository).
const VECTORS = Path.resolve(import.meta.dirname, "../../../../shared/vectors")
const FILE = "ecs-endpoint/ecs-tests.json"

interface Case {
  readonly docs: string
  readonly env: Record<string, string>
  readonly result: { readonly Ok: string } | { readonly ErrorContains: string }
}

const cases: ReadonlyArray<Case> = JSON.parse(Fs.readFileSync(Path.join(VECTORS, FILE), "utf8")).tests

// Error expectations are Rust's wording (vectors README, rule 2): the reason each must map to, and whether our
// message copies the Rust text.
const ERRORS: Readonly<Record<string, { readonly reason: string; readonly copiesWording: boolean }>> = {
  "No environment variables were set to configure ECS provider": { reason: "Unavailable", copiesWording: false },
  "URI did not specify a host": { reason: "Misconfigured", copiesWording: true }
}

// The only names the cases use behind plain http; https names are not resolved at all.
const RESOLVER_TABLE = { localhost: ["127.0.0.1"] }

afterEach(() => {
  assert.deepStrictEqual(violations.splice(0), [])
})

describe("ContainerCredentials", () => {
  describe(`vectors ${FILE}`, () => {
    it("has the 11 cases the vectors README describes", () => {
      assert.strictEqual(cases.length, 11)
    })

    for (const [index, vector] of cases.entries()) {
      const id = `${FILE}#${index} ${vector.docs}`

      it.effect(`${id}: resolveEndpoint decides as the vector says`, () =>
        Effect.gen(function* () {
          const env = yield* Effect.provideService(
            readEnv,
            ConfigProvider.ConfigProvider,
            ConfigProvider.fromEnvRecord(vector.env)
          )
          const resolution = resolveEndpoint(env)
          if ("Ok" in vector.result) {
            assert.strictEqual(resolution._tag, "Endpoint")
            if (resolution._tag === "Endpoint") assert.strictEqual(resolution.endpoint.url, vector.result.Ok)
          } else {
            const expected = ERRORS[vector.result.ErrorContains]
            assert.isDefined(expected, `no mapping for "${vector.result.ErrorContains}"`)
            assert.strictEqual(resolution._tag, expected?.reason === "Unavailable" ? "NotConfigured" : "Invalid")
            if (expected?.copiesWording && resolution._tag === "Invalid")
              assert.include(resolution.message, vector.result.ErrorContains)
          }
        })
      )

      it.effect(`${id}: the source requests that URL, or fails before any request`, () =>
        Effect.gen(function* () {
          const transport = fakeTransport(() => json(200, credentialsDocument()))
          const resolver = tableResolver(RESOLVER_TABLE)
          const result = yield* Effect.result(
            ContainerCredentials.source().resolve.pipe(withBoundary(vector.env, transport.shape, resolver.shape))
          )
          if ("Ok" in vector.result) {
            assert.strictEqual(result._tag, "Success")
            assert.deepStrictEqual(
              transport.calls.map((call) => call.url),
              [vector.result.Ok]
            )
            // Plain http to a name goes to the address that was checked; https leaves resolution to TLS.
            const url = new URL(vector.result.Ok)
            if (url.hostname === "localhost") assert.strictEqual(transport.calls[0]?.address, "127.0.0.1")
            if (url.protocol === "https:") assert.strictEqual(transport.calls[0]?.address, undefined)
          } else {
            assert.strictEqual(result._tag, "Failure")
            const expected = ERRORS[vector.result.ErrorContains]
            if (result._tag === "Failure") {
              assert.strictEqual(result.failure.reason._tag, expected?.reason)
              if (expected?.copiesWording) assert.include(result.failure.message, vector.result.ErrorContains)
            }
            assert.strictEqual(transport.calls.length, 0)
          }
        })
      )
    }
  })
})
