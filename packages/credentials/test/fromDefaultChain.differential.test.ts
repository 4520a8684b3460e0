import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"

import { ContainerEmulator, ImdsEmulator } from "@credkit/testing"
import { afterEach, assert, beforeAll, describe, it } from "@effect/vitest"

import { ROLE, startBlackhole, startStsStandIn, writeAwsFiles } from "./support/servers.js"

/**
 * The same environments through credkit's `fromDefaultChain` (the built package) and the AWS SDK's `defaultProvider`
 * (`@aws-sdk/credential-provider-node`), each in a fresh Node process with an environment of its own: a temporary
 * home, explicit profile file paths, and no other AWS variable. Where both should agree they must return the same
 * access key id and account id; every known difference is asserted as such.
 */

const PACKAGE = path.resolve(import.meta.dirname, "..")
const RESOLVE = path.join(import.meta.dirname, "fixtures", "resolve.mjs")

interface Attempt {
  readonly ok: boolean
  readonly accessKeyId?: string
  readonly hasSecret?: boolean
  readonly hasSessionToken?: boolean
  readonly accountId?: string | null
  readonly source?: string | null
  readonly name?: string | null
  readonly reason?: string | null
  readonly tryNextLink?: boolean | null
  readonly message?: string
  readonly attempts?: ReadonlyArray<string> | null
}

interface Outcome {
  readonly results: ReadonlyArray<Attempt>
  readonly report: {
    readonly ok: boolean
    readonly source?: string
    readonly attempts: ReadonlyArray<{ source: string; outcome: string }>
  } | null
  readonly warnings: ReadonlyArray<string>
  readonly stderr: string
}

let home = ""
const files = () => ({
  PATH: process.env.PATH ?? "",
  HOME: home,
  AWS_CONFIG_FILE: path.join(home, ".aws", "config"),
  AWS_SHARED_CREDENTIALS_FILE: path.join(home, ".aws", "credentials"),
  AWS_EC2_METADATA_DISABLED: "true"
})

const run = async (sdk: "credkit" | "aws-sdk", env: Record<string, string>, times = 1): Promise<Outcome> => {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [RESOLVE, sdk, String(times)], {
    cwd: PACKAGE,
    env: { ...files(), ...env }
  })
  return { ...(JSON.parse(stdout) as Omit<Outcome, "stderr">), stderr }
}

const both = async (env: Record<string, string>) => {
  const [credkit, awsSdk] = await Promise.all([run("credkit", env), run("aws-sdk", env)])
  const ours = credkit.results[0]
  const theirs = awsSdk.results[0]
  if (ours === undefined || theirs === undefined) return assert.fail("no result")
  return { credkit, awsSdk, ours, theirs }
}

const servers: Array<{ close: () => Promise<void> }> = []
const serve = <A extends { close: () => Promise<void> }>(server: A): A => {
  servers.push(server)
  return server
}

beforeAll(() => {
  assert.isTrue(fs.existsSync(path.join(PACKAGE, "dist", "index.node.mjs")), "the package is built (pnpm exec tsdown)")
})
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
  if (home !== "") fs.rmSync(home, { recursive: true, force: true })
  home = ""
})

const freshHome = (awsFiles: { readonly config?: string; readonly credentials?: string } = {}) => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "credkit-differential-"))
  writeAwsFiles(home, { config: awsFiles.config ?? "", credentials: awsFiles.credentials ?? "" })
}

