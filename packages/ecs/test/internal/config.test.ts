import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

import { type ContainerEnv, readEnv, resolveEndpoint } from "../../src/internal/config.js"

const token = Redacted.make("fixture-token")

const endpointOf = (env: ContainerEnv, base?: string) => {
  const resolution = resolveEndpoint(env, base)
  assert.strictEqual(resolution._tag, "Endpoint", JSON.stringify(resolution))
  if (resolution._tag !== "Endpoint") throw new Error("unreachable")
  return resolution.endpoint
}

describe("config", () => {
  describe("readEnv", () => {
    it.effect("reads the five variables, blank ones as unset, the token as Redacted", () =>
      Effect.gen(function* () {
        const env = yield* Effect.provideService(
          readEnv,
          ConfigProvider.ConfigProvider,
          ConfigProvider.fromEnvRecord({
            AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: " ",
            AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1/c",
            AWS_CONTAINER_AUTHORIZATION_TOKEN: "fixture-token",
            AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "",
            AWS_LAMBDA_FUNCTION_NAME: "fn"
          })
        )
        assert.isUndefined(env.relativeUri)
        assert.strictEqual(env.fullUri, "http://127.0.0.1/c")
        assert.isTrue(env.token !== undefined && Redacted.isRedacted(env.token))
        assert.strictEqual(env.token && Redacted.value(env.token), "fixture-token")
        assert.isUndefined(env.tokenFile)
        assert.strictEqual(env.lambdaFunctionName, "fn")
      })
    )
  })

  describe("resolveEndpoint", () => {
    it("detects each flavour from the variables and the URI", () => {
      assert.strictEqual(endpointOf({ relativeUri: "/v2/credentials/x" }).flavour, "ECS task role")
      assert.strictEqual(endpointOf({ fullUri: "http://169.254.170.2/v2/credentials/x" }).flavour, "ECS task role")
      assert.strictEqual(endpointOf({ fullUri: "http://169.254.170.23/v1/credentials" }).flavour, "EKS Pod Identity")
      assert.strictEqual(endpointOf({ fullUri: "http://[fd00:ec2::23]/v1/credentials" }).flavour, "EKS Pod Identity")
      const lambda = { token, lambdaFunctionName: "fn" }
      assert.strictEqual(endpointOf({ ...lambda, fullUri: "http://127.0.0.1:9001/c" }).flavour, "Lambda SnapStart")
      assert.strictEqual(endpointOf({ ...lambda, fullUri: "http://localhost:9001/c" }).flavour, "Lambda SnapStart")
      assert.strictEqual(endpointOf({ token, fullUri: "http://127.0.0.1:9001/c" }).flavour, "custom endpoint")
      assert.strictEqual(endpointOf({ ...lambda, fullUri: "https://example.com/c" }).flavour, "custom endpoint")
    })

    it("marks which hosts still need resolving", () => {
      assert.deepStrictEqual(
        [endpointOf({ fullUri: "http://localhost/c" }), endpointOf({ fullUri: "http://[::1]:80/c" })].map((e) => [
          e.host,
          e.literal,
          e.secure
        ]),
        [
          ["localhost", false, false],
          ["::1", true, false]
        ]
      )
      assert.isTrue(endpointOf({ fullUri: "https://example.com/c" }).secure)
    })

    it("keeps the relative URI under the base origin and shows no query or userinfo", () => {
      const endpoint = endpointOf({ relativeUri: "//10.0.0.1/creds?id=1" }, "http://127.0.0.1:8080/base/")
      assert.strictEqual(endpoint.url, "http://127.0.0.1:8080/base//10.0.0.1/creds?id=1")
      assert.strictEqual(endpoint.display, "http://127.0.0.1:8080/base//10.0.0.1/creds")
      assert.strictEqual(resolveEndpoint({ relativeUri: "/c" }, "not a url")._tag, "Invalid")
      assert.strictEqual(resolveEndpoint({ relativeUri: "/c" }, "http://127.0.0.1/?q=1")._tag, "Invalid")
    })

    it("is NotConfigured without either URI, whatever else is set", () => {
      assert.deepStrictEqual(resolveEndpoint({ token, tokenFile: "/t", lambdaFunctionName: "fn" }), {
        _tag: "NotConfigured"
      })
    })
  })
})
