import { CredentialsError } from "@credkit/core"
import { ContainerEmulator, ImdsEmulator } from "@credkit/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

import { ProfileCredentials } from "../src/index.js"
import { failure, homeWith, withEnv } from "./support/home.js"
import { type RoleCredentials, startStsStandIn } from "./support/stsStandIn.js"

const ROLE_A = "arn:aws:iam::123456789012:role/RoleA"
const ROLE_B = "arn:aws:iam::123456789012:role/RoleB"

const ROLES: Readonly<Record<string, RoleCredentials>> = {
  [ROLE_A]: { accessKeyId: "ASIAROLEA", secretAccessKey: "role-a-secret", sessionToken: "role-a-token" },
  [ROLE_B]: {
    accessKeyId: "ASIAROLEB",
    secretAccessKey: "role-b-secret",
    sessionToken: "role-b-token",
    expiration: "2031-05-06T07:08:09Z",
    account: "210987654321"
  }
}

const BASE_KEYS = "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n"

const emulator = <A extends { readonly close: () => Promise<void> }>(start: () => Promise<A>) =>
  Effect.acquireRelease(Effect.promise(start), (running) => Effect.promise(() => running.close()))

describe("ProfileCredentials", () => {
  describe("source (assume role against a loopback STS)", () => {
    it.effect("assumes the role with the static keys of source_profile", () =>
      Effect.gen(function* () {
        const sts = yield* startStsStandIn(ROLES)
        const home = yield* homeWith({
          config: `[profile dev]\nrole_arn = ${ROLE_B}\nsource_profile = base\nexternal_id = ext-1\nduration_seconds = 1800\n`,
          credentials: BASE_KEYS
        })
        const credentials = yield* ProfileCredentials.source({ profile: "dev" }).resolve.pipe(
          withEnv({ HOME: home, AWS_ENDPOINT_URL_STS: sts.url })
        )
        assert.strictEqual(credentials.accessKeyId, "ASIAROLEB")
        assert.strictEqual(Redacted.value(credentials.secretAccessKey), "role-b-secret")
        assert.strictEqual(credentials.sessionToken && Redacted.value(credentials.sessionToken), "role-b-token")
        assert.strictEqual(credentials.expiration?.toISOString(), "2031-05-06T07:08:09.000Z")
        assert.strictEqual(credentials.accountId, "210987654321")
        assert.strictEqual(credentials.source, "role:dev")
        assert.strictEqual(sts.calls.length, 1)
        const [call] = sts.calls
        assert.strictEqual(call?.signedWith, "AKIDBASE")
        assert.strictEqual(call?.params.Action, "AssumeRole")
        assert.strictEqual(call?.params.RoleArn, ROLE_B)
        assert.strictEqual(call?.params.ExternalId, "ext-1")
        assert.strictEqual(call?.params.DurationSeconds, "1800")
        assert.match(call?.params.RoleSessionName ?? "", /^credkit-\d+$/)
      })
    )

    it.effect("assumes each role of a two-hop chain with the previous hop's credentials", () =>
      Effect.gen(function* () {
        const sts = yield* startStsStandIn(ROLES)
        const home = yield* homeWith({
          config: [
            "[profile A]",
            `role_arn = ${ROLE_A}`,
            "source_profile = B",
            "role_session_name = hop-a",
            "[profile B]",
            `role_arn = ${ROLE_B}`,
            "source_profile = base"
          ].join("\n"),
          credentials: BASE_KEYS
        })
        const credentials = yield* ProfileCredentials.source().resolve.pipe(
          withEnv({ HOME: home, AWS_PROFILE: "A", AWS_ENDPOINT_URL_STS: sts.url })
        )
        assert.strictEqual(credentials.accessKeyId, "ASIAROLEA")
        assert.strictEqual(credentials.source, "role:A")
        assert.deepStrictEqual(
          sts.calls.map((call) => [call.params.RoleArn, call.signedWith, call.sessionTokenHeader]),
          [
            [ROLE_B, "AKIDBASE", undefined],
            [ROLE_A, "ASIAROLEB", "role-b-token"]
          ]
        )
        assert.strictEqual(sts.calls[1]?.params.RoleSessionName, "hop-a")
      })
    )

    it.effect(
      "fails with Misconfigured before calling STS when mfa_serial is set and no mfaCodeProvider is given",
      () =>
        Effect.gen(function* () {
          const sts = yield* startStsStandIn(ROLES)
          const home = yield* homeWith({
            config: `[profile mfa]\nrole_arn = ${ROLE_A}\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n`,
            credentials: BASE_KEYS
          })
          const error = yield* failure(
            ProfileCredentials.source({ profile: "mfa" }).resolve.pipe(
              withEnv({ HOME: home, AWS_ENDPOINT_URL_STS: sts.url })
            )
          )
          assert.strictEqual(error.reason._tag, "Misconfigured")
          assert.include(error.message, `profile "mfa" sets mfa_serial`)
          assert.include(error.message, "no mfaCodeProvider was given")
          assert.strictEqual(sts.calls.length, 0)
        })
    )

    it.effect("sends the serial number and the code of mfaCodeProvider", () =>
      Effect.gen(function* () {
        const sts = yield* startStsStandIn(ROLES)
        const serial = "arn:aws:iam::123456789012:mfa/me"
        const home = yield* homeWith({
          config: `[profile mfa]\nrole_arn = ${ROLE_A}\nsource_profile = base\nmfa_serial = ${serial}\n`,
          credentials: BASE_KEYS
        })
        const asked: Array<string> = []
        const mfaCodeProvider = (device: string) => {
          asked.push(device)
          return Promise.resolve("123456")
        }
        yield* ProfileCredentials.source({ profile: "mfa", mfaCodeProvider }).resolve.pipe(
          withEnv({ HOME: home, AWS_ENDPOINT_URL_STS: sts.url })
        )
        assert.deepStrictEqual(asked, [serial])
        assert.strictEqual(sts.calls[0]?.params.SerialNumber, serial)
        assert.strictEqual(sts.calls[0]?.params.TokenCode, "123456")
      })
    )

    it.effect("fails with Unauthorized and a trust-policy hint when STS answers AccessDenied", () =>
      Effect.gen(function* () {
        const sts = yield* startStsStandIn({})
        const home = yield* homeWith({
          config: `[default]\nrole_arn = ${ROLE_A}\nsource_profile = base\n`,
          credentials: BASE_KEYS
        })
        const error = yield* failure(
          ProfileCredentials.source().resolve.pipe(withEnv({ HOME: home, AWS_ENDPOINT_URL_STS: sts.url }))
        )
        assert.strictEqual(error.reason._tag, "Unauthorized")
        assert.strictEqual(error.reason._tag === "Unauthorized" && error.reason.code, "AccessDenied")
        assert.strictEqual(error.source, "role:default")
        assert.include(error.message, `AssumeRole of ${ROLE_A} (profile "default")`)
        assert.include(error.reason.hint ?? "", "trust policy")
      })
    )

    it.effect("fails with Unauthorized when STS answers ExpiredToken", () =>
      Effect.gen(function* () {
        const sts = yield* startStsStandIn(ROLES, () => ({ status: 400, code: "ExpiredToken", message: "expired" }))
        const home = yield* homeWith({
          config: `[default]\nrole_arn = ${ROLE_A}\nsource_profile = base\n`,
          credentials: BASE_KEYS
        })
        const error = yield* failure(
          ProfileCredentials.source().resolve.pipe(withEnv({ HOME: home, AWS_ENDPOINT_URL_STS: sts.url }))
        )
        assert.strictEqual(error.reason._tag, "Unauthorized")
        assert.isFalse(error.tryNextLink)
      })
    )

    it.effect("fails with Transport after the SDK's retries when STS keeps answering 503", () =>
      Effect.gen(function* () {
        const sts = yield* startStsStandIn(ROLES, () => ({ status: 503, code: "ServiceUnavailable", message: "busy" }))
        const home = yield* homeWith({
          config: `[default]\nrole_arn = ${ROLE_A}\nsource_profile = base\n`,
          credentials: BASE_KEYS
        })
        const error = yield* failure(
          ProfileCredentials.source().resolve.pipe(withEnv({ HOME: home, AWS_ENDPOINT_URL_STS: sts.url }))
        )
        assert.strictEqual(error.reason._tag, "Transport")
        assert.include(error.message, "HTTP 503")
        assert.isAbove(sts.calls.length, 1)
      })
    )

    it.effect("fails with Misconfigured naming the setting when an endpoint flag is not a boolean", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          config: `[default]\nrole_arn = ${ROLE_A}\nsource_profile = base\nuse_fips_endpoint = maybe\n`,
          credentials: BASE_KEYS
        })
        const error = yield* failure(ProfileCredentials.source().resolve.pipe(withEnv({ HOME: home })))
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, `use_fips_endpoint in profile "default" must be true or false`)
        const badUrl = yield* failure(
          ProfileCredentials.source().resolve.pipe(withEnv({ HOME: home, AWS_ENDPOINT_URL_STS: "not a url" }))
        )
        assert.include(badUrl.message, "AWS_ENDPOINT_URL_STS must be an http or https URL")
      })
    )

    it.effect("uses the environment's keys for credential_source = Environment", () =>
      Effect.gen(function* () {
        const sts = yield* startStsStandIn(ROLES)
        const home = yield* homeWith({ config: `[default]\nrole_arn = ${ROLE_A}\ncredential_source = Environment\n` })
        const env = { HOME: home, AWS_ENDPOINT_URL_STS: sts.url }
        const keys = { AWS_ACCESS_KEY_ID: "AKIDFROMENV", AWS_SECRET_ACCESS_KEY: "env-secret" }
        const credentials = yield* ProfileCredentials.source().resolve.pipe(withEnv({ ...env, ...keys }))
        assert.strictEqual(credentials.accessKeyId, "ASIAROLEA")
        assert.strictEqual(sts.calls[0]?.signedWith, "AKIDFROMENV")
        // The profile asked for the environment: finding nothing there stops a chain.
        const error = yield* failure(ProfileCredentials.source().resolve.pipe(withEnv(env)))
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, "credential_source = Environment, which found no credentials")
      })
    )

    it.live("uses the container endpoint for credential_source = EcsContainer", () =>
      Effect.gen(function* () {
        const sts = yield* startStsStandIn(ROLES)
        const container = yield* emulator(() => ContainerEmulator.start())
        const home = yield* homeWith({ config: `[default]\nrole_arn = ${ROLE_A}\ncredential_source = EcsContainer\n` })
        const credentials = yield* ProfileCredentials.source().resolve.pipe(
          withEnv({ HOME: home, AWS_ENDPOINT_URL_STS: sts.url, AWS_CONTAINER_CREDENTIALS_FULL_URI: container.url })
        )
        assert.strictEqual(credentials.accessKeyId, "ASIAROLEA")
        assert.strictEqual(sts.calls[0]?.signedWith, container.control.current().accessKeyId)
      })
    )

    it.live(
      "uses IMDS at the profile's ec2_metadata_service_endpoint for credential_source = Ec2InstanceMetadata",
      () =>
        Effect.gen(function* () {
          const sts = yield* startStsStandIn(ROLES)
          const imds = yield* emulator(() => ImdsEmulator.start())
          const home = yield* homeWith({
            config: [
              "[default]",
              `role_arn = ${ROLE_A}`,
              "credential_source = Ec2InstanceMetadata",
              `ec2_metadata_service_endpoint = ${imds.url}`
            ].join("\n")
          })
          const credentials = yield* ProfileCredentials.source().resolve.pipe(
            withEnv({ HOME: home, AWS_ENDPOINT_URL_STS: sts.url })
          )
          assert.strictEqual(credentials.accessKeyId, "ASIAROLEA")
          assert.strictEqual(sts.calls[0]?.signedWith, imds.control.current().accessKeyId)
          assert.isAbove(imds.control.requests().length, 0)
        })
    )

    it.effect("keeps CredentialsError the only failure type", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({ config: `[default]\nrole_arn = ${ROLE_A}\nsource_profile = nowhere\n` })
        const error = yield* failure(ProfileCredentials.source().resolve.pipe(withEnv({ HOME: home })))
        assert.isTrue(CredentialsError.is(error))
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, `source_profile "nowhere" named by profile "default" was not found`)
      })
    )
  })
})
