/**
 * The secret-leak sweep over the profile adapter (static keys, `credential_process` output, an assumed role through
 * a stand-in STS client) and the default chain (`DefaultCredentials`, `fromDefaultChain`, `explain`), in success
 * and in failure, through the Effect API and the Promise API.
 */
import * as Path from "node:path"
import { CredentialsError, CredentialsProvider, HttpTransport } from "@credkit/core"
import { DefaultCredentials, explain, fromDefaultChain } from "@credkit/credentials"
import { Ec2Credentials } from "@credkit/ec2"
import { fromProfile, ProfileCredentials } from "@credkit/profile"
import { ContainerEmulator, ImdsEmulator } from "@credkit/testing"
import { afterEach, assert, describe, it, vi } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"

import { processDocument } from "./support/documents.js"
import { tempFile, writeTemp } from "./support/files.js"
import { guardedTransport, tokenTap, violations } from "./support/loopback.js"
import { everyView, FIXTURE, FIXTURE_CREDENTIALS, FIXTURE_SECRETS } from "./support/secrets.js"
import { sweep, sweepPromise } from "./support/sweep.js"

afterEach(() => {
  vi.unstubAllEnvs()
  assert.deepStrictEqual(violations.splice(0), [])
})

const secrets = () => FIXTURE_SECRETS
const SCRIPT = Path.join(import.meta.dirname, "support", "credentialProcess.mjs")

const processCommand = (stdout: string, exitCode = 0) => {
  const spec = writeTemp("spec.json", JSON.stringify({ stdout: Buffer.from(stdout).toString("base64"), exitCode }))
  return `"${process.execPath}" "${SCRIPT}" "${spec}" "${writeTemp("runs", "")}"`
}

const PROCESS_OUTPUT = processDocument({
  SecretAccessKey: FIXTURE.processSecret,
  SessionToken: FIXTURE.processToken
})

const STATIC_KEYS = [
  `aws_access_key_id = ${FIXTURE.accessKeyId}`,
  `aws_secret_access_key = ${FIXTURE.secretAccessKey}`,
  `aws_session_token = ${FIXTURE.sessionToken}`
].join("\n")

// A stand-in for STS: answers AssumeRole with the fixture role credentials, or rejects as STS does.
const fakeSts = (answer: "ok" | "denied") => {
  const calls: Array<string> = []
  const factory: ProfileCredentials.StsClientFactoryShape = {
    clientConfig: {},
    make: () =>
      Promise.resolve({
        assumeRole: (input) => {
          calls.push(input.RoleArn ?? "")
          if (answer === "denied") {
            const error = Object.assign(
              new Error(`User is not authorized to perform: sts:AssumeRole on ${input.RoleArn}`),
              {
                name: "AccessDenied",
                $metadata: { httpStatusCode: 403 }
              }
            )
            return Promise.reject(error)
          }
          return Promise.resolve({
            $metadata: {},
            Credentials: {
              AccessKeyId: "ASIAROLEFIXTURE00001",
              SecretAccessKey: FIXTURE.roleSecret,
              SessionToken: FIXTURE.roleToken,
              Expiration: new Date(Date.now() + 3_600_000)
            },
            AssumedRoleUser: { AssumedRoleId: "AROA:s", Arn: "arn:aws:sts::123456789012:assumed-role/r/s" }
          })
        },
        destroy: () => {}
      })
  }
  return { factory, calls }
}

const useProvider = (layer: Layer.Layer<CredentialsProvider, unknown>) =>
  Effect.gen(function* () {
    const provider = yield* CredentialsProvider
    const first = yield* provider.get
    const refreshed = yield* Effect.result(provider.refresh)
    return { first, refreshed }
  }).pipe(Effect.provide(layer))

const boundary =
  (env: Record<string, string>) =>
  <A, E>(self: Effect.Effect<A, E>): Effect.Effect<A, E> =>
    self.pipe(
      Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env)),
      Effect.provideService(HttpTransport.HttpTransport, guardedTransport().shape)
    )

