/**
 * The secret-leak sweep over the adapters and the bridge: distinctive fixture secrets (secret keys, session
 * tokens, the IMDS tokens the emulator issued, the container authorization token) are searched for in every log
 * line, error and cause chain, span and public value of each scenario, through the Effect API and the Promise API,
 * in success and in failure.
 */
import {
  AwsCredentials,
  CredentialsError,
  CredentialsProvider,
  HttpTransport,
  toCredentialIdentityProvider
} from "@credkit/core"
import { Ec2Credentials, fromInstanceMetadata } from "@credkit/ec2"
import { ContainerCredentials, fromContainerMetadata } from "@credkit/ecs"
import { EnvCredentials, fromEnv } from "@credkit/env"
import { ContainerEmulator, ImdsEmulator } from "@credkit/testing"
import { afterEach, assert, describe, it, vi } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"

import { containerDocument, imdsDocument } from "./support/documents.js"
import { guardedTransport, tokenTap, violations } from "./support/loopback.js"
import { FIXTURE, FIXTURE_CREDENTIALS, FIXTURE_SECRETS, recordingTracer } from "./support/secrets.js"
import { sweep, sweepPromise } from "./support/sweep.js"

afterEach(() => {
  vi.unstubAllEnvs()
  assert.deepStrictEqual(violations.splice(0), [])
})

const DOCUMENT = "/latest/meta-data/iam/security-credentials-extended/credkit-role"
const secrets = () => FIXTURE_SECRETS

// Every get, refresh and invalidation a user can make, on one provider.
const useProvider = (layer: Layer.Layer<CredentialsProvider, unknown>, between: () => void = () => {}) =>
  Effect.gen(function* () {
    const provider = yield* CredentialsProvider
    const first = yield* provider.get
    between()
    const refreshed = yield* Effect.result(provider.refresh)
    yield* provider.invalidate(first.accessKeyId)
    const again = yield* Effect.result(provider.get)
    return { first, refreshed, again }
  }).pipe(Effect.provide(layer))

const withEnv = (env: Record<string, string>) => (self: Effect.Effect<unknown, unknown>) =>
  Effect.provideService(self, ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))

const scoped = <A>(start: () => Promise<A & { readonly close: () => Promise<void> }>) =>
  Effect.acquireRelease(Effect.promise(start), (resource) => Effect.promise(() => resource.close()))

const ENV = {
  AWS_ACCESS_KEY_ID: FIXTURE.accessKeyId,
  AWS_SECRET_ACCESS_KEY: FIXTURE.envSecret,
  AWS_SESSION_TOKEN: FIXTURE.envToken
}

