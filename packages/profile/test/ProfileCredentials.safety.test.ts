import * as fs from "node:fs"
import * as path from "node:path"

import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

import { ProfileCredentials } from "../src/index.js"
import { failure, homeWith, tempDir, withEnv } from "./support/home.js"

const keys = (id: string) => `aws_access_key_id = ${id}\naws_secret_access_key = s\n`

describe("ProfileCredentials", () => {
  describe("source (hostile names and values)", () => {
    it.effect("treats __proto__ and constructor as ordinary profile names and keys", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          config: [
            "[profile __proto__]",
            keys("AKIDPROTO"),
            "polluted = yes",
            "[profile constructor]",
            keys("AKIDCTOR"),
            "[profile keys]",
            "__proto__ = evil",
            "constructor = evil",
            "toString = evil",
            keys("AKIDKEYS")
          ].join("\n")
        })
        const resolve = (profile: string) =>
          ProfileCredentials.source().resolve.pipe(withEnv({ HOME: home, AWS_PROFILE: profile }))
        assert.strictEqual((yield* resolve("__proto__")).accessKeyId, "AKIDPROTO")
        assert.strictEqual((yield* resolve("constructor")).accessKeyId, "AKIDCTOR")
        assert.strictEqual((yield* resolve("keys")).accessKeyId, "AKIDKEYS")
        assert.isUndefined((Object.prototype as Record<string, unknown>).polluted)
        assert.isUndefined(({} as Record<string, unknown>).polluted)

        const selected = yield* ProfileCredentials.selectedProfileSettings({ profile: "keys" }).pipe(
          withEnv({ HOME: home })
        )
        assert.isNull(Object.getPrototypeOf(selected.settings))
        assert.strictEqual(Object.getOwnPropertyDescriptor(selected.settings, "__proto__")?.value, "evil")
        assert.strictEqual(selected.settings?.tostring, "evil")
      })
    )

    it.effect("does not mistake inherited properties for profiles", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({ config: `[default]\n${keys("AKIDDEFAULT")}` })
        for (const profile of ["toString", "hasOwnProperty", "valueOf"]) {
          const error = yield* failure(
            ProfileCredentials.source().resolve.pipe(withEnv({ HOME: home, AWS_PROFILE: profile }))
          )
          assert.strictEqual(error.reason._tag, "Misconfigured")
          assert.include(error.message, `profile "${profile}" (chosen by AWS_PROFILE) not found`)
        }
      })
    )

    it.effect("runs nothing but the config file's text: profile names and paths from the environment stay data", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const marker = path.join(dir, "pwned")
        const home = yield* homeWith({
          config: [
            "[profile proc]",
            `credential_process = printf '%s' '{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"s"}'`,
            "[profile hop]",
            "role_arn = arn:aws:iam::1:role/R",
            `source_profile = $(touch ${marker})`
          ].join("\n")
        })
        const attempts = [
          { AWS_PROFILE: `x; touch ${marker}` },
          { AWS_PROFILE: `proc; touch ${marker}` },
          { AWS_PROFILE: `$(touch ${marker})` },
          { AWS_PROFILE: "hop" },
          { AWS_PROFILE: "proc", AWS_CONFIG_FILE: `$(touch ${marker})` },
          { AWS_PROFILE: "proc", AWS_SHARED_CREDENTIALS_FILE: `\`touch ${marker}\`` }
        ]
        const outcomes: Array<string> = []
        for (const env of attempts) {
          const outcome = yield* ProfileCredentials.source().resolve.pipe(
            withEnv({ HOME: home, ...env }),
            Effect.match({ onFailure: (error) => error.reason._tag, onSuccess: (credentials) => credentials.source })
          )
          outcomes.push(outcome)
        }
        // The profile option is data too.
        const option = yield* failure(
          ProfileCredentials.source({ profile: `proc' ; touch '${marker}` }).resolve.pipe(withEnv({ HOME: home }))
        )
        outcomes.push(option.reason._tag)

        assert.deepStrictEqual(outcomes, [
          "Misconfigured",
          "Misconfigured",
          "Misconfigured",
          "Misconfigured",
          // A config file path that names no file: the profile chosen by name cannot exist.
          "Misconfigured",
          // A credentials file path that names no file reads as empty; the config file still serves `proc`.
          "process:proc",
          "Misconfigured"
        ])
        assert.isFalse(fs.existsSync(marker))
        // The config file's own command does run.
        const credentials = yield* ProfileCredentials.source({ profile: "proc" }).resolve.pipe(withEnv({ HOME: home }))
        assert.strictEqual(credentials.accessKeyId, "AKIDPROC")
      })
    )
  })
})
