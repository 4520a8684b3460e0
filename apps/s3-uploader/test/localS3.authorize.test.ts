import { assert, describe, it } from "@effect/vitest"
import { type AuthorizeDeps, authorize } from "../src/localS3/internal/authorize.js"
import type { SignedRequest } from "../src/localS3/internal/signature.js"
import { decodeQuery } from "../src/localS3/internal/url.js"
import * as KeyRegistry from "../src/localS3/KeyRegistry.js"

// The worked examples of the Amazon S3 API reference, "Signature calculations for the Authorization header" and
// "Authenticating requests: using query parameters" (GET /test.txt on examplebucket, 2013-05-24T00:00:00Z).
const EXAMPLE_KEY = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" }
const EXAMPLE_NOW = Date.UTC(2013, 4, 24)
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
const HEADER_SIGNATURE = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
const PRESIGNED_SIGNATURE = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
const PUT_SIGNATURE = "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
const LIST_SIGNATURE = "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
const EXAMPLE_CREDENTIAL = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"
const MINUTE = 60_000

const headerRequest = (signature: string, extra: Record<string, string> = {}): SignedRequest => ({
  method: "GET",
  rawPath: "/test.txt",
  query: [],
  headers: Object.fromEntries(
    Object.entries({
      host: "examplebucket.s3.amazonaws.com",
      range: "bytes=0-9",
      "x-amz-content-sha256": EMPTY_SHA256,
      "x-amz-date": "20130524T000000Z",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
        `SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=${signature}`,
      ...extra
    }).map(([name, value]) => [name, [value]])
  )
})

