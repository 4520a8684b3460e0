import { assert, describe, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"

import { decodeCredentials, decodeServerError, describeServerError } from "../../src/internal/decode.js"
import { tokenProblem } from "../../src/internal/token.js"
import { credentialsDocument, SECRET_ACCESS_KEY, SESSION_TOKEN } from "../helpers/fixtures.js"

const problemOf = (body: string): string => {
  const decoded = decodeCredentials(body, "container")
  assert.strictEqual(decoded._tag, "Invalid")
  return decoded._tag === "Invalid" ? decoded.problem : ""
}

describe("decode", () => {
  describe("decodeCredentials", () => {
    it("wraps the secret fields in Redacted and keeps AccountId", () => {
      const decoded = decodeCredentials(JSON.stringify(credentialsDocument()), "container")
      assert.strictEqual(decoded._tag, "Credentials")
      if (decoded._tag !== "Credentials") return
      assert.isTrue(Redacted.isRedacted(decoded.credentials.secretAccessKey))
      assert.strictEqual(Redacted.value(decoded.credentials.secretAccessKey), SECRET_ACCESS_KEY)
      assert.strictEqual(
        decoded.credentials.sessionToken && Redacted.value(decoded.credentials.sessionToken),
        SESSION_TOKEN
      )
      assert.strictEqual(decoded.credentials.accountId, "123456789012")
      const noAccount = decodeCredentials(JSON.stringify(credentialsDocument({ AccountId: undefined })), "container")
      assert.isTrue(noAccount._tag === "Credentials" && noAccount.credentials.accountId === undefined)
    })

    it("describes a bad document by field names only", () => {
      assert.strictEqual(problemOf(`{"SecretAccessKey": "${SECRET_ACCESS_KEY}"`), "the body is not a JSON object")
      assert.strictEqual(problemOf("[1, 2]"), "the body is not a JSON object")
      const missing = problemOf(JSON.stringify({ SecretAccessKey: SECRET_ACCESS_KEY, Token: "" }))
      assert.strictEqual(missing, "the document lacks AccessKeyId, Token, Expiration (or they are not strings)")
      const date = problemOf(JSON.stringify(credentialsDocument({ Expiration: "2030-13-45T99:00:00Z" })))
      assert.strictEqual(date, "Expiration is not an ISO-8601 time")
      assert.notInclude(problemOf(JSON.stringify(credentialsDocument({ Expiration: "Tuesday" }))), "Tuesday")
    })
  })

  describe("decodeServerError", () => {
    it("keeps only code and message, bounded and without control characters", () => {
      const error = decodeServerError(
        JSON.stringify({ code: "Denied\r\nX-Evil: 1", message: "m".repeat(300), body: "x" })
      )
      assert.strictEqual(error.code, "Denied X-Evil: 1")
      assert.strictEqual(error.message?.length, 201)
      assert.deepStrictEqual(decodeServerError("<html>oops</html>"), {})
      assert.strictEqual(describeServerError(decodeServerError('{"Code":"NotFound"}')), "NotFound")
      assert.isUndefined(describeServerError({}))
    })
  })

  describe("tokenProblem", () => {
    it("accepts header-safe tokens and names what is wrong with the others", () => {
      assert.isUndefined(tokenProblem("eyJhbGciOi.payload.sig=="))
      assert.strictEqual(tokenProblem("abc\n"), "contains a line break (CR or LF)")
      assert.strictEqual(tokenProblem("a\rb"), "contains a line break (CR or LF)")
      assert.strictEqual(tokenProblem("a\u0007b"), "contains a character that is not allowed in an HTTP header")
      assert.strictEqual(tokenProblem("snow\u2603"), "contains a character that is not allowed in an HTTP header")
      assert.strictEqual(tokenProblem(" "), "is empty")
    })
  })
})
