import * as util from "node:util"

import { CredentialsProvider } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

import { DefaultCredentials } from "../src/index.js"
import { tempDir } from "./support/scenario.js"
import { captureLogs, containerEmulator, homeWith, ROLE, SECRETS, startStsStandIn, withEnv } from "./support/servers.js"

// The base profile's own secret, sent to STS only inside the signed request.
const BASE_SECRET = "base-profile-secret-9f8e7d6c5b4a"

const renderings = (value: unknown): Array<string> => [
  util.inspect(value, { depth: 10 }),
  JSON.stringify(value) ?? "",
  String(value)
]

describe("DefaultCredentials", () => {
  describe("secrets", () => {
    it.live(
      "never shows a secret key, session token or container token in logs, errors, inspect, JSON or reports",
      () =>
        Effect.gen(function* () {
          const logs = captureLogs()
          const outputs: Array<string> = []
          const ecs = yield* containerEmulator({
            token: SECRETS.containerToken,
            credentials: {
              accessKeyId: "ASIACONTAINER0000001",
              secretAccessKey: SECRETS.secretAccessKey,
              sessionToken: SECRETS.sessionToken
            }
          })
          const sts = yield* Effect.acquireRelease(Effect.promise(startStsStandIn), (standIn) =>
            Effect.promise(standIn.close)
          )
          const home = yield* homeWith({
            config: "[profile deploy]\nrole_arn = arn:aws:iam::111122223333:role/Deployer\nsource_profile = base\n",
            credentials: `[base]\naws_access_key_id = AKIABASEPROFILE00001\naws_secret_access_key = ${BASE_SECRET}\n`
          })
          const empty = yield* tempDir
          const container = {
            HOME: empty,
            AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.url,
            AWS_CONTAINER_AUTHORIZATION_TOKEN: SECRETS.containerToken
          }
          const run = <A, E>(effect: Effect.Effect<A, E, CredentialsProvider>, env: Record<string, string>) =>
            effect.pipe(
              Effect.provide(DefaultCredentials.layer()),
              Effect.provide(logs.layer),
              withEnv(env),
              Effect.result
            )
          const get = CredentialsProvider.use((provider) => provider.get)

          const fromContainer = yield* run(get, container)
          const role = yield* run(get, {
            HOME: home,
            AWS_PROFILE: "deploy",
            AWS_REGION: "us-east-1",
            AWS_ENDPOINT_URL_STS: sts.url
          })
          const refused = yield* run(get, {
            ...container,
            AWS_CONTAINER_AUTHORIZATION_TOKEN: `${SECRETS.containerToken}x`
          })
          const partial = yield* run(get, { HOME: empty, AWS_SECRET_ACCESS_KEY: SECRETS.secretAccessKey })
          const report = yield* DefaultCredentials.explain().pipe(Effect.provide(logs.layer), withEnv(container))

          // The fixtures did what the test needs: two successes, two failures, a successful report.
          assert.strictEqual(fromContainer._tag === "Success" ? fromContainer.success.source : "", "container")
          assert.strictEqual(role._tag === "Success" ? role.success.accessKeyId : "", ROLE.accessKeyId)
          assert.strictEqual(refused._tag === "Failure" ? refused.failure.reason._tag : "", "Unauthorized")
          assert.strictEqual(partial._tag === "Failure" ? partial.failure.reason._tag : "", "Misconfigured")
          assert.isTrue(report.ok)
          assert.strictEqual(sts.calls.length, 1)

          for (const result of [fromContainer, role, refused, partial]) {
            const value = result._tag === "Success" ? result.success : result.failure
            outputs.push(...renderings(value))
            if (result._tag === "Failure") outputs.push(result.failure.message)
          }
          outputs.push(...renderings(report), ...logs.lines)
          assert.isAbove(logs.lines.length, 10)
          for (const secret of [...Object.values(SECRETS), BASE_SECRET]) {
            for (const output of outputs) assert.notInclude(output, secret)
          }
        })
    )
  })
})
