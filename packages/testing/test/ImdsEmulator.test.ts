import { spawn } from "node:child_process"
import Http from "node:http"
import * as Path from "node:path"
import { createInterface } from "node:readline"
import { afterEach, assert, describe, it, vi } from "@effect/vitest"
import { fromInstanceMetadata } from "@smithy/credential-provider-imds"

import { ImdsEmulator } from "../src/index.ts"
import { request, waitUntil } from "./support/http.ts"

const TOKEN_PATH = "/latest/api/token"
const LIST = "/latest/meta-data/iam/security-credentials/"
const EXTENDED = "/latest/meta-data/iam/security-credentials-extended/"
const TTL = "x-aws-ec2-metadata-token-ttl-seconds"
const TOKEN = "x-aws-ec2-metadata-token"
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

const running: Array<ImdsEmulator.ImdsEmulator> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()))
})

const start = async (options?: ImdsEmulator.Options) => {
  const emulator = await ImdsEmulator.start(options)
  running.push(emulator)
  return emulator
}

const manualClock = (startAt = Date.UTC(2025, 0, 1)) => {
  const clock = { now: startAt, read: () => clock.now }
  return clock
}

const token = async (url: string, ttl = "21600") => {
  const answer = await request(url + TOKEN_PATH, { method: "PUT", headers: { [TTL]: ttl } })
  assert.strictEqual(answer.status, 200)
  return answer.text
}

const document = async (url: string, path = LIST + "credkit-role") => JSON.parse((await request(url + path)).text)

