import { CredentialsError, fromStatic } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

import { fromAssumeRole } from "../src/index.js"
import { startStsStandIn } from "./support/stsStandIn.js"

const ROLE = "arn:aws:iam::123456789012:role/team/Deployer"

const ROLES = {
  [ROLE]: {
    accessKeyId: "ASIADEPLOYER",
    secretAccessKey: "deployer-secret",
    sessionToken: "deployer-token",
    expiration: "2030-03-04T05:06:07Z",
    account: "444455556666"
  }
}

const SOURCE = fromStatic({ accessKeyId: "AKIDSOURCE", secretAccessKey: "source-secret" })

/** Points the Promise API's STS calls at the stand-in for the test's scope (it reads the process environment). */
const stsAt = (url: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const previous = process.env.AWS_ENDPOINT_URL_STS
      process.env.AWS_ENDPOINT_URL_STS = url
      return previous
    }),
    (previous) =>
      Effect.sync(() => {
        if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_STS
        else process.env.AWS_ENDPOINT_URL_STS = previous
      })
  )

const rejection = (promise: Promise<unknown>) =>
  Effect.promise(() =>
    promise.then(
      () => assert.fail("expected a rejection"),
      (error: unknown) => error
    )
  )

describe("fromAssumeRole", () => {
  describe("fromAssumeRole", () => {
    it.effect("assumes the role with the credentials of the given source provider", () =>
      Effect.gen(function* () {
        const sts = yield* startStsStandIn(ROLES)
        yield* stsAt(sts.url)
        const provider = fromAssumeRole({
          roleArn: ROLE,
          source: SOURCE,
          roleSessionName: "deploy-42",
          externalId: "ext-7",
          durationSeconds: 900,
          region: "eu-west-3"
        })
        const identity = yield* Effect.promise(() => provider())
        assert.deepStrictEqual(identity, {
          accessKeyId: "ASIADEPLOYER",
          secretAccessKey: "deployer-secret",
          sessionToken: "deployer-token",
          expiration: new Date("2030-03-04T05:06:07Z"),
          accountId: "444455556666",
          source: "role:Deployer"
        })
        const [call] = sts.calls
        assert.strictEqual(call?.signedWith, "AKIDSOURCE")
        assert.deepStrictEqual(
          [call?.params.RoleSessionName, call?.params.ExternalId, call?.params.DurationSeconds],
          ["deploy-42", "ext-7", "900"]
        )
        // Cached: a second call does not reach STS.
        yield* Effect.promise(() => provider())
        assert.strictEqual(sts.calls.length, 1)
      })
    )

    it.effect("rejects with Unauthorized and a trust-policy hint when STS denies the role", () =>
      Effect.gen(function* () {
        const sts = yield* startStsStandIn({})
        yield* stsAt(sts.url)
        const error = yield* rejection(fromAssumeRole({ roleArn: ROLE, source: SOURCE })())
        assert.isTrue(CredentialsError.is(error))
        if (!CredentialsError.is(error)) return
        assert.strictEqual(error.reason._tag, "Unauthorized")
        assert.strictEqual(error.source, "role:Deployer")
        assert.include(error.reason.hint ?? "", "trust policy")
        assert.notInclude(error.message, "source-secret")
      })
    )

    it.effect("rejects with the source's error when the source provider fails, without calling STS", () =>
      Effect.gen(function* () {
        const sts = yield* startStsStandIn(ROLES)
        yield* stsAt(sts.url)
        const failing = () => Promise.reject(Object.assign(new Error("no keys here"), { tryNextLink: false }))
        const error = yield* rejection(fromAssumeRole({ roleArn: ROLE, source: failing })())
        assert.isTrue(CredentialsError.is(error))
        assert.include(String((error as Error).message), "no keys here")
        assert.strictEqual(sts.calls.length, 0)
      })
    )

    it.effect("rejects with Misconfigured when roleArn is empty", () =>
      Effect.gen(function* () {
        const error = yield* rejection(fromAssumeRole({ roleArn: " ", source: SOURCE })())
        assert.isTrue(CredentialsError.is(error))
        if (!CredentialsError.is(error)) return
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, "fromAssumeRole needs a roleArn")
      })
    )
  })
})
