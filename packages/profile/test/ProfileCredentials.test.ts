import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"

import { CredentialsProvider } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { TestClock } from "effect/testing"

import { ProfileCredentials } from "../src/index.js"
import { failure, homeWith, tempDir, withEnv } from "./support/home.js"
import { ReplayHandler, readTraffic } from "./support/replay.js"

const CHAIN_VECTORS = path.resolve(import.meta.dirname, "../../../../shared/vectors/default-credential-provider-chain")

const KEYS = "aws_access_key_id = AKIDKEYS\naws_secret_access_key = s\n"

const resolveWith = (env: Record<string, string>, options?: ProfileCredentials.Options) =>
  ProfileCredentials.source(options).resolve.pipe(withEnv(env))

/** A chain scenario's files in a temporary root: `/token.jwt` and `/home` become paths under it. */
const scenario = (name: string) =>
  Effect.gen(function* () {
    const root = yield* tempDir
    const dir = path.join(CHAIN_VECTORS, name)
    fs.cpSync(path.join(dir, "fs"), root, { recursive: true })
    const config = path.join(root, "home", ".aws", "config")
    if (fs.existsSync(config)) {
      fs.writeFileSync(config, fs.readFileSync(config, "utf8").replaceAll("/token.jwt", path.join(root, "token.jwt")))
    }
    const recorded: Record<string, string> = JSON.parse(fs.readFileSync(path.join(dir, "env.json"), "utf8"))
    const env = Object.fromEntries(
      Object.entries(recorded).map(([key, value]) => [
        key,
        value === "/home" ? path.join(root, "home") : value.replace("/token.jwt", path.join(root, "token.jwt"))
      ])
    )
    const handler = new ReplayHandler(readTraffic(path.join(dir, "http-traffic.json")))
    const injected = Effect.provideService(
      ProfileCredentials.StsClientFactory,
      ProfileCredentials.stsClientFactory({ requestHandler: handler })
    )
    return { env, handler, injected }
  })

/** Sets a variable of the real process for the test's scope: the AWS SDK's SSO token lookup reads HOME itself. */
const processEnv = (name: string, value: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const previous = process.env[name]
      process.env[name] = value
      return previous
    }),
    (previous) =>
      Effect.sync(() => {
        if (previous === undefined) delete process.env[name]
        else process.env[name] = previous
      })
  )

