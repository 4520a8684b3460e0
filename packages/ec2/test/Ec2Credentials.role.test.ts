import type { ImdsEmulator } from "@credkit/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { beforeEach } from "vitest"

import { Ec2Credentials } from "../src/index.js"
import { emulator, SECRETS, seen, withEnv } from "./support.js"

const TOKEN = "/latest/api/token"
const EXT = "/latest/meta-data/iam/security-credentials-extended/"
const LEGACY = "/latest/meta-data/iam/security-credentials/"

const resolve = (options?: Ec2Credentials.Options) => Ec2Credentials.source(options).resolve

describe("Ec2Credentials", () => {
  beforeEach(() => {
    Ec2Credentials.clearUnreachableMemory()
  })

  describe("source (role discovery and paths, decisions §8)", () => {
    it.effect("switches to the legacy path for the provider's life when the extended path answers 404", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ extendedPath: false })
        const source = Ec2Credentials.source({ endpoint: emu.url })
        const credentials = yield* source.resolve.pipe(withEnv({}))

        assert.strictEqual(credentials.accessKeyId, emu.control.current().accessKeyId)
        assert.isUndefined(credentials.accountId)
        assert.deepStrictEqual(seen(emu), [
          `PUT ${TOKEN} 200`,
          `GET ${EXT} 404`,
          `GET ${LEGACY} 200`,
          `GET ${LEGACY}credkit-role 200`
        ])

        emu.control.setExtendedPath(true)
        emu.control.clearRequests()
        yield* source.resolve.pipe(withEnv({}))
        assert.deepStrictEqual(seen(emu), [`GET ${LEGACY}credkit-role 200`])
      })
    )

    it.effect("fails with Unavailable, so a chain moves on, when no role is attached", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        emu.control.removeRole()
        const error = yield* Effect.flip(resolve({ endpoint: emu.url }).pipe(withEnv({})))

        assert.strictEqual(error.reason._tag, "Unavailable")
        assert.isTrue(error.tryNextLink)
        assert.include(error.message, "no IAM role is attached to this instance")
        assert.strictEqual(error.source, "ec2")
      })
    )

    it.effect("discovers the new name once when the role is renamed, without an error", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        const source = Ec2Credentials.source({ endpoint: emu.url })
        yield* source.resolve.pipe(withEnv({}))
        emu.control.renameRole("renamed-role")
        emu.control.clearRequests()
        const credentials = yield* source.resolve.pipe(withEnv({}))

        assert.strictEqual(credentials.source, "ec2:renamed-role")
        assert.deepStrictEqual(seen(emu), [
          `GET ${EXT}credkit-role 404`,
          `GET ${EXT} 200`,
          `GET ${EXT}renamed-role 200`
        ])
        emu.control.clearRequests()
        yield* source.resolve.pipe(withEnv({}))
        assert.deepStrictEqual(seen(emu), [`GET ${EXT}renamed-role 200`])
      })
    )

    it.effect("uses a role name configured by option, env var or profile key without listing roles", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ roleName: "configured" })
        const byOption = yield* resolve({ endpoint: emu.url, roleName: "configured" }).pipe(
          withEnv({ AWS_EC2_INSTANCE_PROFILE_NAME: "wrong" })
        )
        const byEnv = yield* resolve({ endpoint: emu.url, profileSettings: { roleName: "wrong" } }).pipe(
          withEnv({ AWS_EC2_INSTANCE_PROFILE_NAME: "configured" })
        )
        const byProfile = yield* resolve({ endpoint: emu.url, profileSettings: { roleName: "configured" } }).pipe(
          withEnv({})
        )

        for (const credentials of [byOption, byEnv, byProfile]) assert.strictEqual(credentials.source, "ec2:configured")
        assert.isFalse(seen(emu).some((line) => line.startsWith(`GET ${EXT} `)))
        assert.lengthOf(seen(emu), 6)
      })
    )

    it.effect("never rediscovers a configured name: a rename fails with Misconfigured naming the setting", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        const source = Ec2Credentials.source({ endpoint: emu.url })
        const env = withEnv({ AWS_EC2_INSTANCE_PROFILE_NAME: "credkit-role" })
        yield* source.resolve.pipe(env)
        emu.control.renameRole("renamed-role")
        emu.control.clearRequests()
        const error = yield* Effect.flip(source.resolve.pipe(env))

        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, "AWS_EC2_INSTANCE_PROFILE_NAME")
        assert.strictEqual(error.source, "ec2:credkit-role")
        assert.deepStrictEqual(seen(emu), [`GET ${EXT}credkit-role 404`])
      })
    )

    it.effect("tries the legacy path for a configured name when the extended path answers 404", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ extendedPath: false })
        const credentials = yield* resolve({ endpoint: emu.url, roleName: "credkit-role" }).pipe(withEnv({}))

        assert.strictEqual(credentials.source, "ec2:credkit-role")
        assert.deepStrictEqual(seen(emu), [
          `PUT ${TOKEN} 200`,
          `GET ${EXT}credkit-role 404`,
          `GET ${LEGACY}credkit-role 200`
        ])
      })
    )
  })

  describe("source (credentials document, decisions §9)", () => {
    it.effect("fails with Unauthorized and the trust-policy hint when Code is AssumeRoleUnauthorizedAccess", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        emu.control.fault(`${EXT}credkit-role`, {
          code: "AssumeRoleUnauthorizedAccess",
          message: "EC2 cannot assume the role credkit-role."
        })
        const error = yield* Effect.flip(resolve({ endpoint: emu.url }).pipe(withEnv({})))

        assert.strictEqual(error.reason._tag, "Unauthorized")
        assert.strictEqual(
          error.reason._tag === "Unauthorized" ? error.reason.code : undefined,
          "AssumeRoleUnauthorizedAccess"
        )
        assert.include(error.message, "EC2 cannot assume the role credkit-role.")
        assert.include(error.reason.hint ?? "", "role trust policy does not allow EC2")
        assert.notInclude(error.message, "LastUpdated")
        assert.isFalse(error.tryNextLink)
      })
    )

    it.effect("fails with Unauthorized carrying any other Code and its Message", () =>
      Effect.gen(function* () {
        const emu = yield* emulator()
        emu.control.fault(`${EXT}credkit-role`, { code: "InternalError", message: "try later" })
        const error = yield* Effect.flip(resolve({ endpoint: emu.url }).pipe(withEnv({})))

        assert.strictEqual(error.reason._tag, "Unauthorized")
        assert.include(error.message, "InternalError: try later")
      })
    )

    const invalid: ReadonlyArray<readonly [string, ImdsEmulator.Fault, string]> = [
      ["the body is malformed JSON", { body: "malformed" }, "is not valid JSON"],
      ["the body is cut in half", { body: "partial" }, "is not valid JSON"],
      ["the body is not UTF-8", { bytes: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }, "is not valid UTF-8"],
      ["the body is a JSON array", { body: "[1, 2]" }, "is not a JSON object"],
      ["the body is larger than 64 KiB", { huge: 70_000 }, "body over"],
      [
        "fields are missing",
        {
          body: JSON.stringify({
            Code: "Success",
            AccessKeyId: SECRETS.accessKeyId,
            SecretAccessKey: SECRETS.secretAccessKey
          })
        },
        "lacks Token, Expiration"
      ],
      [
        "Expiration is not ISO 8601",
        {
          body: JSON.stringify({
            Code: "Success",
            AccessKeyId: SECRETS.accessKeyId,
            SecretAccessKey: SECRETS.secretAccessKey,
            Token: SECRETS.sessionToken,
            Expiration: "Tue, 01 Dec 2026 10:00:00 GMT"
          })
        },
        "Expiration that is not an ISO 8601 timestamp"
      ]
    ]
    for (const [condition, fault, expected] of invalid) {
      it.effect(`fails with InvalidResponse without echoing the body when ${condition}`, () =>
        Effect.gen(function* () {
          const emu = yield* emulator()
          emu.control.fault(`${EXT}credkit-role`, fault)
          const error = yield* Effect.flip(resolve({ endpoint: emu.url }).pipe(withEnv({})))

          assert.strictEqual(error.reason._tag, "InvalidResponse")
          assert.include(error.message, expected)
          for (const secret of Object.values(SECRETS)) assert.notInclude(error.message, secret)
          assert.notInclude(error.message, "ASIA-unquoted")
          assert.notInclude(error.message, "xxxx")
        })
      )
    }
  })
})
