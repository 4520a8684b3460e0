import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { createInterface } from "node:readline"

import { afterEach, assert, describe, it } from "@effect/vitest"

import { ContainerEmulator } from "../src/index.ts"
import { request, waitUntil } from "./support/http.ts"

const MINUTE = 60_000
const HOUR = 60 * MINUTE

const running: Array<ContainerEmulator.ContainerEmulator> = []
const directories: Array<string> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()))
  for (const directory of directories.splice(0)) Fs.rmSync(directory, { recursive: true, force: true })
})

const start = async (options?: ContainerEmulator.Options) => {
  const emulator = await ContainerEmulator.start(options)
  running.push(emulator)
  return emulator
}

const temporaryDirectory = () => {
  const directory = Fs.mkdtempSync(Path.join(Os.tmpdir(), "credkit-container-"))
  directories.push(directory)
  return directory
}

const fetchDocument = async (url: string, token?: string) =>
  JSON.parse((await request(url, token === undefined ? {} : { headers: { authorization: token } })).text)

describe("ContainerEmulator", () => {
  describe("start", () => {
    it("serves the ECS document on the default path of a loopback URL", async () => {
      const { url, baseUrl, relativeUri, control } = await start({ now: () => Date.UTC(2025, 0, 1) })
      assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.strictEqual(relativeUri, "/v1/credentials")
      assert.strictEqual(url, baseUrl + relativeUri)
      const answer = await request(url)
      assert.strictEqual(answer.status, 200)
      assert.match(answer.headers["content-type"] ?? "", /^application\/json/)
      const parsed = JSON.parse(answer.text)
      const current = control.current()
      assert.deepStrictEqual(parsed, {
        AccessKeyId: current.accessKeyId,
        SecretAccessKey: current.secretAccessKey,
        Token: current.sessionToken,
        Expiration: "2025-01-01T06:00:00Z",
        AccountId: "123456789012",
        RoleArn: "arn:aws:iam::123456789012:role/credkit-role"
      })
      assert.match(parsed.AccessKeyId, /^ASIA[A-Z0-9]{16}$/)
    })

    it("serves the given path and leaves out AccountId and RoleArn when they are null", async () => {
      const { url, baseUrl } = await start({ path: "/v2/credentials/task-1", accountId: null, roleArn: null })
      assert.strictEqual(url, baseUrl + "/v2/credentials/task-1")
      assert.deepStrictEqual(Object.keys(await fetchDocument(url)), [
        "AccessKeyId",
        "SecretAccessKey",
        "Token",
        "Expiration"
      ])
      assert.strictEqual((await request(baseUrl + "/v1/credentials")).status, 404)
    })

    it("builds RoleArn from the role name and account id when no RoleArn is given", async () => {
      const { url } = await start({ roleName: "task-role", accountId: "999988887777" })
      assert.strictEqual((await fetchDocument(url)).RoleArn, "arn:aws:iam::999988887777:role/task-role")
    })

    it("answers 405 with a JSON error when the method is not GET", async () => {
      const { url } = await start()
      const answer = await request(url, { method: "POST" })
      assert.strictEqual(answer.status, 405)
      assert.strictEqual(JSON.parse(answer.text).code, "MethodNotAllowed")
    })

    it("rejects a path that does not start with a slash", async () => {
      const outcome = await ContainerEmulator.start({ path: "v1/credentials" }).then(
        () => "resolved",
        () => "rejected"
      )
      assert.strictEqual(outcome, "rejected")
    })
  })

  describe("authorization", () => {
    it("answers 401 with a JSON error when the token is missing or wrong", async () => {
      const { url } = await start({ token: "expected-token" })
      for (const headers of [{}, { authorization: "wrong-token" }]) {
        const answer = await request(url, { headers })
        assert.strictEqual(answer.status, 401)
        const body = JSON.parse(answer.text)
        assert.strictEqual(body.code, "AccessDenied")
        assert.isString(body.message)
        assert.notInclude(answer.text, "expected-token")
      }
      assert.strictEqual((await request(url, { headers: { authorization: "expected-token" } })).status, 200)
    })

    it("writes a generated token to the token file when only the file is given", async () => {
      const tokenFile = Path.join(temporaryDirectory(), "token")
      const { url, control } = await start({ tokenFile })
      const written = Fs.readFileSync(tokenFile, "utf8")
      assert.isAbove(written.length, 20)
      assert.strictEqual(control.token(), written)
      assert.strictEqual((Fs.statSync(tokenFile).mode & 0o777).toString(8), "600")
      assert.strictEqual((await request(url, { headers: { authorization: written } })).status, 200)
    })

    it("rewrites the token file and rejects the old token when the token is rotated", async () => {
      const directory = temporaryDirectory()
      const tokenFile = Path.join(directory, "eks-pod-identity-token")
      const { url, control } = await start({ token: "first-token", tokenFile })
      assert.strictEqual(Fs.readFileSync(tokenFile, "utf8"), "first-token")
      assert.strictEqual(control.rotateToken("second-token"), "second-token")
      assert.strictEqual(Fs.readFileSync(tokenFile, "utf8"), "second-token")
      assert.strictEqual((await request(url, { headers: { authorization: "first-token" } })).status, 401)
      assert.strictEqual((await request(url, { headers: { authorization: "second-token" } })).status, 200)
      const generated = control.rotateToken()
      assert.notStrictEqual(generated, "second-token")
      assert.strictEqual(Fs.readFileSync(tokenFile, "utf8"), generated)
      assert.deepStrictEqual(Fs.readdirSync(directory), ["eks-pod-identity-token"])
    })

    it("starts checking the token when a token is rotated in without one at start", async () => {
      const { url, control } = await start()
      assert.isUndefined(control.token())
      assert.strictEqual((await request(url)).status, 200)
      control.rotateToken("now-required")
      assert.strictEqual((await request(url)).status, 401)
    })
  })

  describe("rotation", () => {
    it("issues new keys when less than a quarter of the lifetime is left", async () => {
      const clock = { now: Date.UTC(2025, 0, 1) }
      const { url, control } = await start({ now: () => clock.now, lifetime: HOUR })
      const first = await fetchDocument(url)
      clock.now += 45 * MINUTE
      assert.strictEqual((await fetchDocument(url)).AccessKeyId, first.AccessKeyId)
      clock.now += 1
      const second = await fetchDocument(url)
      assert.notStrictEqual(second.AccessKeyId, first.AccessKeyId)
      assert.strictEqual(second.Expiration, "2025-01-01T01:45:00Z")
      assert.strictEqual(control.current().accessKeyId, second.AccessKeyId)
      const rotated = control.rotate()
      assert.strictEqual((await fetchDocument(url)).AccessKeyId, rotated.accessKeyId)
    })

    it("serves the fixed credentials when they are given", async () => {
      const credentials = { accessKeyId: "ASIAFIXEDFIXEDFIXED2", secretAccessKey: "fixed-secret", sessionToken: "tok" }
      const { url } = await start({ credentials })
      const parsed = await fetchDocument(url)
      assert.deepStrictEqual(
        [parsed.AccessKeyId, parsed.SecretAccessKey, parsed.Token],
        ["ASIAFIXEDFIXEDFIXED2", "fixed-secret", "tok"]
      )
    })
  })

  describe("fault", () => {
    it("answers the fault status with a JSON error, then normally", async () => {
      const { url, control } = await start()
      control.fault("/v1/credentials", { status: 500, times: 1 })
      const failed = await request(url)
      assert.strictEqual(failed.status, 500)
      assert.deepStrictEqual(JSON.parse(failed.text), { code: "InternalServerError", message: "Internal Server Error" })
      assert.strictEqual((await request(url)).status, 200)
    })

    it("answers 429 for the next n requests when throttled", async () => {
      const { url, control } = await start()
      control.fault("*", { throttle: 1 })
      assert.strictEqual((await request(url)).status, 429)
      assert.strictEqual((await request(url)).status, 200)
    })

    it("serves bodies that do not parse when malformed or partial is set", async () => {
      const { url, control } = await start()
      control.fault("*", { body: "malformed", times: 1 })
      control.fault("*", { body: "partial", times: 1 })
      for (let i = 0; i < 2; i++) {
        const answer = await request(url)
        assert.strictEqual(answer.status, 200)
        assert.throws(() => JSON.parse(answer.text))
      }
    })

    it("drops the connection when reset is set, and cuts the body when reset is mid-body", async () => {
      const { url, control } = await start()
      control.fault("*", { reset: true, times: 1 })
      control.fault("*", { reset: "mid-body", times: 1 })
      const outcome = await request(url).then(
        () => "answered",
        () => "reset"
      )
      assert.strictEqual(outcome, "reset")
      const cut = await request(url)
      assert.strictEqual(cut.status, 200)
      assert.isDefined(cut.error)
    })

    it("holds, drips, inflates or garbles the answer as the fault says", async () => {
      const { url, control } = await start()
      control.fault("*", { delay: 10, times: 1 })
      control.fault("*", { drip: 1, times: 1 })
      control.fault("*", { huge: 1024 * 1024, times: 1 })
      control.fault("*", { bytes: Buffer.from([0xc3, 0x28]), times: 1 })
      const delayed = await request(url)
      assert.isString(JSON.parse(delayed.text).AccessKeyId)
      const dripped = await request(url)
      assert.isAbove(dripped.chunks, 1)
      assert.strictEqual(JSON.parse(dripped.text).AccessKeyId, control.current().accessKeyId)
      assert.strictEqual((await request(url)).body.length, 1024 * 1024)
      assert.isTrue((await request(url)).body.equals(Buffer.from([0xc3, 0x28])))
      assert.deepStrictEqual(
        control.requests().map((record) => record.fault),
        ["delay", "drip", "huge", "bytes"]
      )
    })

    it("never answers a hung request, and close still finishes", async () => {
      const { url, control, close } = await start()
      control.fault("*", { hang: true })
      const pending = request(url)
      await waitUntil(() => control.requests().length === 1)
      await close()
      await close()
      const outcome = await pending.then(
        () => "answered",
        () => "dropped"
      )
      assert.strictEqual(outcome, "dropped")
    })
  })

  describe("requests", () => {
    it("logs each request with the authorization header redacted and no secret anywhere", async () => {
      const { url, control } = await start({ token: "secret-auth-token" })
      await request(url, { headers: { authorization: "secret-auth-token", "user-agent": "agent/1" } })
      await request(url, { headers: { authorization: "wrong-secret-guess" } })
      const records = control.requests()
      assert.deepStrictEqual(records, [
        {
          method: "GET",
          path: "/v1/credentials",
          headers: { authorization: "<redacted>", "user-agent": "agent/1" },
          status: 200,
          fault: null
        },
        { method: "GET", path: "/v1/credentials", headers: { authorization: "<redacted>" }, status: 401, fault: null }
      ])
      const dump = JSON.stringify(records)
      const current = control.current()
      for (const secret of ["secret-auth-token", "wrong-secret-guess", current.secretAccessKey, current.sessionToken]) {
        assert.notInclude(dump, secret)
      }
      control.clearRequests()
      assert.deepStrictEqual(control.requests(), [])
    })
  })

  describe("bin", () => {
    it("prints the full URI and the variables to set, and serves until SIGTERM", async () => {
      const tokenFile = Path.join(temporaryDirectory(), "token")
      const bin = Path.resolve(import.meta.dirname, "../src/bin/container.ts")
      const child = spawn(process.execPath, [bin, "--token-file", tokenFile, "--role", "bin-role"], {
        stdio: ["ignore", "pipe", "inherit"]
      })
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
      try {
        const lines: Array<string> = []
        const reader = createInterface({ input: child.stdout })
        reader.on("line", (line) => lines.push(line))
        await waitUntil(() => lines.length >= 3)
        const match = /^Container credentials emulator listening on (http:\/\/127\.0\.0\.1:\d+\/v1\/credentials)$/.exec(
          lines[0] ?? ""
        )
        assert.isNotNull(match)
        const url = match![1]!
        assert.deepStrictEqual(lines.slice(1), [
          `AWS_CONTAINER_CREDENTIALS_FULL_URI=${url}`,
          `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=${tokenFile}`
        ])
        const token = Fs.readFileSync(tokenFile, "utf8")
        assert.notInclude(lines.join("\n"), token)
        const parsed = await fetchDocument(url, token)
        assert.strictEqual(parsed.RoleArn, "arn:aws:iam::123456789012:role/bin-role")
      } finally {
        child.kill("SIGTERM")
      }
      assert.strictEqual(await exited, 0)
    })
  })
})
