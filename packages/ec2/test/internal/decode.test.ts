import { assert, describe, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"

import { decodeDocument, parseTimestamp } from "../../src/internal/decode.js"

const encode = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value))

const VALID = {
  Code: "Success",
  LastUpdated: "2026-01-01T00:00:00Z",
  Type: "AWS-HMAC",
  AccessKeyId: "ASIAEXAMPLE",
  SecretAccessKey: "secret-value",
  Token: "token-value",
  Expiration: "2026-01-01T06:00:00Z",
  AccountId: "123456789012"
}

describe("decode", () => {
  describe("decodeDocument", () => {
    it("decodes the document with the secrets Redacted and the account id kept", () => {
      const decoded = decodeDocument(encode(VALID), "web")
      assert.strictEqual(decoded._tag, "Ok")
      if (decoded._tag !== "Ok") return
      const credentials = decoded.credentials
      assert.strictEqual(credentials.source, "ec2:web")
      assert.strictEqual(credentials.accountId, "123456789012")
      assert.strictEqual(credentials.expiration?.toISOString(), "2026-01-01T06:00:00.000Z")
      assert.strictEqual(Redacted.value(credentials.secretAccessKey), "secret-value")
      assert.strictEqual(String(credentials.sessionToken), "<redacted>")
    })

    it("reports Code and Message, and nothing else, when Code is not Success", () => {
      const decoded = decodeDocument(encode({ Code: "AssumeRoleUnauthorizedAccess", Message: "no\ntrust" }), "web")
      assert.deepStrictEqual(decoded, { _tag: "Failed", code: "AssumeRoleUnauthorizedAccess", message: "no trust" })
    })

    it("names only the missing fields", () => {
      const { Token: _token, Expiration: _expiration, ...partial } = VALID
      assert.deepStrictEqual(decodeDocument(encode(partial), "web"), {
        _tag: "Invalid",
        message: "lacks Token, Expiration"
      })
    })

    it("rejects fields that are empty or not strings", () => {
      const decoded = decodeDocument(encode({ ...VALID, Token: "", AccessKeyId: 42 }), "web")
      assert.deepStrictEqual(decoded, {
        _tag: "Invalid",
        message: "has AccessKeyId, Token that are not non-empty strings"
      })
    })

    it("never echoes a secret of an invalid document, whatever its values", () => {
      fc.assert(
        fc.property(
          fc.stringMatching(/^[A-Za-z0-9+/]{16,60}$/),
          fc.constantFrom("Token", "Expiration", "AccessKeyId"),
          fc.string(),
          (secret, dropped, expiration) => {
            const document: Record<string, unknown> = { ...VALID, SecretAccessKey: secret, Expiration: expiration }
            delete document[dropped]
            const decoded = decodeDocument(encode(document), "web")
            return decoded._tag === "Ok" || !JSON.stringify(decoded).includes(secret)
          }
        )
      )
    })

    it("never throws on arbitrary bytes", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
          const decoded = decodeDocument(bytes, "web")
          return decoded._tag === "Invalid" || decoded._tag === "Failed" || decoded._tag === "Ok"
        })
      )
      assert.deepStrictEqual(decodeDocument(new Uint8Array([0x7b, 0xff, 0x7d]), "web"), {
        _tag: "Invalid",
        message: "is not valid UTF-8"
      })
    })
  })

  describe("parseTimestamp", () => {
    it("round-trips every instant written as ISO 8601", () => {
      fc.assert(
        fc.property(
          fc.date({
            min: new Date("0000-01-01T00:00:00Z"),
            max: new Date("9999-12-31T23:59:59Z"),
            noInvalidDate: true
          }),
          (date) => parseTimestamp(date.toISOString())?.getTime() === date.getTime()
        )
      )
    })

    it("applies zone offsets", () => {
      assert.strictEqual(parseTimestamp("2026-01-01T02:30:00+02:30")?.toISOString(), "2026-01-01T00:00:00.000Z")
      assert.strictEqual(parseTimestamp("2025-12-31T19:00:00-05:00")?.toISOString(), "2026-01-01T00:00:00.000Z")
    })

    it("rejects anything but a full date, time and zone", () => {
      for (const text of [
        "2026-01-01T00:00:00",
        "2026-01-01",
        "2026-01-01 00:00:00Z",
        "2026-02-30T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T00:00Z",
        "1767225600",
        "Thu, 01 Jan 2026 00:00:00 GMT"
      ]) {
        assert.isUndefined(parseTimestamp(text), text)
      }
    })
  })
})
