import * as fs from "node:fs"
import * as path from "node:path"

import { CredentialsError } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

import { fromProfile } from "../src/index.js"
import { homeWith } from "./support/home.js"

const files = (home: string) => ({
  configFile: path.join(home, ".aws", "config"),
  credentialsFile: path.join(home, ".aws", "credentials")
})

const rejection = (promise: Promise<unknown>) =>
  Effect.promise(() =>
    promise.then(
      () => assert.fail("expected a rejection"),
      (error: unknown) => error
    )
  )

describe("fromProfile", () => {
  describe("fromProfile", () => {
    it.effect("resolves the named profile's keys from the files given as options", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          config: "[profile app]\nregion = eu-west-1\n",
          credentials:
            "[app]\naws_access_key_id = AKIDPROMISE\naws_secret_access_key = promise-secret\naws_account_id = 123456789012\n"
        })
        const identity = yield* Effect.promise(() => fromProfile({ profile: "app", ...files(home) })())
        assert.deepStrictEqual(identity, {
          accessKeyId: "AKIDPROMISE",
          secretAccessKey: "promise-secret",
          accountId: "123456789012",
          source: "profile:app"
        })
      })
    )

    it.effect("serves the cache until forceRefresh, which reads a rotated file", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          credentials: "[app]\naws_access_key_id = AKIDONE\naws_secret_access_key = one\n"
        })
        const provider = fromProfile({ profile: "app", ...files(home) })
        const first = yield* Effect.promise(() => provider())
        fs.writeFileSync(
          files(home).credentialsFile,
          "[app]\naws_access_key_id = AKIDTWO22\naws_secret_access_key = two\n"
        )
        const cached = yield* Effect.promise(() => provider())
        const refreshed = yield* Effect.promise(() => provider({ forceRefresh: true }))
        assert.deepStrictEqual(
          [first.accessKeyId, cached.accessKeyId, refreshed.accessKeyId],
          ["AKIDONE", "AKIDONE", "AKIDTWO22"]
        )
      })
    )

    it.effect("rejects with a CredentialsError that stops chains when the named profile does not exist", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({ credentials: "[app]\naws_access_key_id = AKID\naws_secret_access_key = s\n" })
        const error = yield* rejection(fromProfile({ profile: "nope", ...files(home) })())
        assert.isTrue(CredentialsError.is(error))
        if (!CredentialsError.is(error)) return
        assert.strictEqual(error.name, "CredentialsError")
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.isFalse(error.tryNextLink)
        assert.strictEqual(error.reason.hint, "available profiles: app")
      })
    )

    it.effect("passes debug lines to the logger, without secrets", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          credentials: "[app]\naws_access_key_id = AKIDLOGGED\naws_secret_access_key = logged-secret\n"
        })
        const lines: Array<string> = []
        const record = (...content: Array<unknown>) => {
          lines.push(content.map(String).join(" "))
        }
        const logger = { debug: record, info: record, warn: record, error: record }
        yield* Effect.promise(() => fromProfile({ profile: "app", logger, ...files(home) })())
        assert.isTrue(lines.some((line) => line.includes("static keys (profile app)")))
        assert.isTrue(lines.some((line) => line.includes("…GGED")))
        assert.notInclude(lines.join("\n"), "logged-secret")
      })
    )
  })
})
