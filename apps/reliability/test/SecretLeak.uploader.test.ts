/**
 * The secret-leak sweep over the example app: the built uploader CLI runs as a child process against the local S3
 * endpoint with fixture credentials from the environment, the container endpoint and a `credential_process`, in
 * text, JSON and dry-run modes, succeeding and failing; its stdout and stderr must hold none of the secrets.
 */
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { startLocalS3 } from "@credkit/s3-uploader/localS3"
import { ContainerEmulator } from "@credkit/testing"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"

import { processDocument } from "./support/documents.js"
import { tempDir, tempFile, writeTemp } from "./support/files.js"
import { assertClean, Exposure, FIXTURE, FIXTURE_CREDENTIALS, FIXTURE_SECRETS } from "./support/secrets.js"

const CLI = Path.resolve(import.meta.dirname, "../../s3-uploader/dist/cli.mjs")
const SCRIPT = Path.join(import.meta.dirname, "support", "credentialProcess.mjs")
const BUCKET = "sweep"

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

// The child sees only what a user's shell would set for these runs: no AWS setting from this machine.
const cleanEnv = (extra: Record<string, string>): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  HOME: tempDir(),
  AWS_CONFIG_FILE: tempFile("no-config"),
  AWS_SHARED_CREDENTIALS_FILE: tempFile("no-credentials"),
  AWS_EC2_METADATA_DISABLED: "true",
  ...extra
})

const runCli = (args: ReadonlyArray<string>, env: Record<string, string>): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] })
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk))
    child.on("error", reject)
    child.on("close", (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") })
    )
  })

let s3: Awaited<ReturnType<typeof startLocalS3>>
let container: ContainerEmulator.ContainerEmulator
let files: string

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: [BUCKET] })
  s3.keys.add({
    accessKeyId: "ASIAENVFIXTURE000001",
    secretAccessKey: FIXTURE.envSecret,
    sessionToken: FIXTURE.envToken
  })
  s3.keys.add({ ...FIXTURE_CREDENTIALS })
  s3.keys.add({
    accessKeyId: "ASIAPROCESSFIXTURE01",
    secretAccessKey: FIXTURE.processSecret,
    sessionToken: FIXTURE.processToken
  })
  container = await ContainerEmulator.start({ credentials: FIXTURE_CREDENTIALS, token: FIXTURE.containerToken })
  files = Path.join(tempDir(), "upload")
  Fs.mkdirSync(Path.join(files, "nested"), { recursive: true })
  Fs.writeFileSync(Path.join(files, "a.txt"), "first file\n")
  Fs.writeFileSync(Path.join(files, "nested", "b.bin"), Buffer.alloc(4096, 7))
})

afterAll(async () => {
  await container.close()
  await s3.close()
})

const target = (prefix: string) => [
  files,
  `s3://${BUCKET}/${prefix}`,
  "--endpoint",
  s3.url,
  "--path-style",
  "--region",
  "us-east-1"
]

const ENV_KEYS = {
  AWS_ACCESS_KEY_ID: "ASIAENVFIXTURE000001",
  AWS_SECRET_ACCESS_KEY: FIXTURE.envSecret,
  AWS_SESSION_TOKEN: FIXTURE.envToken
}

describe("SecretLeak", () => {
  describe("s3-uploader CLI", () => {
    it("prints no secret when it uploads with credentials from the environment, the container endpoint or a process", async () => {
      const processConfig = writeTemp(
        "config",
        `[default]\ncredential_process = "${process.execPath}" "${SCRIPT}" "${writeTemp(
          "spec.json",
          JSON.stringify({
            stdout: Buffer.from(
              processDocument({
                AccessKeyId: "ASIAPROCESSFIXTURE01",
                SecretAccessKey: FIXTURE.processSecret,
                SessionToken: FIXTURE.processToken
              })
            ).toString("base64")
          })
        )}" "${writeTemp("runs", "")}"\n`
      )
      const scenarios: ReadonlyArray<readonly [string, ReadonlyArray<string>, Record<string, string>]> = [
        ["env keys, text", target("env/"), ENV_KEYS],
        ["env keys, JSON", [...target("env-json/"), "--json"], ENV_KEYS],
        ["env keys, dry run", [...target("env-dry/"), "--dry-run"], ENV_KEYS],
        [
          "the container endpoint",
          target("container/"),
          {
            AWS_CONTAINER_CREDENTIALS_FULL_URI: container.url,
            AWS_CONTAINER_AUTHORIZATION_TOKEN: FIXTURE.containerToken
          }
        ],
        ["a credential_process", [...target("process/"), "--json"], { AWS_CONFIG_FILE: processConfig }]
      ]
      for (const [name, args, env] of scenarios) {
        const run = await runCli(args, env)
        assert.strictEqual(run.code, 0, `${name}: ${run.stderr}`)
        assertClean(new Exposure().add("stdout", run.stdout).add("stderr", run.stderr), FIXTURE_SECRETS, name)
      }
      assert.strictEqual(s3.stats.rejected, 0)
      assert.isAtLeast(s3.stats.accepted, 8)
    })

    it("prints no secret when S3 refuses the credentials or none are usable", async () => {
      const rejectedBefore = s3.stats.rejected
      const scenarios: ReadonlyArray<readonly [string, ReadonlyArray<string>, Record<string, string>]> = [
        [
          "a secret key S3 does not accept",
          target("wrong/"),
          { ...ENV_KEYS, AWS_SECRET_ACCESS_KEY: FIXTURE.secretAccessKey }
        ],
        [
          "a session token S3 does not accept, JSON",
          [...target("wrong-json/"), "--json"],
          { ...ENV_KEYS, AWS_SESSION_TOKEN: FIXTURE.roleToken }
        ],
        ["a key without its secret", target("half/"), { AWS_SECRET_ACCESS_KEY: FIXTURE.envSecret }],
        [
          "a container token the endpoint refuses",
          target("container-refused/"),
          { AWS_CONTAINER_CREDENTIALS_FULL_URI: container.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: FIXTURE.roleSecret }
        ]
      ]
      for (const [name, args, env] of scenarios) {
        const run = await runCli(args, env)
        assert.notStrictEqual(run.code, 0, `${name} should fail`)
        assert.isAbove(run.stdout.length + run.stderr.length, 0, `${name} says why`)
        assertClean(new Exposure().add("stdout", run.stdout).add("stderr", run.stderr), FIXTURE_SECRETS, name)
      }
      assert.isAbove(s3.stats.rejected, rejectedBefore, "S3 refused the wrong credentials")
    })
  })
})
