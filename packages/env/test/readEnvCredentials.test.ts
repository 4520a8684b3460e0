import * as fs from "node:fs"
import * as path from "node:path"

import { assert, describe, it } from "@effect/vitest"

import { type EnvReading, readEnvCredentials } from "../src/index.js"

const VECTORS = path.resolve(import.meta.dirname, "../../../../shared/vectors/default-credential-provider-chain")

const KEYS = { AWS_ACCESS_KEY_ID: "AKIAREADERTEST0001", AWS_SECRET_ACCESS_KEY: "reader/secret+value" }

const assertInvalid = (reading: EnvReading, variable: string): Extract<EnvReading, { _tag: "Invalid" }> => {
  assert.strictEqual(reading._tag, "Invalid")
  if (reading._tag !== "Invalid") throw new Error("unreachable")
  assert.strictEqual(reading.variable, variable)
  assert.include(reading.message, variable)
  return reading
}

describe("readEnvCredentials", () => {
  describe("keys", () => {
    it("returns Found with only the two keys when nothing else is set", () => {
      assert.deepStrictEqual(readEnvCredentials({ ...KEYS, PATH: "/usr/bin", AWS_REGION: "eu-west-1" }), {
        _tag: "Found",
        accessKeyId: "AKIAREADERTEST0001",
        secretAccessKey: "reader/secret+value"
      })
    })

    it("returns every field when all five variables are set", () => {
      assert.deepStrictEqual(
        readEnvCredentials({
          ...KEYS,
          AWS_SESSION_TOKEN: "token/value==",
          AWS_CREDENTIAL_EXPIRATION: "2030-01-01T00:00:00Z",
          AWS_ACCOUNT_ID: "123456789012"
        }),
        {
          _tag: "Found",
          accessKeyId: "AKIAREADERTEST0001",
          secretAccessKey: "reader/secret+value",
          sessionToken: "token/value==",
          expiration: new Date(Date.UTC(2030, 0, 1)),
          accountId: "123456789012"
        }
      )
    })

    it("keeps non-blank values exactly as given", () => {
      const reading = readEnvCredentials({ AWS_ACCESS_KEY_ID: " AKIDPADDED ", AWS_SECRET_ACCESS_KEY: "s " })
      assert.deepStrictEqual(reading, { _tag: "Found", accessKeyId: " AKIDPADDED ", secretAccessKey: "s " })
    })

    it("returns Absent when no variable is set", () => {
      const reading = readEnvCredentials({})
      assert.strictEqual(reading._tag, "Absent")
      if (reading._tag === "Absent") {
        assert.include(reading.message, "AWS_ACCESS_KEY_ID")
        assert.include(reading.message, "AWS_SECRET_ACCESS_KEY")
      }
    })

    for (const blank of ["", " ", "\t", " \n "]) {
      it(`returns Absent when both keys are blank (${JSON.stringify(blank)})`, () => {
        const reading = readEnvCredentials({ AWS_ACCESS_KEY_ID: blank, AWS_SECRET_ACCESS_KEY: blank })
        assert.strictEqual(reading._tag, "Absent")
      })
    }

    it("returns Absent when only the token, expiration and account id are set", () => {
      const reading = readEnvCredentials({
        AWS_SESSION_TOKEN: "token",
        AWS_CREDENTIAL_EXPIRATION: "not a date",
        AWS_ACCOUNT_ID: "123456789012"
      })
      assert.strictEqual(reading._tag, "Absent")
    })

    it("returns Invalid naming AWS_SECRET_ACCESS_KEY when the key id has no secret", () => {
      const reading = assertInvalid(readEnvCredentials({ AWS_ACCESS_KEY_ID: "AKID" }), "AWS_SECRET_ACCESS_KEY")
      assert.include(reading.hint, "unset both")
    })

    it("returns Invalid naming AWS_SECRET_ACCESS_KEY when the secret is blank", () => {
      assertInvalid(
        readEnvCredentials({ AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "  " }),
        "AWS_SECRET_ACCESS_KEY"
      )
    })

    it("returns Invalid naming AWS_ACCESS_KEY_ID when the secret has no key id", () => {
      assertInvalid(
        readEnvCredentials({ AWS_SECRET_ACCESS_KEY: "secret", AWS_ACCESS_KEY_ID: " " }),
        "AWS_ACCESS_KEY_ID"
      )
    })

    it("reports the missing key before an unreadable expiration", () => {
      assertInvalid(
        readEnvCredentials({ AWS_ACCESS_KEY_ID: "AKID", AWS_CREDENTIAL_EXPIRATION: "garbage" }),
        "AWS_SECRET_ACCESS_KEY"
      )
    })
  })

  describe("optional variables", () => {
    for (const blank of ["", "   "]) {
      it(`leaves out the session token and account id when they are ${JSON.stringify(blank)}`, () => {
        const reading = readEnvCredentials({ ...KEYS, AWS_SESSION_TOKEN: blank, AWS_ACCOUNT_ID: blank })
        assert.deepStrictEqual(reading, {
          _tag: "Found",
          accessKeyId: KEYS.AWS_ACCESS_KEY_ID,
          secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY
        })
      })

      it(`leaves out the expiration when it is ${JSON.stringify(blank)}`, () => {
        const reading = readEnvCredentials({ ...KEYS, AWS_CREDENTIAL_EXPIRATION: blank })
        assert.strictEqual(reading._tag, "Found")
        assert.isFalse("expiration" in reading)
      })
    }

    const valid: ReadonlyArray<readonly [string, string]> = [
      ["2030-01-01T00:00:00Z", "2030-01-01T00:00:00.000Z"],
      ["2030-01-01T00:00:00.123456Z", "2030-01-01T00:00:00.123Z"],
      ["2030-01-01T02:30:00+02:30", "2030-01-01T00:00:00.000Z"],
      ["2029-12-31T19:00:00-0500", "2030-01-01T00:00:00.000Z"],
      ["2030-01-01T00:00Z", "2030-01-01T00:00:00.000Z"],
      ["2030-01-01t00:00:00z", "2030-01-01T00:00:00.000Z"],
      [" 2030-01-01T00:00:00Z\n", "2030-01-01T00:00:00.000Z"],
      ["2028-02-29T00:00:00Z", "2028-02-29T00:00:00.000Z"]
    ]
    for (const [value, iso] of valid) {
      it(`parses the expiration ${JSON.stringify(value)} as ${iso}`, () => {
        const reading = readEnvCredentials({ ...KEYS, AWS_CREDENTIAL_EXPIRATION: value })
        assert.strictEqual(reading._tag, "Found")
        if (reading._tag === "Found") assert.strictEqual(reading.expiration?.toISOString(), iso)
      })
    }

    const invalid = [
      "tomorrow",
      "1893456000",
      "2030-01-01",
      "2030-01-01T00:00:00",
      "2030-01-01 00:00:00Z",
      "2030-02-30T00:00:00Z",
      "2029-02-29T00:00:00Z",
      "2030-13-01T00:00:00Z",
      "2030-01-01T25:00:00Z",
      "Tue, 01 Jan 2030 00:00:00 GMT"
    ]
    for (const value of invalid) {
      it(`returns Invalid naming AWS_CREDENTIAL_EXPIRATION and its value when it is ${JSON.stringify(value)}`, () => {
        const reading = assertInvalid(
          readEnvCredentials({ ...KEYS, AWS_CREDENTIAL_EXPIRATION: value }),
          "AWS_CREDENTIAL_EXPIRATION"
        )
        assert.include(reading.message, `"${value}"`)
        assert.include(reading.hint, "2030-01-01T00:00:00Z")
      })
    }

    it("cuts a long unreadable expiration in the message", () => {
      const value = `2030-${"x".repeat(500)}`
      const reading = assertInvalid(
        readEnvCredentials({ ...KEYS, AWS_CREDENTIAL_EXPIRATION: value }),
        "AWS_CREDENTIAL_EXPIRATION"
      )
      assert.notInclude(reading.message, value)
      assert.isBelow(reading.message.length, 150)
    })
  })

  describe("shared vectors", () => {
    const scenario = (name: string) => ({
      env: JSON.parse(fs.readFileSync(path.join(VECTORS, name, "env.json"), "utf8")) as Record<string, string>,
      expected: JSON.parse(fs.readFileSync(path.join(VECTORS, name, "test-case.json"), "utf8")).result.Ok as Record<
        string,
        unknown
      >
    })

    for (const name of ["environment_variables", "prefer_environment"]) {
      it(`returns the expected credentials for ${name}`, () => {
        const { env, expected } = scenario(name)
        const reading = readEnvCredentials(env)
        assert.strictEqual(reading._tag, "Found")
        if (reading._tag !== "Found") return
        assert.deepStrictEqual(
          {
            access_key_id: reading.accessKeyId,
            secret_access_key: reading.secretAccessKey,
            ...(reading.sessionToken !== undefined ? { session_token: reading.sessionToken } : {}),
            ...(reading.accountId !== undefined ? { account_id: reading.accountId } : {})
          },
          expected
        )
      })
    }

    it("returns Absent for environment_variables_blank, so the chain moves on to the profile", () => {
      const { env } = scenario("environment_variables_blank")
      assert.strictEqual(readEnvCredentials(env)._tag, "Absent")
    })
  })
})