describe("SecretLeak", () => {
  describe("sweep", () => {
    it.live("finds a secret that a log line carries", () =>
      Effect.gen(function* () {
        const outcome = yield* Effect.exit(
          sweep("a leaking program", Effect.logDebug(`token ${FIXTURE.sessionToken}`), secrets)
        )
        assert.isTrue(Exit.isFailure(outcome))
      })
    )
  })

  describe("EnvCredentials.layer", () => {
    it.live("exposes no secret when the environment has credentials, half of them or expired ones", () =>
      Effect.gen(function* () {
        const { exit } = yield* sweep("env credentials", withEnv(ENV)(useProvider(EnvCredentials.layer())), secrets)
        assert.isTrue(Exit.isSuccess(exit))
        for (const env of [
          { AWS_SECRET_ACCESS_KEY: FIXTURE.envSecret, AWS_SESSION_TOKEN: FIXTURE.envToken },
          { ...ENV, AWS_CREDENTIAL_EXPIRATION: "2001-02-03T04:05:06Z" },
          { ...ENV, AWS_CREDENTIAL_EXPIRATION: "next tuesday" }
        ]) {
          const failed = yield* sweep(
            "broken env credentials",
            withEnv(env)(useProvider(EnvCredentials.layer())),
            secrets
          )
          assert.isTrue(Exit.isFailure(failed.exit))
        }
      })
    )
  })

  describe("fromEnv", () => {
    it("exposes no secret in its logger lines or rejections", async () => {
      await sweepPromise(
        "fromEnv",
        async ({ logger }, settle) => {
          for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value)
          const identity = (await settle(fromEnv({ logger })())) as { secretAccessKey: string }
          assert.strictEqual(identity.secretAccessKey, FIXTURE.envSecret)
          vi.stubEnv("AWS_ACCESS_KEY_ID", "")
          assert.isTrue(CredentialsError.is(await settle(fromEnv({ logger })())))
        },
        secrets
      )
    })
  })

  describe("Ec2Credentials.layer", () => {
    it.live("exposes no secret or IMDS token through refreshes, a stale token, an outage and bad documents", () =>
      Effect.gen(function* () {
        yield* Ec2Credentials.clearUnreachableMemory()
        const imdsTokens: Array<string> = []
        const guard = guardedTransport((request, response) => {
          if (request.method === "PUT" && response.status === 200) {
            imdsTokens.push(HttpTransport.text(response).trim())
          }
        })
        const all = () => [...FIXTURE_SECRETS, ...imdsTokens]
        const emulator = yield* scoped(() => ImdsEmulator.start({ credentials: FIXTURE_CREDENTIALS }))
        const run = (between: () => void) =>
          useProvider(Ec2Credentials.layer({ endpoint: emulator.url, maxAttempts: 2 }), between).pipe(
            withEnv({}),
            Effect.provideService(HttpTransport.HttpTransport, guard.shape)
          )

        const healthy = yield* sweep(
          "ec2 with a stale token",
          run(() => emulator.control.expireTokens()),
          all
        )
        assert.isTrue(Exit.isSuccess(healthy.exit))
        const outage = yield* sweep(
          "ec2 through an outage",
          run(() => emulator.control.fault("*", { status: 503 })),
          all
        )
        assert.isTrue(Exit.isSuccess(outage.exit))
        assert.include(outage.exposure.channels[0]?.text ?? "", "serving cached credentials")
        for (const fault of [
          { body: "partial" },
          {
            body: `{"Code":"Success","SecretAccessKey":"${FIXTURE.secretAccessKey}","Token":"${FIXTURE.sessionToken}",`
          },
          { body: imdsDocument({ Expiration: FIXTURE.secretAccessKey }) },
          { body: imdsDocument({ AccessKeyId: undefined }) },
          { code: "AssumeRoleUnauthorizedAccess" }
        ] as const) {
          emulator.control.clearFaults()
          yield* sweep(
            "ec2 with a bad document",
            run(() => emulator.control.fault(DOCUMENT, fault)),
            all
          )
        }
        // The sweep searched for tokens that were really issued and sent.
        assert.isAtLeast(imdsTokens.length, 3)
        assert.isTrue(guard.seen.some((seen) => imdsTokens.includes(seen.headers["x-aws-ec2-metadata-token"] ?? "")))
      })
    )
  })

  describe("Ec2Credentials spans", () => {
    it.live("end with no value that holds the credentials document in plain bytes", () =>
      Effect.gen(function* () {
        yield* Ec2Credentials.clearUnreachableMemory()
        const emulator = yield* scoped(() => ImdsEmulator.start({ credentials: FIXTURE_CREDENTIALS }))
        const traces = recordingTracer()
        yield* CredentialsProvider.use((provider) => provider.get).pipe(
          Effect.provide(Ec2Credentials.layer({ endpoint: emulator.url })),
          withEnv({}),
          Effect.provideService(HttpTransport.HttpTransport, guardedTransport().shape),
          Effect.provideService(Tracer.Tracer, traces.tracer)
        )
        const holding = traces
          .exitBytes()
          .filter(({ text }) => FIXTURE_SECRETS.some((secret) => text.includes(secret)))
          .map(({ span }) => span)
        assert.deepStrictEqual(holding, [], "spans whose success value is the raw document")
      })
    )
  })

  describe("fromInstanceMetadata", () => {
    it("exposes no secret or IMDS token in its logger lines, warnings or rejections", async () => {
      const emulator = await ImdsEmulator.start({ credentials: FIXTURE_CREDENTIALS })
      const tap = await tokenTap(emulator.url)
      try {
        vi.stubEnv("AWS_EC2_METADATA_DISABLED", "false")
        await Effect.runPromise(Ec2Credentials.clearUnreachableMemory())
        await sweepPromise(
          "fromInstanceMetadata",
          async ({ logger }, settle) => {
            const provider = fromInstanceMetadata({ endpoint: tap.url, logger })
            await settle(provider())
            emulator.control.expireTokens()
            await settle(provider({ forceRefresh: true }))
            emulator.control.fault("*", { status: 503 })
            await settle(provider({ forceRefresh: true }))
            emulator.control.clearFaults()
            emulator.control.fault("/latest/api/token", { status: 404 })
            // No logger: the IMDSv1 warning goes to process.emitWarning.
            await settle(fromInstanceMetadata({ endpoint: tap.url })())
            emulator.control.setMode("off")
            assert.isTrue(CredentialsError.is(await settle(fromInstanceMetadata({ endpoint: tap.url, logger })())))
          },
          () => [...FIXTURE_SECRETS, ...tap.tokens]
        )
        assert.isAtLeast(tap.tokens.length, 2)
      } finally {
        await tap.close()
        await emulator.close()
      }
    })
  })

  describe("ContainerCredentials.layer", () => {
    it.live("exposes no secret or authorization token through refreshes, refusals and bad documents", () =>
      Effect.gen(function* () {
        const emulator = yield* scoped(() =>
          ContainerEmulator.start({ credentials: FIXTURE_CREDENTIALS, token: FIXTURE.containerToken })
        )
        const guard = guardedTransport()
        const run = (env: Record<string, string>, between: () => void) =>
          useProvider(ContainerCredentials.layer({ maxAttempts: 2 }), between).pipe(
            withEnv({
              AWS_CONTAINER_CREDENTIALS_FULL_URI: emulator.url,
              AWS_CONTAINER_AUTHORIZATION_TOKEN: FIXTURE.containerToken,
              ...env
            }),
            Effect.provideService(HttpTransport.HttpTransport, guard.shape)
          )
        const healthy = yield* sweep(
          "container",
          run({}, () => {}),
          secrets
        )
        assert.isTrue(Exit.isSuccess(healthy.exit))
        yield* sweep(
          "container through an outage",
          run({}, () => emulator.control.fault("*", { status: 503 })),
          secrets
        )
        for (const fault of [
          { status: 401 },
          { status: 500, body: JSON.stringify({ code: "Broken", detail: FIXTURE.secretAccessKey }) },
          { body: "partial" },
          { body: containerDocument({ Expiration: FIXTURE.sessionToken }) },
          { body: containerDocument({ AccessKeyId: undefined }) }
        ] as const) {
          emulator.control.clearFaults()
          yield* sweep(
            "container with a bad answer",
            run({}, () => emulator.control.fault("*", fault)),
            secrets
          )
        }
        emulator.control.clearFaults()
        const refused = yield* sweep(
          "container with a token that breaks the header",
          run({ AWS_CONTAINER_AUTHORIZATION_TOKEN: `${FIXTURE.containerToken}\n` }, () => {}),
          secrets
        )
        assert.isTrue(Exit.isFailure(refused.exit))
        assert.isTrue(guard.seen.some((seen) => seen.headers["authorization"] === FIXTURE.containerToken))
      })
    )
  })

  describe("fromContainerMetadata", () => {
    it("exposes no secret or authorization token in its logger lines, warnings or rejections", async () => {
      const emulator = await ContainerEmulator.start({
        credentials: FIXTURE_CREDENTIALS,
        token: FIXTURE.containerToken
      })
      try {
        vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", emulator.url)
        vi.stubEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN", FIXTURE.containerToken)
        await sweepPromise(
          "fromContainerMetadata",
          async ({ logger }, settle) => {
            const provider = fromContainerMetadata({ logger, maxAttempts: 2 })
            await settle(provider())
            emulator.control.fault("*", { status: 503 })
            await settle(provider({ forceRefresh: true }))
            await settle(fromContainerMetadata({ maxAttempts: 1 })())
            emulator.control.clearFaults()
            emulator.control.rotateToken("rotated-container-token")
            assert.isTrue(CredentialsError.is(await settle(fromContainerMetadata({ logger })())))
          },
          secrets
        )
      } finally {
        await emulator.close()
      }
    })
  })

  describe("toCredentialIdentityProvider", () => {
    it("exposes no secret in its logger lines or rejections, for scripted credentials and failures", async () => {
      const credentials = AwsCredentials.make({
        accessKeyId: FIXTURE.accessKeyId,
        secretAccessKey: FIXTURE.secretAccessKey,
        sessionToken: FIXTURE.sessionToken,
        expiration: new Date(Date.now() + 3_600_000),
        source: "static"
      })
      const layer = CredentialsProvider.layerTest([
        credentials,
        CredentialsError.invalidResponse("scripted", "the scripted source sent a document it could not read"),
        credentials
      ])
      await sweepPromise(
        "the bridge",
        async ({ logger }, settle) => {
          const provider = toCredentialIdentityProvider(layer, { logger, timeout: 1_000 })
          const identity = (await settle(provider())) as { sessionToken?: string }
          assert.strictEqual(identity.sessionToken, FIXTURE.sessionToken)
          assert.isTrue(CredentialsError.is(await settle(provider({ forceRefresh: true }))))
          await settle(provider({ forceRefresh: true }))
        },
        secrets
      )
    })
  })
})