describe("ProfileCredentials", () => {
  describe("source (selection)", () => {
    it.effect("fails with Unavailable when there are no profile files", () =>
      Effect.gen(function* () {
        const home = yield* tempDir
        const error = yield* failure(resolveWith({ HOME: home }))
        assert.strictEqual(error.reason._tag, "Unavailable")
        assert.isTrue(error.tryNextLink)
        assert.include(error.message, `no profile files: neither ${path.join(home, ".aws", "config")} nor`)
      })
    )

    it.effect("fails with Unavailable when the default profile is not defined and none was chosen", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({ config: `[profile notdefault]\n${KEYS}` })
        const error = yield* failure(resolveWith({ HOME: home }))
        assert.strictEqual(error.reason._tag, "Unavailable")
        assert.include(error.message, `profile "default" is not defined in`)
      })
    )

    it.effect("fails with Unavailable when the profile has no credential settings", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({ config: "[default]\nregion = us-east-1\n" })
        const error = yield* failure(resolveWith({ HOME: home }))
        assert.strictEqual(error.reason._tag, "Unavailable")
        assert.include(error.message, `profile "default" has no credentials`)
      })
    )

    it.effect("fails with Misconfigured listing up to 10 profiles when AWS_PROFILE names a missing profile", () =>
      Effect.gen(function* () {
        const names = Array.from({ length: 12 }, (_, index) => `p${String(index).padStart(2, "0")}`)
        const home = yield* homeWith({ credentials: names.map((name) => `[${name}]\n${KEYS}`).join("") })
        const error = yield* failure(resolveWith({ HOME: home, AWS_PROFILE: "prod" }))
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.isFalse(error.tryNextLink)
        assert.include(
          error.message,
          `profile "prod" (chosen by AWS_PROFILE) not found in ${path.join(home, ".aws", "config")} or`
        )
        assert.strictEqual(error.reason.hint, `available profiles: ${names.slice(0, 10).join(", ")} and 2 more`)
      })
    )

    it.effect("uses AWS_DEFAULT_PROFILE when AWS_PROFILE is blank, and the option over both", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          credentials: `[fallback]\n${KEYS}[chosen]\naws_access_key_id = AKIDCHOSEN\naws_secret_access_key = s\n`
        })
        const env = { HOME: home, AWS_PROFILE: "  ", AWS_DEFAULT_PROFILE: "fallback" }
        assert.strictEqual((yield* resolveWith(env)).source, "profile:fallback")
        assert.strictEqual((yield* resolveWith(env, { profile: "chosen" })).accessKeyId, "AKIDCHOSEN")
        const error = yield* failure(resolveWith({ ...env, AWS_DEFAULT_PROFILE: "gone" }))
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, "(chosen by AWS_DEFAULT_PROFILE)")
      })
    )

    it.effect("fails with Misconfigured naming the loop when source_profile settings form a cycle", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          config: [
            "[default]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = B",
            "[profile B]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = default"
          ].join("\n")
        })
        const error = yield* failure(resolveWith({ HOME: home }))
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, "infinite loop: profile default → B → default")
      })
    )

    it.effect("fails with Misconfigured naming the missing key when static keys are partial", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({ credentials: "[default]\naws_access_key_id = AKIDHALF\n" })
        const error = yield* failure(resolveWith({ HOME: home }))
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, "aws_secret_access_key is missing")
      })
    )
  })

  describe("layer / layerConfig", () => {
    it.effect("provides CredentialsProvider with options read through Config", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({ credentials: `[other]\n${KEYS}` })
        const credentials = yield* CredentialsProvider.use((provider) => provider.get).pipe(
          Effect.provide(ProfileCredentials.layerConfig({ profile: Config.String("APP_PROFILE") })),
          withEnv({ HOME: home, APP_PROFILE: "other" })
        )
        assert.strictEqual(credentials.source, "profile:other")
        const invalid = yield* Effect.flip(
          CredentialsProvider.use((provider) => provider.get).pipe(
            Effect.provide(ProfileCredentials.layerConfig({ profile: Config.String("APP_PROFILE") })),
            withEnv({ HOME: home })
          )
        )
        assert.strictEqual(invalid._tag, "ConfigError")
        assert.include(invalid.message, "APP_PROFILE")
      })
    )
  })

  describe("source (delegated: web identity and SSO)", () => {
    it.effect("assumes the role of a profile's web_identity_token_file through fromTokenFile", () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(0)
        const { env, handler, injected } = yield* scenario("web_identity_token_profile")
        const credentials = yield* resolveWith(env).pipe(injected)
        assert.strictEqual(credentials.accessKeyId, "ASIARABCDEFGHIJKLMNOP")
        assert.strictEqual(credentials.sessionToken && Redacted.value(credentials.sessionToken), "TESTSESSIONTOKEN")
        assert.strictEqual(credentials.accountId, "123456789012")
        assert.strictEqual(credentials.source, "web-identity")
        assert.deepStrictEqual(handler.urls, ["https://sts.us-east-1.amazonaws.com/"])
      })
    )

    it.effect("fails with Unauthorized when STS refuses the web identity token", () =>
      Effect.gen(function* () {
        const { env, injected } = yield* scenario("web_identity_token_invalid_jwt")
        const error = yield* failure(resolveWith(env).pipe(injected))
        assert.strictEqual(error.reason._tag, "Unauthorized")
        assert.strictEqual(error.source, "web-identity")
        assert.include(error.message, "InvalidIdentityToken")
      })
    )

    it.effect("webIdentitySource assumes the role named by AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE", () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(0)
        const { env, handler, injected } = yield* scenario("web_identity_token_env")
        const credentials = yield* ProfileCredentials.webIdentitySource().resolve.pipe(withEnv(env), injected)
        assert.strictEqual(credentials.accessKeyId, "AKIDTEST")
        assert.strictEqual(credentials.expiration?.getTime(), 1629147173 * 1000)
        assert.strictEqual(credentials.source, "web-identity")
        assert.deepStrictEqual(handler.urls, ["https://sts.eu-west-1.amazonaws.com/"])
      })
    )

    it.effect("webIdentitySource is Unavailable without a token file and Misconfigured without a role", () =>
      Effect.gen(function* () {
        const home = yield* tempDir
        const absent = yield* failure(ProfileCredentials.webIdentitySource().resolve.pipe(withEnv({ HOME: home })))
        assert.strictEqual(absent.reason._tag, "Unavailable")
        assert.strictEqual(absent.source, "web-identity")
        const env = { HOME: home, AWS_WEB_IDENTITY_TOKEN_FILE: path.join(home, "token") }
        const partial = yield* failure(ProfileCredentials.webIdentitySource().resolve.pipe(withEnv(env)))
        assert.strictEqual(partial.reason._tag, "Misconfigured")
        assert.include(partial.message, "AWS_ROLE_ARN is not")
      })
    )

    it.effect("gets SSO role credentials through fromSSO, labelled sso:<profile>", () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(0)
        const startUrl = "https://example.awsapps.com/start"
        const home = yield* homeWith({
          config: [
            "[profile dev]",
            `sso_start_url = ${startUrl}`,
            "sso_region = eu-central-1",
            "sso_account_id = 111122223333",
            "sso_role_name = Developer"
          ].join("\n")
        })
        const cache = path.join(home, ".aws", "sso", "cache")
        fs.mkdirSync(cache, { recursive: true })
        const hash = crypto.createHash("sha1").update(startUrl).digest("hex")
        const token = {
          accessToken: "sso-access-token",
          expiresAt: "2999-01-01T00:00:00Z",
          region: "eu-central-1",
          startUrl
        }
        fs.writeFileSync(path.join(cache, `${hash}.json`), JSON.stringify(token))
        yield* processEnv("HOME", home)
        const body = JSON.stringify({
          roleCredentials: {
            accessKeyId: "ASIASSO",
            secretAccessKey: "sso-secret",
            sessionToken: "sso-session",
            expiration: 4_102_444_800_000
          }
        })
        const handler = new ReplayHandler([
          {
            uri: "https://portal.sso.eu-central-1.amazonaws.com/federation/credentials?account_id=111122223333&role_name=Developer",
            method: "GET",
            status: 200,
            headers: { "content-type": "application/json" },
            body
          }
        ])
        const credentials = yield* resolveWith({ HOME: home, AWS_PROFILE: "dev" }).pipe(
          Effect.provideService(
            ProfileCredentials.StsClientFactory,
            ProfileCredentials.stsClientFactory({ requestHandler: handler })
          )
        )
        assert.strictEqual(credentials.accessKeyId, "ASIASSO")
        assert.strictEqual(credentials.source, "sso:dev")
        assert.strictEqual(credentials.expiration?.toISOString(), "2100-01-01T00:00:00.000Z")
        assert.strictEqual(handler.urls.length, 1)
      })
    )
  })
})
