import * as fs from "node:fs"
import * as path from "node:path"
import * as util from "node:util"

import { type AwsCredentials, type CredentialsError, CredentialsProvider, HttpTransport } from "@credkit/core"
import { Ec2Credentials } from "@credkit/ec2"
import { ProfileCredentials } from "@credkit/profile"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import { TestClock } from "effect/testing"

import { DefaultCredentials } from "../src/index.js"
import { type Exchange, makeReplay, readTraffic } from "./support/replay.js"
import { layOut, readJson, VECTORS } from "./support/scenario.js"
import { captureLogs, withEnv } from "./support/servers.js"

const SUITE = path.join(VECTORS, "default-credential-provider-chain")

interface Expected {
  readonly access_key_id: string
  readonly secret_access_key: string
  readonly session_token?: string
  readonly account_id?: string
  readonly expiry?: number
}

interface TestCase {
  readonly name: string
  readonly docs: string
  readonly result: { readonly Ok?: Expected; readonly ErrorContains?: string }
}

/** The label of each successful scenario's credentials (api.md). */
const LABELS: Readonly<Record<string, string>> = {
  ecs_assume_role: "role:default",
  ecs_credentials: "container",
  ecs_credentials_invalid_profile: "container",
  eks_pod_identity_credentials: "container",
  environment_variables: "env",
  environment_variables_blank: "profile:some_profile",
  imds_assume_role: "role:default",
  imds_config_with_no_creds: "ec2:imds-assume-role-test",
  imds_default_chain_retries: "ec2:imds-assume-role-test",
  imds_default_chain_success: "ec2:imds-assume-role-test",
  prefer_environment: "env",
  profile_name: "profile:some-thing:long/the_one%only.foo@bar+",
  profile_static_keys: "profile:default",
  profile_static_keys_case_insensitive: "profile:default",
  web_identity_token_env: "web-identity",
  web_identity_token_profile: "web-identity",
  web_identity_token_source_profile: "role:A"
}

/**
 * Failing scenarios. `ErrorContains` quotes the Rust SDK (vectors README rule #2); ours says it differently, so each
 * case names our reason tag, a substring of our message, and what every link of the chain did. The outcomes are
 * the same as upstream: no scenario's expected behaviour differs from decisions.md (a `credential_source` that finds
 * nothing is a broken profile, §2; a profile that fails is final, §1).
 */
const ERRORS: Readonly<Record<string, { readonly tag: string; readonly text: string; readonly attempts: string }>> = {
  // Rust: "No such file or directory (os error 2)", the OS text.
  eks_pod_identity_no_token_file: {
    tag: "Misconfigured",
    text: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names",
    attempts: "env:skipped profile:skipped web-identity:skipped container:failed ec2:not-reached"
  },
  // Rust: "the credential provider was not enabled" for a chain that found nothing.
  imds_default_chain_error: {
    tag: "ChainExhausted",
    text: "no IAM role is attached to this instance",
    attempts: "env:skipped profile:skipped web-identity:skipped container:skipped ec2:skipped"
  },
  imds_disabled: {
    tag: "ChainExhausted",
    text: "IMDS is turned off by AWS_EC2_METADATA_DISABLED=True",
    attempts: "env:skipped profile:skipped web-identity:skipped container:skipped ec2:skipped"
  },
  imds_no_iam_role: {
    tag: "Misconfigured",
    text: 'profile "default" sets credential_source = Ec2InstanceMetadata, which found no credentials',
    attempts: "env:skipped profile:failed web-identity:not-reached container:not-reached ec2:not-reached"
  },
  // Rust: "request forbidden: IMDS is disabled".
  imds_token_fail: {
    tag: "Misconfigured",
    text: "IMDS is turned off for this instance (PUT /latest/api/token at http://169.254.169.254 answered 403)",
    attempts: "env:skipped profile:failed web-identity:not-reached container:not-reached ec2:not-reached"
  },
  profile_overrides_web_identity: {
    tag: "Misconfigured",
    text: 'profile "A" sets credential_source = Environment, which found no credentials',
    attempts: "env:skipped profile:failed web-identity:not-reached container:not-reached ec2:not-reached"
  },
  // Rust: "`web_identity_token_file` was specified but `role_arn` was missing".
  web_identity_source_profile_no_env: {
    tag: "Misconfigured",
    text: 'profile "B" sets web_identity_token_file but no role_arn',
    attempts: "env:skipped profile:failed web-identity:not-reached container:not-reached ec2:not-reached"
  },
  web_identity_token_invalid_jwt: {
    tag: "Unauthorized",
    text: "(InvalidIdentityTokenException): No OpenIDConnect provider found in your account",
    attempts: "env:skipped profile:failed web-identity:not-reached container:not-reached ec2:not-reached"
  }
}

// Secrets shorter than this are common words ("bar" of environment_variables) and would match innocent text.
const MIN_SECRET_LENGTH = 8

/** Every secret a scenario holds: secret keys and tokens of its environment, files and recorded answers. */
const secretsOf = (env: Record<string, string>, home: string, token: string, exchanges: ReadonlyArray<Exchange>) => {
  const found = [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN]
  if (fs.existsSync(token)) found.push(fs.readFileSync(token, "utf8").trim())
  for (const file of ["config", "credentials"].map((name) => path.join(home, ".aws", name))) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""
    for (const match of text.matchAll(/aws_(?:secret_access_key|session_token)\s*=\s*(\S+)/gi)) found.push(match[1])
  }
  for (const exchange of exchanges) {
    if (exchange.uri.endsWith("/latest/api/token") && exchange.status === 200) found.push(exchange.body.trim())
    for (const match of exchange.body.matchAll(/"(?:SecretAccessKey|Token)"\s*:\s*"([^"]+)"/g)) found.push(match[1])
    for (const match of exchange.body.matchAll(/<(?:SecretAccessKey|SessionToken)>([^<]+)</g)) found.push(match[1])
  }
  return found.filter((secret): secret is string => secret !== undefined && secret.trim().length >= MIN_SECRET_LENGTH)
}

