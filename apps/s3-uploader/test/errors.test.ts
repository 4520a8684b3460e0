import { assert, describe, it } from "@effect/vitest"

import { describe as describeError, describeFileError } from "../src/errors.js"

const where = { bucket: "photos", key: "2024/a.jpg", target: "http://127.0.0.1:9000", source: "env" }

/** An error shaped like the AWS SDK's parsed S3 errors. */
const s3Error = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error("The message S3 sent"), { name, $metadata: { httpStatusCode: status }, ...extra })

describe("errors", () => {
  describe("describe", () => {
    it("names the bucket and endpoint and stops the run when the bucket does not exist", () => {
      const problem = describeError(s3Error("NoSuchBucket", 404), where)
      assert.strictEqual(problem.scope, "run")
      assert.strictEqual(problem.message, 'bucket "photos" does not exist at http://127.0.0.1:9000')
    })

    it("keeps the failure to one object when access is denied", () => {
      const problem = describeError(s3Error("AccessDenied", 403), where)
      assert.strictEqual(problem.scope, "object")
      assert.strictEqual(problem.message, "access denied to s3://photos/2024/a.jpg for the credentials from env")
      assert.include(problem.hint ?? "", "s3:PutObject")
    })

    it("never repeats what S3 echoed when the signature does not match", () => {
      const echoed = "x-amz-security-token:SECRET-TOKEN-VALUE"
      const problem = describeError(
        s3Error("SignatureDoesNotMatch", 403, { CanonicalRequest: echoed, message: echoed }),
        where
      )
      assert.strictEqual(problem.scope, "run")
      assert.notInclude(JSON.stringify(problem), "SECRET-TOKEN-VALUE")
      assert.include(problem.message, "SignatureDoesNotMatch")
    })

    it("marks expired session credentials as a failure of the run", () => {
      assert.strictEqual(describeError(s3Error("ExpiredToken", 400), where).scope, "run")
    })

    it("reports a network failure with the endpoint when the connection is refused", () => {
      const problem = describeError(Object.assign(new Error("connect"), { code: "ECONNREFUSED" }), where)
      assert.strictEqual(problem.message, "cannot reach http://127.0.0.1:9000 (ECONNREFUSED)")
    })

    it("reports a file that vanished as a failure of that object", () => {
      const problem = describeError(Object.assign(new Error("gone"), { code: "ENOENT" }), where)
      assert.strictEqual(problem.scope, "object")
      assert.include(problem.message, "removed after it was listed")
    })

    it("reports a missing region as a configuration error", () => {
      const problem = describeError(new Error("Region is missing"), where)
      assert.strictEqual(problem.scope, "configuration")
      assert.strictEqual(problem.code, "RegionMissing")
    })

    it("uses the credentials error's own message and hint when the provider fails", () => {
      const failure = Object.assign(new Error("profile dev not found in /home/u/.aws/config"), {
        name: "CredentialsError",
        reason: { _tag: "Misconfigured", hint: "check AWS_PROFILE" }
      })
      const problem = describeError(failure, where)
      assert.strictEqual(problem.code, "CredentialsError.Misconfigured")
      assert.strictEqual(problem.scope, "configuration")
      assert.strictEqual(problem.hint, "check AWS_PROFILE")
    })

    it("falls back to the code and status when the error is not known", () => {
      const problem = describeError(s3Error("SlowDown", 503), where)
      assert.strictEqual(problem.message, "s3://photos/2024/a.jpg: SlowDown (HTTP 503)")
    })
  })

  describe("describeFileError", () => {
    it("says permission denied when the code is EACCES", () => {
      assert.strictEqual(describeFileError({ code: "EACCES" }), "permission denied (EACCES)")
      assert.strictEqual(describeFileError({ code: "EWHATEVER" }), "cannot read (EWHATEVER)")
    })
  })
})
