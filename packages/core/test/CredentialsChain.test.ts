import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

import { CredentialsChain, CredentialsError, CredentialsSource } from "../src/index.js"
import { assertNoSecrets, credentials } from "./fixtures.js"

const found = (name: string, n: number) => CredentialsSource.make(name, Effect.succeed(credentials(n, undefined, name)))
const absent = (name: string, message = "not configured") =>
  CredentialsSource.make(name, Effect.fail(CredentialsError.unavailable(name, message)))
const broken = (name: string) =>
  CredentialsSource.make(
    name,
    Effect.fail(
      CredentialsError.misconfigured(name, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not", {
        hint: "set both variables or neither"
      })
    )
  )

describe("CredentialsChain", () => {
  describe("make", () => {
    it.effect("returns the first source that has credentials, in order", () =>
      Effect.gen(function* () {
        let laterCalled = false
        const later = CredentialsSource.make(
          "later",
          Effect.sync(() => {
            laterCalled = true
            return credentials(9)
          })
        )
        const chain = CredentialsChain.make([absent("env"), found("profile", 2), later])

        const result = yield* chain.resolve
        assert.strictEqual(result.source, "profile")
        assert.isFalse(laterCalled)
      })
    )

    it.effect("stops at a source that is present but broken and keeps its reason", () =>
      Effect.gen(function* () {
        const chain = CredentialsChain.make([broken("env"), found("profile", 2)])

        const error = yield* Effect.flip(chain.resolve)
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.strictEqual(error.source, "env")
        assert.isFalse(error.tryNextLink)
        assert.deepStrictEqual(
          error.attempts?.map((a) => [a.source, a.outcome]),
          [
            ["env", "failed"],
            ["profile", "not-reached"]
          ]
        )
      })
    )

    it.effect("fails with ChainExhausted listing every source when none has credentials", () =>
      Effect.gen(function* () {
        const chain = CredentialsChain.make([
          absent("env", "AWS_ACCESS_KEY_ID is not set"),
          absent("profile", "no profile default in ~/.aws/config"),
          CredentialsSource.make(
            "ec2",
            Effect.fail(
              CredentialsError.unavailable("ec2", "no IAM role is attached to this instance", {
                hint: "attach an instance profile to the instance"
              })
            )
          )
        ])

        const error = yield* Effect.flip(chain.resolve)
        assert.strictEqual(error.reason._tag, "ChainExhausted")
        assert.strictEqual(error.source, "chain")
        assert.isTrue(error.tryNextLink)
        assert.deepStrictEqual(
          error.attempts?.map((a) => [a.source, a.outcome, a.reason]),
          [
            ["env", "skipped", "Unavailable"],
            ["profile", "skipped", "Unavailable"],
            ["ec2", "skipped", "Unavailable"]
          ]
        )
        const lines = error.message.split("\n")
        assert.include(lines[0] ?? "", "no credentials found after trying env, profile, ec2")
        assert.include(error.message, "1. env: skipped (Unavailable): AWS_ACCESS_KEY_ID is not set")
        assert.include(error.message, "3. ec2: skipped (Unavailable): no IAM role is attached to this instance")
        assert.include(error.message, "hint: attach an instance profile to the instance")
      })
    )
  })

  describe("defects", () => {
    it.effect("reports a source that throws as failed and keeps the rest of the report", () =>
      Effect.gen(function* () {
        const throwing = CredentialsSource.make(
          "profile",
          Effect.sync(() => {
            throw new Error("boom")
          })
        )
        const error = yield* Effect.flip(CredentialsChain.make([absent("env"), throwing, found("ec2", 1)]).resolve)

        assert.strictEqual(error.source, "profile")
        assert.deepStrictEqual(
          error.attempts?.map((a) => [a.source, a.outcome]),
          [
            ["env", "skipped"],
            ["profile", "failed"],
            ["ec2", "not-reached"]
          ]
        )
      })
    )
  })

  describe("resolveWithReport", () => {
    it.effect("reports the winner and the sources not reached", () =>
      Effect.gen(function* () {
        const report = yield* CredentialsChain.resolveWithReport([absent("env"), found("profile", 1), found("ec2", 2)])

        assert.strictEqual(report.credentials?.source, "profile")
        assert.deepStrictEqual(
          report.attempts.map((a) => a.outcome),
          ["skipped", "succeeded", "not-reached"]
        )
        assertNoSecrets(JSON.stringify(report))
      })
    )
  })
})