const scenarios = fs
  .readdirSync(SUITE, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()

// Runs `effect` on the TestClock (pinned at the Unix epoch, rules #4), moving it on while the effect waits, so the
// retry back-off of IMDS passes at once while the recorded 2009–2021 expirations stay in the future.
const settle = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(0)
    const fiber = yield* Effect.forkChild(effect)
    for (let turn = 0; fiber.pollUnsafe() === undefined && turn < 1_000; turn++) {
      yield* TestClock.adjust("1 second")
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
    }
    return yield* Fiber.join(fiber)
  })

const attemptsText = (error: CredentialsError) =>
  (error.attempts ?? []).map((attempt) => `${attempt.source}:${attempt.outcome}`).join(" ")

const checkCredentials = (name: string, credentials: AwsCredentials.AwsCredentials, expected: Expected) => {
  assert.strictEqual(credentials.accessKeyId, expected.access_key_id)
  assert.strictEqual(Redacted.value(credentials.secretAccessKey), expected.secret_access_key)
  assert.strictEqual(
    credentials.sessionToken === undefined ? undefined : Redacted.value(credentials.sessionToken),
    expected.session_token
  )
  assert.strictEqual(credentials.accountId, expected.account_id)
  assert.strictEqual(
    credentials.expiration === undefined ? undefined : credentials.expiration.getTime() / 1000,
    expected.expiry
  )
  assert.strictEqual(credentials.source, LABELS[name])
}

describe("DefaultCredentials", () => {
  /**
   * The runner of vectors README §6. Runner choices, none of which changes an expected result: `HOME` always points
   * at the temporary home (web_identity_token_env sets none, and no case may see the real one); the recordings
   * predate the extended IMDS role path, which the replay answers 404 as decisions §8 prescribes; the clock is the
   * TestClock from the Unix epoch.
   */
  describe("layer (vectors/default-credential-provider-chain)", () => {
    it("covers the 25 non-SSO scenarios", () => {
      assert.strictEqual(scenarios.length, 25)
      assert.deepStrictEqual(
        scenarios.filter((name) => LABELS[name] === undefined && ERRORS[name] === undefined),
        []
      )
    })

    for (const name of scenarios) {
      const dir = path.join(SUITE, name)
      const testCase = readJson<TestCase>(path.join(dir, "test-case.json"))
      it.effect(`${name}: ${testCase.docs}`, () =>
        Effect.gen(function* () {
          yield* Ec2Credentials.clearUnreachableMemory()
          const { env, home, token } = yield* layOut(dir)
          const exchanges = readTraffic(path.join(dir, "http-traffic.json"))
          const replay = makeReplay(exchanges)
          const logs = captureLogs()

          const exit = yield* settle(
            CredentialsProvider.use((provider) => provider.get).pipe(
              Effect.provide(DefaultCredentials.layer()),
              Effect.provide(logs.layer),
              Effect.provideService(HttpTransport.HttpTransport, replay.transport),
              Effect.provideService(
                ProfileCredentials.StsClientFactory,
                ProfileCredentials.stsClientFactory({ requestHandler: replay.requestHandler })
              ),
              withEnv(env),
              Effect.exit
            )
          )

          // Every recorded request was sent, in order, with the recorded URI and headers; nothing else was sent.
          assert.deepStrictEqual(replay.violations, [])
          assert.strictEqual(replay.answered(), exchanges.length)
          for (const sent of replay.sent.filter((request) => request.synthetic)) {
            assert.include(sent.url, "/latest/meta-data/iam/security-credentials-extended/")
          }
          if (name === "eks_pod_identity_credentials") {
            // The recording leaves the header out; the token file's content is the Authorization value.
            assert.strictEqual(replay.sent[0]?.headers.authorization, "sometoken")
          }

          const expected = testCase.result.Ok
          const outputs = [...logs.lines]
          if (expected !== undefined) {
            if (Exit.isFailure(exit)) return assert.fail(`expected credentials, got ${String(exit.cause)}`)
            checkCredentials(name, exit.value, expected)
            outputs.push(util.inspect(exit.value, { depth: 10 }), JSON.stringify(exit.value))
          } else {
            const mapped = ERRORS[name]
            if (mapped === undefined) return assert.fail(`no error mapping for ${name}`)
            if (Exit.isSuccess(exit)) return assert.fail(`expected an error containing ${mapped.text}`)
            const reason = exit.cause.reasons[0]
            if (reason?._tag !== "Fail") return assert.fail(`expected a failure, got ${String(exit.cause)}`)
            assert.strictEqual(reason.error.reason._tag, mapped.tag)
            assert.include(reason.error.message, mapped.text)
            assert.strictEqual(attemptsText(reason.error), mapped.attempts)
            outputs.push(reason.error.message, util.inspect(reason.error, { depth: 10 }), JSON.stringify(reason.error))
          }

          // As the upstream runner does: no secret of the scenario in any log line, message or rendering.
          for (const secret of secretsOf(env, home, token, exchanges)) {
            for (const output of outputs) assert.notInclude(output, secret)
          }
        })
      )
    }
  })
})