describe("SecretLeak", () => {
  describe("ProfileCredentials.layer", () => {
    it.live("exposes no secret from static keys, credential_process output or an assumed role", () =>
      Effect.gen(function* () {
        const none = tempFile("none")
        // name, config file, credentials file, what STS answers, the source label or "fails"
        const scenarios: ReadonlyArray<readonly [string, string, string, "ok" | "denied", string]> = [
          ["static keys", "[default]\n", `[default]\n${STATIC_KEYS}\n`, "ok", "profile:default"],
          [
            "credential_process",
            `[default]\ncredential_process = ${processCommand(PROCESS_OUTPUT)}\n`,
            "",
            "ok",
            "process:default"
          ],
          [
            "credential_process that prints secrets and fails",
            `[default]\ncredential_process = ${processCommand(PROCESS_OUTPUT, 3)}\n`,
            "",
            "ok",
            "fails"
          ],
          [
            "credential_process that prints secrets in broken JSON",
            `[default]\ncredential_process = ${processCommand(PROCESS_OUTPUT.slice(0, -9))}\n`,
            "",
            "ok",
            "fails"
          ],
          [
            "credential_process that prints secrets with Version 2",
            `[default]\ncredential_process = ${processCommand(processDocument({ Version: 2, SecretAccessKey: FIXTURE.processSecret }))}\n`,
            "",
            "ok",
            "fails"
          ],
          [
            "an assumed role",
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\nregion = us-east-1\n",
            `[base]\n${STATIC_KEYS}\n`,
            "ok",
            "role:default"
          ],
          [
            "a role STS refuses",
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\nregion = us-east-1\n",
            `[base]\n${STATIC_KEYS}\n`,
            "denied",
            "fails"
          ]
        ]
        for (const [name, config, credentials, sts, expected] of scenarios) {
          const layer = ProfileCredentials.layer({
            configFile: writeTemp("config", config),
            credentialsFile: credentials === "" ? none : writeTemp("credentials", credentials)
          })
          const fake = fakeSts(sts)
          const { exit } = yield* sweep(
            name,
            boundary({})(useProvider(layer)).pipe(
              Effect.provideService(ProfileCredentials.StsClientFactory, fake.factory)
            ),
            secrets
          )
          assert.strictEqual(Exit.isSuccess(exit) ? exit.value.first.source : "fails", expected, name)
          if (name.includes("role")) assert.isAtLeast(fake.calls.length, 1, `${name} asked STS`)
        }
      })
    )
  })

  describe("fromProfile", () => {
    it("exposes no secret in its logger lines, warnings or rejections", async () => {
      await sweepPromise(
        "fromProfile",
        async ({ logger }, settle) => {
          const configFile = writeTemp(
            "config",
            `[profile proc]\ncredential_process = ${processCommand(PROCESS_OUTPUT)}\n`
          )
          const credentialsFile = writeTemp("credentials", `[keys]\n${STATIC_KEYS}\n`)
          await settle(fromProfile({ configFile, credentialsFile, profile: "proc", logger })())
          await settle(fromProfile({ configFile, credentialsFile, profile: "keys", logger })())
          const broken = writeTemp(
            "config",
            `[profile proc]\ncredential_process = ${processCommand(PROCESS_OUTPUT, 1)}\n`
          )
          const rejected = await settle(fromProfile({ configFile: broken, credentialsFile, profile: "proc", logger })())
          assert.isTrue(CredentialsError.is(rejected))
        },
        secrets
      )
    })
  })

  describe("DefaultCredentials", () => {
    it.live("exposes no secret when the chain finds env keys, a profile, the container endpoint or IMDS", () =>
      Effect.gen(function* () {
        const container = yield* Effect.acquireRelease(
          Effect.promise(() =>
            ContainerEmulator.start({ credentials: FIXTURE_CREDENTIALS, token: FIXTURE.containerToken })
          ),
          (running) => Effect.promise(() => running.close())
        )
        const imds = yield* Effect.acquireRelease(
          Effect.promise(() => ImdsEmulator.start({ credentials: FIXTURE_CREDENTIALS })),
          (running) => Effect.promise(() => running.close())
        )
        yield* Ec2Credentials.clearUnreachableMemory()
        const none = tempFile("none")
        const base = { AWS_CONFIG_FILE: none, AWS_SHARED_CREDENTIALS_FILE: none }
        const envs: ReadonlyArray<readonly [string, Record<string, string>, string]> = [
          [
            "env keys",
            {
              ...base,
              AWS_ACCESS_KEY_ID: FIXTURE.accessKeyId,
              AWS_SECRET_ACCESS_KEY: FIXTURE.envSecret,
              AWS_SESSION_TOKEN: FIXTURE.envToken,
              AWS_PROFILE: "shadowed"
            },
            "env"
          ],
          ["half env keys", { ...base, AWS_SECRET_ACCESS_KEY: FIXTURE.envSecret }, "fails"],
          [
            "a credential_process profile",
            {
              ...base,
              AWS_CONFIG_FILE: writeTemp(
                "config",
                `[default]\ncredential_process = ${processCommand(PROCESS_OUTPUT)}\n`
              )
            },
            "process:default"
          ],
          [
            "the container endpoint",
            {
              ...base,
              AWS_CONTAINER_CREDENTIALS_FULL_URI: container.url,
              AWS_CONTAINER_AUTHORIZATION_TOKEN: FIXTURE.containerToken
            },
            "container"
          ],
          [
            "a container endpoint that refuses the token",
            {
              ...base,
              AWS_CONTAINER_CREDENTIALS_FULL_URI: container.url,
              AWS_CONTAINER_AUTHORIZATION_TOKEN: `${FIXTURE.containerToken}-stale`
            },
            "fails"
          ],
          ["IMDS", { ...base, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }, "ec2:credkit-role"]
        ]
        for (const [name, env, expected] of envs) {
          const layer = DefaultCredentials.layer({ ec2: { maxAttempts: 1 } })
          const { exit } = yield* sweep(`the chain with ${name}`, boundary(env)(useProvider(layer)), secrets)
          assert.strictEqual(Exit.isSuccess(exit) ? exit.value.first.source : "fails", expected, name)
          const report = yield* sweep(`explain with ${name}`, boundary(env)(DefaultCredentials.explain()), secrets)
          assert.isTrue(Exit.isSuccess(report.exit))
        }
      })
    )
  })

  describe("fromDefaultChain and explain", () => {
    it("expose no secret in logger lines, warnings, rejections or reports", async () => {
      const container = await ContainerEmulator.start({
        credentials: FIXTURE_CREDENTIALS,
        token: FIXTURE.containerToken
      })
      const imds = await ImdsEmulator.start({ credentials: FIXTURE_CREDENTIALS })
      const tap = await tokenTap(imds.url)
      try {
        await sweepPromise(
          "fromDefaultChain",
          async ({ logger }, settle) => {
            vi.stubEnv("AWS_PROFILE", "shadowed")
            vi.stubEnv("AWS_ACCESS_KEY_ID", FIXTURE.accessKeyId)
            vi.stubEnv("AWS_SECRET_ACCESS_KEY", FIXTURE.envSecret)
            vi.stubEnv("AWS_SESSION_TOKEN", FIXTURE.envToken)
            await settle(fromDefaultChain({ logger, timeout: 5_001 })())
            await settle(explain({ logger, timeout: 5_001 }))
            for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"]) {
              vi.stubEnv(name, "")
            }
            vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url)
            vi.stubEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN", FIXTURE.containerToken)
            await settle(fromDefaultChain({ logger, timeout: 5_002 })())
            const report = await settle(explain({ logger, timeout: 5_002 }))
            assert.strictEqual((report as { source?: string }).source, "container")
            vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
            vi.stubEnv("AWS_EC2_METADATA_DISABLED", "false")
            await Effect.runPromise(Ec2Credentials.clearUnreachableMemory())
            await settle(fromDefaultChain({ logger, timeout: 5_003, ec2: { endpoint: tap.url } })())
            await settle(explain({ logger, timeout: 5_003, ec2: { endpoint: tap.url } }))
            imds.control.setMode("off")
            const rejected = await settle(fromDefaultChain({ logger, timeout: 5_004, ec2: { endpoint: tap.url } })())
            assert.isTrue(CredentialsError.is(rejected))
            assert.include(everyView(await settle(explain({ timeout: 5_004, ec2: { endpoint: tap.url } }))), "failed")
          },
          () => [...FIXTURE_SECRETS, ...tap.tokens]
        )
        assert.isAtLeast(tap.tokens.length, 1)
      } finally {
        await tap.close()
        await imds.close()
        await container.close()
      }
    })
  })
})