describe("ImdsEmulator", () => {
  describe("start", () => {
    it("listens on a free loopback port when no port is given", async () => {
      const { url } = await start()
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.strictEqual((await request(url + LIST)).text, "credkit-role")
    })

    it("listens on the given port when one is set", async () => {
      const probe = await start()
      const port = Number(new URL(probe.url).port)
      await probe.close()
      const { url } = await start({ port })
      assert.strictEqual(url, `http://127.0.0.1:${port}`)
    })
  })

  describe("token", () => {
    it("issues a token with the TTL header when the PUT carries a valid TTL", async () => {
      const { url } = await start()
      const answer = await request(url + TOKEN_PATH, { method: "PUT", headers: { [TTL]: "60" } })
      assert.strictEqual(answer.status, 200)
      assert.strictEqual(answer.headers[TTL], "60")
      assert.match(answer.headers["content-type"] ?? "", /^text\/plain/)
      assert.isAbove(answer.text.length, 40)
      assert.notStrictEqual(await token(url), answer.text)
    })

    it("answers 400 when the TTL header is missing or invalid", async () => {
      const { url } = await start()
      assert.strictEqual((await request(url + TOKEN_PATH, { method: "PUT" })).status, 400)
      for (const ttl of ["0", "21601", "abc", "1.5", "-5", ""]) {
        const answer = await request(url + TOKEN_PATH, { method: "PUT", headers: { [TTL]: ttl } })
        assert.strictEqual(answer.status, 400, `TTL ${JSON.stringify(ttl)}`)
      }
      assert.strictEqual((await request(url + TOKEN_PATH, { method: "PUT", headers: { [TTL]: "1" } })).status, 200)
    })

    it("answers 403 when the token PUT carries X-Forwarded-For", async () => {
      const { url } = await start()
      const headers = { [TTL]: "60", "x-forwarded-for": "10.0.0.1" }
      assert.strictEqual((await request(url + TOKEN_PATH, { method: "PUT", headers })).status, 403)
    })

    it("answers 405 when the token path is read with GET", async () => {
      const { url } = await start()
      assert.strictEqual((await request(url + TOKEN_PATH)).status, 405)
    })

    it("answers 401 when the token has outlived its TTL", async () => {
      const clock = manualClock()
      const { url } = await start({ now: clock.read })
      const headers = { [TOKEN]: await token(url, "10") }
      assert.strictEqual((await request(url + LIST, { headers })).status, 200)
      clock.now += 9_999
      assert.strictEqual((await request(url + LIST, { headers })).status, 200)
      clock.now += 1
      const expired = await request(url + LIST, { headers })
      assert.strictEqual(expired.status, 401)
      assert.include(expired.text, "401 - Unauthorized")
    })

    it("answers 401 when the token is unknown or tokens were expired", async () => {
      const { url, control } = await start()
      assert.strictEqual((await request(url + LIST, { headers: { [TOKEN]: "AQAEAnot-issued" } })).status, 401)
      const headers = { [TOKEN]: await token(url) }
      assert.strictEqual((await request(url + LIST, { headers })).status, 200)
      control.expireTokens()
      assert.strictEqual((await request(url + LIST, { headers })).status, 401)
    })
  })

  describe("modes", () => {
    it("serves token-less GETs when the mode is optional", async () => {
      const { url } = await start()
      assert.strictEqual((await request(url + LIST)).status, 200)
    })

    it("answers 401 to token-less GETs when the mode is v2-only", async () => {
      const { url } = await start({ mode: "v2-only" })
      assert.strictEqual((await request(url + LIST)).status, 401)
      assert.strictEqual((await request(url + LIST, { headers: { [TOKEN]: await token(url) } })).status, 200)
    })

    it("answers 404 to the token PUT and serves GETs when the mode is v1-only", async () => {
      const { url } = await start({ mode: "v1-only" })
      assert.strictEqual((await request(url + TOKEN_PATH, { method: "PUT", headers: { [TTL]: "60" } })).status, 404)
      assert.strictEqual((await request(url + LIST)).text, "credkit-role")
    })

    it("answers 403 to everything when the mode is off", async () => {
      const { url, control } = await start()
      control.setMode("off")
      assert.strictEqual((await request(url + TOKEN_PATH, { method: "PUT", headers: { [TTL]: "60" } })).status, 403)
      assert.strictEqual((await request(url + LIST)).status, 403)
      control.setMode("optional")
      assert.strictEqual((await request(url + LIST)).status, 200)
    })
  })

  describe("roles", () => {
    it("lists the bare role name without a trailing newline", async () => {
      const { url } = await start({ roleName: "app-role" })
      const answer = await request(url + LIST)
      assert.strictEqual(answer.text, "app-role")
      assert.strictEqual((await request(url + EXTENDED)).text, "app-role")
    })

    it("answers 404 when the credentials path names another role", async () => {
      const { url } = await start()
      assert.strictEqual((await request(url + LIST + "other-role")).status, 404)
      assert.strictEqual((await request(url + "/latest/meta-data/nothing-here")).status, 404)
    })

    it("keeps the credentials under the new name when the role is renamed", async () => {
      const { url, control } = await start()
      const before = await document(url)
      control.renameRole("renamed-role")
      assert.strictEqual((await request(url + LIST)).text, "renamed-role")
      assert.strictEqual((await request(url + LIST + "credkit-role")).status, 404)
      assert.strictEqual((await document(url, LIST + "renamed-role")).AccessKeyId, before.AccessKeyId)
    })

    it("answers 404 on the role list when the role is removed, until a role is set", async () => {
      const { url, control } = await start()
      const before = control.current()
      control.removeRole()
      assert.strictEqual((await request(url + LIST)).status, 404)
      assert.strictEqual((await request(url + EXTENDED + "credkit-role")).status, 404)
      assert.throws(() => control.renameRole("x"))
      control.setRole("new-role")
      assert.strictEqual((await request(url + LIST)).text, "new-role")
      assert.notStrictEqual((await document(url, LIST + "new-role")).AccessKeyId, before.accessKeyId)
    })
  })

  describe("documents", () => {
    it("serves the legacy document in the shape and format of IMDS", async () => {
      const clock = manualClock()
      const { url, control } = await start({ now: clock.read })
      const answer = await request(url + LIST + "credkit-role")
      assert.match(answer.headers["content-type"] ?? "", /^text\/plain/)
      assert.match(answer.text, /^\{\n {2}"Code" : "Success",\n/)
      const parsed = JSON.parse(answer.text)
      const keys = ["Code", "LastUpdated", "Type", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"]
      assert.deepStrictEqual(Object.keys(parsed), keys)
      assert.strictEqual(parsed.Type, "AWS-HMAC")
      assert.match(parsed.AccessKeyId, /^ASIA[A-Z0-9]{16}$/)
      assert.match(parsed.Expiration, ISO_SECONDS)
      assert.strictEqual(parsed.LastUpdated, "2025-01-01T00:00:00Z")
      assert.strictEqual(parsed.Expiration, "2025-01-01T06:00:00Z")
      const current = control.current()
      assert.strictEqual(parsed.SecretAccessKey, current.secretAccessKey)
      assert.strictEqual(parsed.Token, current.sessionToken)
    })

    it("adds AccountId when the extended path is read", async () => {
      const { url } = await start({ accountId: "210987654321" })
      const extended = await document(url, EXTENDED + "credkit-role")
      const legacy = await document(url)
      assert.strictEqual(extended.AccountId, "210987654321")
      assert.strictEqual(Object.keys(extended).at(-1), "AccountId")
      assert.strictEqual(extended.AccessKeyId, legacy.AccessKeyId)
      assert.notProperty(legacy, "AccountId")
    })

    it("answers 404 on the extended paths when the extended path is disabled", async () => {
      const { url, control } = await start({ extendedPath: false })
      assert.strictEqual((await request(url + EXTENDED)).status, 404)
      assert.strictEqual((await request(url + EXTENDED + "credkit-role")).status, 404)
      assert.strictEqual((await request(url + LIST)).status, 200)
      control.setExtendedPath(true)
      assert.strictEqual((await request(url + EXTENDED)).status, 200)
    })

    it("serves the fixed credentials when they are given", async () => {
      const expiration = new Date(Date.UTC(2030, 5, 1))
      const credentials = {
        accessKeyId: "ASIAFIXEDFIXEDFIXED1",
        secretAccessKey: "s3cr3t",
        sessionToken: "t0k3n",
        expiration
      }
      const { url } = await start({ credentials })
      const parsed = await document(url)
      assert.strictEqual(parsed.AccessKeyId, "ASIAFIXEDFIXEDFIXED1")
      assert.strictEqual(parsed.SecretAccessKey, "s3cr3t")
      assert.strictEqual(parsed.Token, "t0k3n")
      assert.strictEqual(parsed.Expiration, "2030-06-01T00:00:00Z")
    })
  })

  describe("rotation", () => {
    it("issues new keys when less than a quarter of the lifetime is left", async () => {
      const clock = manualClock()
      const { url, control } = await start({ now: clock.read, lifetime: HOUR })
      const first = await document(url)
      assert.strictEqual(first.Expiration, "2025-01-01T01:00:00Z")
      clock.now += 44 * MINUTE
      assert.strictEqual((await document(url)).AccessKeyId, first.AccessKeyId)
      clock.now += 2 * MINUTE
      const second = await document(url)
      assert.notStrictEqual(second.AccessKeyId, first.AccessKeyId)
      assert.strictEqual(second.LastUpdated, "2025-01-01T00:46:00Z")
      assert.strictEqual(second.Expiration, "2025-01-01T01:46:00Z")
      assert.strictEqual((await document(url)).AccessKeyId, second.AccessKeyId)
      assert.strictEqual(control.current().accessKeyId, second.AccessKeyId)
    })

    it("rotates at the configured margin when rotateBefore is set", async () => {
      const clock = manualClock()
      const { url } = await start({ now: clock.read, lifetime: HOUR, rotateBefore: 5 * MINUTE })
      const first = await document(url)
      clock.now += 55 * MINUTE
      assert.strictEqual((await document(url)).AccessKeyId, first.AccessKeyId)
      clock.now += 1
      assert.notStrictEqual((await document(url)).AccessKeyId, first.AccessKeyId)
    })

    it("serves a new set at once when rotate is called, with the lifetime set last", async () => {
      const clock = manualClock()
      const { url, control } = await start({ now: clock.read })
      const before = control.current()
      control.setLifetime(15 * MINUTE)
      const rotated = control.rotate()
      assert.notStrictEqual(rotated.accessKeyId, before.accessKeyId)
      const parsed = await document(url)
      assert.strictEqual(parsed.AccessKeyId, rotated.accessKeyId)
      assert.strictEqual(parsed.Expiration, "2025-01-01T00:15:00Z")
    })

    it("throws when the lifetime is not longer than rotateBefore", async () => {
      await assertRejects(ImdsEmulator.start({ lifetime: MINUTE, rotateBefore: MINUTE }))
      await assertRejects(ImdsEmulator.start({ lifetime: 0 }))
    })
  })

  describe("fault", () => {
    it("answers the fault status for the given number of requests, then normally", async () => {
      const { url, control } = await start()
      control.fault(LIST, { status: 503, times: 2 })
      const failed = await request(url + LIST)
      assert.strictEqual(failed.status, 503)
      assert.include(failed.text, "503 - Service Unavailable")
      assert.strictEqual((await request(url + LIST)).status, 503)
      assert.strictEqual((await request(url + LIST)).status, 200)
    })

    it("uses the custom body when a status fault has one", async () => {
      const { url, control } = await start()
      control.fault("*", { status: 500, body: "boom" })
      const failed = await request(url + TOKEN_PATH, { method: "PUT", headers: { [TTL]: "60" } })
      assert.deepStrictEqual([failed.status, failed.text], [500, "boom"])
      control.clearFaults()
      assert.strictEqual((await request(url + LIST)).status, 200)
    })

    it("answers 429 for the next n requests when throttled", async () => {
      const { url, control } = await start()
      control.fault(LIST, { throttle: 2 })
      const statuses = [] as Array<number>
      for (let i = 0; i < 3; i++) statuses.push((await request(url + LIST)).status)
      assert.deepStrictEqual(statuses, [429, 429, 200])
    })

    it("applies rules in the order they were added when several match", async () => {
      const { url, control } = await start()
      control.fault(LIST, { status: 500, times: 1 })
      control.fault("*", { throttle: 1 })
      const statuses = [] as Array<number>
      for (let i = 0; i < 3; i++) statuses.push((await request(url + LIST)).status)
      assert.deepStrictEqual(statuses, [500, 429, 200])
    })

    it("holds the answer back when a delay is set, then answers normally", async () => {
      const { url, control } = await start()
      control.fault(LIST, { delay: 10_000, times: 1 })
      await assertRejects(request(url + LIST, { timeoutMs: 100 }))
      await waitUntil(() => control.requests().length === 1)
      assert.deepStrictEqual(
        control.requests().map((record) => [record.status, record.fault]),
        [[null, "delay"]]
      )
      control.fault(LIST, { delay: 20, times: 1 })
      const answer = await request(url + LIST)
      assert.deepStrictEqual([answer.status, answer.text], [200, "credkit-role"])
    })

    it("never answers a hung request, and close still finishes", async () => {
      const { url, control, close } = await start()
      control.fault("*", { hang: true })
      const pending = request(url + LIST)
      await waitUntil(() => control.requests().length === 1)
      await close()
      await assertRejects(pending)
      assert.strictEqual(control.requests()[0]?.status, null)
    })

    it("drops the connection without an answer when reset is set", async () => {
      const { url, control } = await start()
      control.fault(LIST, { reset: true, times: 1 })
      await assertRejects(request(url + LIST))
      assert.strictEqual((await request(url + LIST)).status, 200)
    })

    it("cuts the connection after half the body when reset is mid-body", async () => {
      const { url, control } = await start()
      const full = (await request(url + LIST + "credkit-role")).body
      control.fault(LIST, { reset: "mid-body" })
      const answer = await request(url + LIST + "credkit-role")
      assert.strictEqual(answer.status, 200)
      assert.strictEqual(answer.headers["content-length"], String(full.length))
      assert.isDefined(answer.error)
      assert.isBelow(answer.body.length, full.length)
      assert.isTrue(full.subarray(0, answer.body.length).equals(answer.body))
    })

    it("serves bodies that do not parse when malformed or partial is set", async () => {
      const { url, control } = await start()
      const full = (await request(url + LIST + "credkit-role")).text
      control.fault(LIST, { body: "malformed", times: 1 })
      const malformed = await request(url + LIST + "credkit-role")
      assert.strictEqual(malformed.status, 200)
      assert.throws(() => JSON.parse(malformed.text))
      control.fault(LIST, { body: "partial", times: 1 })
      const partial = await request(url + LIST + "credkit-role")
      assert.strictEqual(partial.status, 200)
      assert.isTrue(full.startsWith(partial.text) && partial.text.length < full.length)
      assert.throws(() => JSON.parse(partial.text))
    })

    it("serves a custom body with 200 when body is any other string", async () => {
      const { url, control } = await start()
      control.fault(LIST, { body: "<html>captive portal</html>" })
      const answer = await request(url + LIST)
      assert.deepStrictEqual([answer.status, answer.text], [200, "<html>captive portal</html>"])
    })

    it("serves a document with the failure code on credential documents only when code is set", async () => {
      const { url, control } = await start()
      control.fault(LIST, { code: "AssumeRoleUnauthorizedAccess" })
      assert.strictEqual((await request(url + LIST)).text, "credkit-role")
      const parsed = await document(url)
      assert.strictEqual(parsed.Code, "AssumeRoleUnauthorizedAccess")
      assert.include(parsed.Message, "credkit-role")
      assert.match(parsed.LastUpdated, ISO_SECONDS)
      assert.notProperty(parsed, "AccessKeyId")
      control.clearFaults()
      control.fault(EXTENDED, { code: "InternalError", message: "try later" })
      assert.strictEqual((await document(url, EXTENDED + "credkit-role")).Message, "try later")
      assert.strictEqual(control.requests().at(-1)?.fault, "code")
    })

    it("answers 401 rather than the failure document when the token is stale", async () => {
      const { url, control } = await start()
      control.fault("*", { code: "AssumeRoleUnauthorizedAccess" })
      assert.strictEqual((await request(url + LIST + "credkit-role", { headers: { [TOKEN]: "stale" } })).status, 401)
    })

    it("sends the body one byte at a time when drip is set", async () => {
      const { url, control } = await start()
      control.fault(LIST, { drip: 2 })
      const answer = await request(url + LIST)
      assert.strictEqual(answer.text, "credkit-role")
      assert.isAbove(answer.chunks, 1)
      assert.strictEqual(control.requests()[0]?.fault, "drip")
    })

    it("serves a body of the given size when huge is set", async () => {
      const { url, control } = await start()
      control.fault(LIST, { huge: 5 * 1024 * 1024 })
      const answer = await request(url + LIST + "credkit-role")
      assert.deepStrictEqual([answer.status, answer.body.length], [200, 5 * 1024 * 1024])
    })

    it("serves the raw bytes when bytes is set", async () => {
      const { url, control } = await start()
      const bytes = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28])
      control.fault(LIST, { bytes })
      const answer = await request(url + LIST + "credkit-role")
      assert.isTrue(answer.body.equals(bytes))
    })

    it("throws when a fault count is not a positive integer", async () => {
      const { control } = await start()
      assert.throws(() => control.fault("*", { throttle: 0 }))
      assert.throws(() => control.fault("*", { status: 500, times: 1.5 }))
    })
  })

  describe("requests", () => {
    it("logs each request with the token redacted and no secret anywhere", async () => {
      const { url, control } = await start()
      const issued = await token(url, "300")
      const headers = { [TOKEN]: issued, authorization: "Bearer nope", "user-agent": "test-agent" }
      await request(url + LIST, { headers })
      await request(url + LIST + "credkit-role", { headers })
      const records = control.requests()
      assert.deepStrictEqual(
        records.map((record) => [record.method, record.path, record.status]),
        [
          ["PUT", TOKEN_PATH, 200],
          ["GET", LIST, 200],
          ["GET", LIST + "credkit-role", 200]
        ]
      )
      assert.strictEqual(records[0]?.headers[TTL], "300")
      assert.deepStrictEqual(records[1]?.headers, {
        [TOKEN]: "<redacted>",
        authorization: "<redacted>",
        "user-agent": "test-agent"
      })
      const dump = JSON.stringify(records)
      const current = control.current()
      for (const secret of [issued, current.secretAccessKey, current.sessionToken, "Bearer nope"]) {
        assert.notInclude(dump, secret)
      }
      control.clearRequests()
      assert.deepStrictEqual(control.requests(), [])
    })
  })

  describe("close", () => {
    it("resolves when called twice and refuses connections afterwards", async () => {
      const { url, close } = await start()
      await close()
      await close()
      await assertRejects(request(url + LIST))
    })
  })

  describe("interop", () => {
    const withEndpoint = async <A>(url: string, body: () => Promise<A>): Promise<A> => {
      const dialled: Array<string> = []
      const original = Http.request
      // Any connection attempt to a host other than loopback fails the test before it leaves the process.
      const spy = vi.spyOn(Http, "request").mockImplementation(((...args: Array<any>) => {
        const target = args[0] as { hostname?: string; host?: string }
        const host = target.hostname ?? target.host ?? ""
        dialled.push(host)
        if (host !== "127.0.0.1") throw new Error(`test refused to dial ${host}`)
        return (original as (...all: Array<any>) => Http.ClientRequest)(...args)
      }) as typeof Http.request)
      vi.stubEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url)
      try {
        const result = await body()
        assert.isNotEmpty(dialled)
        return result
      } finally {
        spy.mockRestore()
        vi.unstubAllEnvs()
      }
    }

    it("gives smithy's fromInstanceMetadata the emulator's credentials over IMDSv2", async () => {
      const { url, control } = await start({ mode: "v2-only" })
      const identity = await withEndpoint(url, () => fromInstanceMetadata({ timeout: 2000 })())
      const current = control.current()
      assert.strictEqual(identity.accessKeyId, current.accessKeyId)
      assert.strictEqual(identity.secretAccessKey, current.secretAccessKey)
      assert.strictEqual(identity.expiration?.getTime(), Math.floor(current.expiration.getTime() / 1000) * 1000)
      assert.deepStrictEqual(
        control.requests().map((record) => [record.method, record.path, record.headers[TOKEN] ?? null]),
        [
          ["PUT", TOKEN_PATH, null],
          ["GET", LIST, "<redacted>"],
          ["GET", LIST + "credkit-role", "<redacted>"]
        ]
      )
    })

    it("gives smithy's fromInstanceMetadata the credentials over IMDSv1 when the token PUT answers 404", async () => {
      const { url, control } = await start({ mode: "v1-only" })
      const identity = await withEndpoint(url, () => fromInstanceMetadata({ timeout: 2000 })())
      assert.strictEqual(identity.accessKeyId, control.current().accessKeyId)
    })
  })

  describe("bin", () => {
    it("prints its URL on the first line and serves until SIGTERM", async () => {
      const bin = Path.resolve(import.meta.dirname, "../src/bin/imds.ts")
      const child = spawn(process.execPath, [bin, "--role", "bin-role", "--mode", "optional"], {
        stdio: ["ignore", "pipe", "inherit"]
      })
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
      try {
        const lines = createInterface({ input: child.stdout })
        const first = await new Promise<string>((resolve) => lines.once("line", resolve))
        const match = /^IMDS emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first)
        assert.isNotNull(match)
        assert.strictEqual((await request(match![1] + LIST)).text, "bin-role")
      } finally {
        child.kill("SIGTERM")
      }
      assert.strictEqual(await exited, 0)
    })
  })
})

async function assertRejects(promise: Promise<unknown>): Promise<void> {
  const outcome = await promise.then(
    () => "resolved",
    () => "rejected"
  )
  assert.strictEqual(outcome, "rejected")
}