const exampleRequest = (
  method: string,
  target: string,
  headers: Record<string, string>,
  signature: string
): SignedRequest => {
  const [rawPath = "", rawQuery = ""] = target.split("?")
  const signedHeaders = Object.keys(headers).sort().join(";")
  const all = {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${EXAMPLE_CREDENTIAL},SignedHeaders=${signedHeaders},Signature=${signature}`
  }
  return {
    method,
    rawPath,
    query: decodeQuery(rawQuery),
    headers: Object.fromEntries(Object.entries(all).map(([name, value]) => [name, [value]]))
  }
}

const presignedRequest = (signature: string): SignedRequest => ({
  method: "GET",
  rawPath: "/test.txt",
  query: decodeQuery(
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
      `&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=${signature}`
  ),
  headers: { host: ["examplebucket.s3.amazonaws.com"] }
})

const deps = (keys: ReadonlyArray<KeyRegistry.KeyInput>, now = EXAMPLE_NOW): AuthorizeDeps => {
  const { registry, lookup } = KeyRegistry.make()
  for (const key of keys) registry.add(key)
  return { lookup, now: () => now, region: undefined }
}

const codeOf = async (request: SignedRequest, dependencies: AuthorizeDeps) => {
  const decision = await authorize(request, dependencies)
  return decision.ok ? "Accepted" : decision.rejection.code
}

describe("localS3", () => {
  describe("authorize", () => {
    it("accepts when the header signature is the one of the S3 reference example", async () => {
      assert.strictEqual(await codeOf(headerRequest(HEADER_SIGNATURE), deps([EXAMPLE_KEY])), "Accepted")
    })

    it("accepts when the presigned URL is the one of the S3 reference example", async () => {
      assert.strictEqual(await codeOf(presignedRequest(PRESIGNED_SIGNATURE), deps([EXAMPLE_KEY])), "Accepted")
    })

    it("accepts when the PUT with a signed date header is the one of the S3 reference example", async () => {
      const request = exampleRequest(
        "PUT",
        "/test%24file.text",
        {
          date: "Fri, 24 May 2013 00:00:00 GMT",
          host: "examplebucket.s3.amazonaws.com",
          "x-amz-content-sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
          "x-amz-date": "20130524T000000Z",
          "x-amz-storage-class": "REDUCED_REDUNDANCY"
        },
        PUT_SIGNATURE
      )
      assert.strictEqual(await codeOf(request, deps([EXAMPLE_KEY])), "Accepted")
    })

    it("accepts when the query of the list request is the one of the S3 reference example", async () => {
      const headers = {
        host: "examplebucket.s3.amazonaws.com",
        "x-amz-content-sha256": EMPTY_SHA256,
        "x-amz-date": "20130524T000000Z"
      }
      const request = exampleRequest("GET", "/?max-keys=2&prefix=J", headers, LIST_SIGNATURE)
      assert.strictEqual(await codeOf(request, deps([EXAMPLE_KEY])), "Accepted")
      const changed = exampleRequest("GET", "/?max-keys=3&prefix=J", headers, LIST_SIGNATURE)
      assert.strictEqual(await codeOf(changed, deps([EXAMPLE_KEY])), "SignatureDoesNotMatch")
    })

    it("rejects with SignatureDoesNotMatch when one signed header differs", async () => {
      const request = headerRequest(HEADER_SIGNATURE, { range: "bytes=0-10" })
      assert.strictEqual(await codeOf(request, deps([EXAMPLE_KEY])), "SignatureDoesNotMatch")
    })

    it("rejects with SignatureDoesNotMatch when the secret differs", async () => {
      const key = { ...EXAMPLE_KEY, secretAccessKey: "another-secret" }
      assert.strictEqual(await codeOf(headerRequest(HEADER_SIGNATURE), deps([key])), "SignatureDoesNotMatch")
      assert.strictEqual(await codeOf(presignedRequest(PRESIGNED_SIGNATURE), deps([key])), "SignatureDoesNotMatch")
    })

    it("ignores headers that are not listed as signed", async () => {
      const request = headerRequest(HEADER_SIGNATURE, { "user-agent": "anything", "x-amz-meta-extra": "x" })
      assert.strictEqual(await codeOf(request, deps([EXAMPLE_KEY])), "Accepted")
    })

    it("rejects with InvalidAccessKeyId when the key is not registered", async () => {
      assert.strictEqual(await codeOf(headerRequest(HEADER_SIGNATURE), deps([])), "InvalidAccessKeyId")
    })

    it("rejects with RequestTimeTooSkewed when the request is more than 15 minutes old", async () => {
      const late = deps([EXAMPLE_KEY], EXAMPLE_NOW + 16 * MINUTE)
      assert.strictEqual(await codeOf(headerRequest(HEADER_SIGNATURE), late), "RequestTimeTooSkewed")
      const inTime = deps([EXAMPLE_KEY], EXAMPLE_NOW + 14 * MINUTE)
      assert.strictEqual(await codeOf(headerRequest(HEADER_SIGNATURE), inTime), "Accepted")
    })

    it("rejects with AccessDenied when the presigned URL has expired", async () => {
      const day = 24 * 60 * MINUTE
      const expired = deps([EXAMPLE_KEY], EXAMPLE_NOW + day + 1000)
      assert.strictEqual(await codeOf(presignedRequest(PRESIGNED_SIGNATURE), expired), "AccessDenied")
    })

    it("rejects with ExpiredToken when the registered expiration has passed", async () => {
      const key = { ...EXAMPLE_KEY, expiration: new Date(EXAMPLE_NOW - 1) }
      assert.strictEqual(await codeOf(headerRequest(HEADER_SIGNATURE), deps([key])), "ExpiredToken")
    })

    it("rejects with InvalidToken when a token is sent for a key registered without one", async () => {
      const request = headerRequest(HEADER_SIGNATURE, { "x-amz-security-token": "unexpected" })
      assert.strictEqual(await codeOf(request, deps([EXAMPLE_KEY])), "InvalidToken")
    })

    it("rejects with InvalidToken when the key's token is missing", async () => {
      const key = { ...EXAMPLE_KEY, sessionToken: "registered-token" }
      assert.strictEqual(await codeOf(headerRequest(HEADER_SIGNATURE), deps([key])), "InvalidToken")
    })

    it("rejects with AccessDenied when the request is not signed", async () => {
      const request: SignedRequest = { method: "GET", rawPath: "/b/k", query: [], headers: { host: ["h"] } }
      assert.strictEqual(await codeOf(request, deps([EXAMPLE_KEY])), "AccessDenied")
    })

    it("rejects with InvalidRequest when the payload hash header is missing", async () => {
      const request = headerRequest(HEADER_SIGNATURE)
      const { "x-amz-content-sha256": _dropped, ...headers } = request.headers
      assert.strictEqual(await codeOf({ ...request, headers }, deps([EXAMPLE_KEY])), "InvalidRequest")
    })

    it("rejects with AuthorizationHeaderMalformed when the region is not the configured one", async () => {
      const dependencies = { ...deps([EXAMPLE_KEY]), region: "eu-west-1" }
      assert.strictEqual(await codeOf(headerRequest(HEADER_SIGNATURE), dependencies), "AuthorizationHeaderMalformed")
    })

    it("rejects with InvalidRequest when the request uses signature version 2", async () => {
      const request: SignedRequest = {
        method: "GET",
        rawPath: "/b/k",
        query: [],
        headers: { host: ["h"], authorization: ["AWS AKIAIOSFODNN7EXAMPLE:c2lnbmF0dXJl"] }
      }
      assert.strictEqual(await codeOf(request, deps([EXAMPLE_KEY])), "InvalidRequest")
    })
  })
})