describe("fromDefaultChain", () => {
  describe("differential against @aws-sdk/credential-provider-node", () => {
    it("agrees on environment keys", async () => {
      freshHome()
      const { ours, theirs, credkit } = await both({
        AWS_ACCESS_KEY_ID: "AKIADIFFENV000000001",
        AWS_SECRET_ACCESS_KEY: "differential-env-secret",
        AWS_SESSION_TOKEN: "differential-env-token"
      })

      assert.strictEqual(ours.accessKeyId, "AKIADIFFENV000000001")
      assert.strictEqual(theirs.accessKeyId, ours.accessKeyId)
      assert.isTrue(ours.hasSessionToken && theirs.hasSessionToken)
      assert.strictEqual(ours.source, "env")
      assert.strictEqual(credkit.report?.source, "env")
    })

    it("agrees on a profile's static keys", async () => {
      freshHome({ credentials: "[default]\naws_access_key_id = AKIADIFFPROFILE00001\naws_secret_access_key = s\n" })
      const { ours, theirs, credkit } = await both({})

      assert.strictEqual(ours.accessKeyId, "AKIADIFFPROFILE00001")
      assert.strictEqual(theirs.accessKeyId, ours.accessKeyId)
      assert.strictEqual(ours.source, "profile:default")
      assert.strictEqual(credkit.report?.source, "profile:default")
    })

    it("agrees on a role assumed through source_profile, both calling STS at AWS_ENDPOINT_URL_STS", async () => {
      const sts = serve(await startStsStandIn())
      freshHome({
        config: "[default]\nrole_arn = arn:aws:iam::111122223333:role/Deployer\nsource_profile = base\n",
        credentials: "[base]\naws_access_key_id = AKIADIFFBASE00000001\naws_secret_access_key = base-secret\n"
      })
      const { ours, theirs } = await both({ AWS_REGION: "us-east-1", AWS_ENDPOINT_URL_STS: sts.url })

      assert.strictEqual(ours.accessKeyId, ROLE.accessKeyId)
      assert.strictEqual(theirs.accessKeyId, ours.accessKeyId)
      assert.strictEqual(ours.accountId, ROLE.account)
      assert.strictEqual(theirs.accountId, ours.accountId)
      assert.strictEqual(ours.source, "role:default")
      // credkit's resolution and its uncached explain(), and the AWS SDK's resolution.
      assert.deepStrictEqual(
        sts.calls.map((call) => `${call.path} ${call.action} ${call.roleArn}`),
        Array(3).fill("/ AssumeRole arn:aws:iam::111122223333:role/Deployer")
      )
    })

    it.skipIf(process.platform === "win32")("agrees on credential_process, AccountId included", async () => {
      const output =
        '{"Version":1,"AccessKeyId":"AKIADIFFPROCESS00001","SecretAccessKey":"p","AccountId":"444455556666"}'
      freshHome({ config: `[default]\ncredential_process = echo '${output}'\n` })
      const { ours, theirs } = await both({})

      assert.strictEqual(ours.accessKeyId, "AKIADIFFPROCESS00001")
      assert.strictEqual(theirs.accessKeyId, ours.accessKeyId)
      assert.strictEqual(ours.accountId, "444455556666")
      assert.strictEqual(theirs.accountId, ours.accountId)
      assert.strictEqual(ours.source, "process:default")
    })

    it("agrees on the container endpoint; only credkit keeps its AccountId", async () => {
      const ecs = serve(
        await ContainerEmulator.start({ token: "differential-container-token", accountId: "777788889999" })
      )
      freshHome()
      const { ours, theirs } = await both({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.url,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "differential-container-token"
      })

      assert.strictEqual(ours.accessKeyId, ecs.control.current().accessKeyId)
      assert.strictEqual(theirs.accessKeyId, ours.accessKeyId)
      assert.strictEqual(ours.source, "container")
      // Documented difference: the AWS SDK drops the document's AccountId.
      assert.strictEqual(ours.accountId, "777788889999")
      assert.isNull(theirs.accountId)
    })

    it("agrees on IMDSv2; only credkit reads the extended path and its AccountId", async () => {
      const imds = serve(await ImdsEmulator.start({ mode: "v2-only", accountId: "121212121212" }))
      freshHome()
      const { ours, theirs } = await both({
        AWS_EC2_METADATA_DISABLED: "",
        AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url
      })

      assert.strictEqual(ours.accessKeyId, imds.control.current().accessKeyId)
      assert.strictEqual(theirs.accessKeyId, ours.accessKeyId)
      assert.isTrue(ours.hasSessionToken && theirs.hasSessionToken)
      assert.strictEqual(ours.source, "ec2:credkit-role")
      // Documented difference: decisions §8 (extended path first, AccountId kept); the AWS SDK reads the legacy path.
      assert.strictEqual(ours.accountId, "121212121212")
      assert.isNull(theirs.accountId)
      const paths = imds.control.requests().map((request) => request.path)
      assert.include(paths, "/latest/meta-data/iam/security-credentials-extended/credkit-role")
      assert.include(paths, "/latest/meta-data/iam/security-credentials/credkit-role")
    })

    it("agrees on an IMDSv1-only instance; credkit warns about the fallback", async () => {
      const imds = serve(await ImdsEmulator.start({ mode: "v1-only" }))
      freshHome()
      const { ours, theirs, credkit } = await both({
        AWS_EC2_METADATA_DISABLED: "",
        AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url
      })

      assert.strictEqual(ours.accessKeyId, imds.control.current().accessKeyId)
      assert.strictEqual(theirs.accessKeyId, ours.accessKeyId)
      assert.isTrue(credkit.warnings.some((warning) => warning.includes("using IMDSv1")))
    })

    it("both fail with nothing configured; credkit reports every source and remembers the silent IMDS", async () => {
      freshHome()
      // One blackhole per run, so the four runs go in parallel and each count is its own.
      const connectionsOf = async (sdk: "credkit" | "aws-sdk", times: number) => {
        const hole = serve(await startBlackhole())
        const env = { AWS_EC2_METADATA_DISABLED: "", AWS_EC2_METADATA_SERVICE_ENDPOINT: hole.url }
        const outcome = await run(sdk, env, times)
        return { outcome, connections: hole.connections() }
      }

      const [ours, oursTwice, theirs, theirsTwice] = await Promise.all([
        connectionsOf("credkit", 1),
        connectionsOf("credkit", 2),
        connectionsOf("aws-sdk", 1),
        connectionsOf("aws-sdk", 2)
      ])

      for (const result of [...oursTwice.outcome.results, ...theirsTwice.outcome.results]) assert.isFalse(result.ok)
      // Documented difference, error shape: a CredentialsError listing every source, which an outer chain may skip.
      const [first] = oursTwice.outcome.results
      assert.strictEqual(first?.name, "CredentialsError")
      assert.strictEqual(first?.reason, "ChainExhausted")
      assert.isTrue(first?.tryNextLink)
      assert.deepStrictEqual(first?.attempts, [
        "env:skipped",
        "profile:skipped",
        "web-identity:skipped",
        "container:skipped",
        "ec2:skipped"
      ])
      assert.isFalse(oursTwice.outcome.report?.ok)
      assert.strictEqual(oursTwice.outcome.report?.attempts.length, 5)
      assert.strictEqual(theirs.outcome.results[0]?.name, "CredentialsProviderError")
      assert.include(theirs.outcome.results[0]?.message, "Could not load credentials from any providers")
      // Documented difference, timing: credkit pays the silent IMDS once per 60 s (decisions §10); the AWS SDK
      // pays it on every resolution.
      assert.isAbove(ours.connections, 0)
      assert.strictEqual(oursTwice.connections, ours.connections)
      assert.isAbove(theirs.connections, 0)
      assert.strictEqual(theirsTwice.connections, 2 * theirs.connections)
    })

    it("differs when environment keys and AWS_PROFILE are both set: credkit takes the keys (decisions §4)", async () => {
      freshHome({ credentials: "[dev]\naws_access_key_id = AKIADIFFDEVPROFILE01\naws_secret_access_key = d\n" })
      const { ours, theirs, credkit, awsSdk } = await both({
        AWS_ACCESS_KEY_ID: "AKIADIFFSHADOWING001",
        AWS_SECRET_ACCESS_KEY: "shadowing-secret",
        AWS_PROFILE: "dev"
      })

      assert.strictEqual(ours.accessKeyId, "AKIADIFFSHADOWING001")
      assert.strictEqual(theirs.accessKeyId, "AKIADIFFDEVPROFILE01")
      // Both warn, each naming the choice it made.
      assert.isTrue(credkit.warnings.some((warning) => warning.includes('AWS_PROFILE is set to "dev"')))
      assert.include(awsSdk.stderr, "Multiple credential sources detected")
    })
  })
})
