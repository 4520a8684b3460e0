import * as fs from "node:fs"
import * as path from "node:path"

import { CredentialsProvider } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { TestClock } from "effect/testing"

import { ProfileCredentials } from "../src/index.js"
import { captureLogs, failure, homeWith, tempDir, withEnv, writeAwsFiles } from "./support/home.js"

const resolveIn = (home: string, env: Record<string, string> = {}, options?: ProfileCredentials.Options) =>
  ProfileCredentials.source(options).resolve.pipe(withEnv({ HOME: home, ...env }))

/** The default file reader with every call counted. */
const countingReader = Effect.map(ProfileCredentials.FileReader, (reader) => {
  const counts = { stat: 0, read: 0 }
  const counted: ProfileCredentials.FileReaderShape = {
    stat: (file) =>
      Effect.suspend(() => {
        counts.stat++
        return reader.stat(file)
      }),
    read: (file) =>
      Effect.suspend(() => {
        counts.read++
        return reader.read(file)
      })
  }
  return { counts, counted }
})

describe("ProfileCredentials", () => {
  describe("source (real files)", () => {
    it.effect("reads static keys when the files have a BOM and CRLF line ends", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          config: "\uFEFF[default]\r\nregion = eu-west-1\r\n",
          credentials: "\uFEFF[default]\r\naws_access_key_id = AKIDCRLF\r\naws_secret_access_key = crlf-secret\r\n"
        })
        const credentials = yield* resolveIn(home)
        assert.strictEqual(credentials.accessKeyId, "AKIDCRLF")
        assert.strictEqual(Redacted.value(credentials.secretAccessKey), "crlf-secret")
        assert.strictEqual(credentials.source, "profile:default")
      })
    )

    it.effect("ignores comment lines of both kinds and trailing comments after whitespace", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          credentials: [
            "# a hash comment",
            "; a semicolon comment",
            "[default] ; after the header",
            "aws_access_key_id = AKIDCOMMENTS # trailing",
            "aws_secret_access_key = secret;kept ; trailing",
            "aws_account_id = 111122223333"
          ].join("\n")
        })
        const credentials = yield* resolveIn(home)
        assert.strictEqual(credentials.accessKeyId, "AKIDCOMMENTS")
        assert.strictEqual(Redacted.value(credentials.secretAccessKey), "secret;kept")
        assert.strictEqual(credentials.accountId, "111122223333")
      })
    )

    it.effect("selects a profile whose name has dots and other allowed characters", () =>
      Effect.gen(function* () {
        const name = "team.dev_ops-1/x%y@z:w+v"
        const home = yield* homeWith({
          config: `[profile ${name}]\nregion = us-west-2\n`,
          credentials: `[${name}]\naws_access_key_id = AKIDDOTS\naws_secret_access_key = s\n`
        })
        const credentials = yield* resolveIn(home, { AWS_PROFILE: name })
        assert.strictEqual(credentials.accessKeyId, "AKIDDOTS")
        assert.strictEqual(credentials.source, `profile:${name}`)
      })
    )

    it.effect("keeps sub-properties from overriding the profile's own keys", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          config: "[profile sub]\ns3 =\n  aws_access_key_id = AKIDFROMSUB\n  region = x\nregion = us-east-2\n",
          credentials: "[sub]\naws_access_key_id = AKIDPARENT\naws_secret_access_key = s\n"
        })
        const credentials = yield* resolveIn(home, { AWS_PROFILE: "sub" })
        assert.strictEqual(credentials.accessKeyId, "AKIDPARENT")
        const selected = yield* ProfileCredentials.selectedProfileSettings({ profile: "sub" }).pipe(
          withEnv({ HOME: home })
        )
        assert.strictEqual(selected.settings?.region, "us-east-2")
        assert.isFalse(Object.hasOwn(selected.settings ?? {}, "s3"))
      })
    )

    it.effect("uses [profile default] over [default] in the config file, whatever their order", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          config: [
            "[profile default]",
            "aws_access_key_id = AKIDPREFIXED",
            "aws_secret_access_key = s1",
            "[default]",
            "aws_access_key_id = AKIDPLAIN",
            "aws_secret_access_key = s2",
            "region = eu-north-1"
          ].join("\n")
        })
        const credentials = yield* resolveIn(home)
        assert.strictEqual(credentials.accessKeyId, "AKIDPREFIXED")
        const selected = yield* ProfileCredentials.selectedProfileSettings().pipe(withEnv({ HOME: home }))
        // [default] is ignored entirely, not merged.
        assert.isUndefined(selected.settings?.region)
      })
    )

    it.effect("uses [default] of the config file when there is no [profile default]", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          config: "[default]\naws_access_key_id = AKIDPLAIN\naws_secret_access_key = s\n"
        })
        assert.strictEqual((yield* resolveIn(home)).accessKeyId, "AKIDPLAIN")
      })
    )

    it.effect("reads a file that is the only one present and lets the credentials file win a shared key", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          config: "[profile both]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = c\n",
          credentials: "[both]\naws_access_key_id = AKIDCREDENTIALS\n"
        })
        const credentials = yield* resolveIn(home, { AWS_PROFILE: "both" })
        assert.strictEqual(credentials.accessKeyId, "AKIDCREDENTIALS")
        assert.strictEqual(Redacted.value(credentials.secretAccessKey), "c")
      })
    )

    it.effect("follows AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, and options over both", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        fs.writeFileSync(
          path.join(dir, "creds-env"),
          "[default]\naws_access_key_id = AKIDENV\naws_secret_access_key = s\n"
        )
        fs.writeFileSync(
          path.join(dir, "creds-opt"),
          "[default]\naws_access_key_id = AKIDOPT\naws_secret_access_key = s\n"
        )
        const env = {
          AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "creds-env"),
          AWS_CONFIG_FILE: path.join(dir, "none")
        }
        assert.strictEqual((yield* resolveIn(dir, env)).accessKeyId, "AKIDENV")
        const options = { credentialsFile: path.join(dir, "creds-opt") }
        assert.strictEqual((yield* resolveIn(dir, env, options)).accessKeyId, "AKIDOPT")
        const tilde = { credentialsFile: "~/creds-opt" }
        assert.strictEqual((yield* resolveIn(dir, env, tilde)).accessKeyId, "AKIDOPT")
      })
    )

    it.effect("picks up a rotated credentials file on refresh and on the next check", () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(0)
        const home = yield* homeWith({
          credentials: "[default]\naws_access_key_id = AKIDFIRST\naws_secret_access_key = one\n"
        })
        const file = path.join(home, ".aws", "credentials")
        const program = Effect.gen(function* () {
          const provider = yield* CredentialsProvider
          const first = yield* provider.get
          fs.writeFileSync(file, "[default]\naws_access_key_id = AKIDSECOND\naws_secret_access_key = two\n")
          fs.utimesSync(file, new Date(2_000_000_000_000), new Date(2_000_000_000_000))
          const refreshed = yield* provider.refresh
          fs.writeFileSync(file, "[default]\naws_access_key_id = AKIDTHIRD\naws_secret_access_key = three\n")
          fs.utimesSync(file, new Date(2_000_000_100_000), new Date(2_000_000_100_000))
          const beforeCheck = yield* provider.get
          // decisions §22: keys without an expiration are re-checked after 15 minutes.
          yield* TestClock.adjust("16 minutes")
          const afterCheck = yield* provider.get
          return [first, refreshed, beforeCheck, afterCheck].map((credentials) => credentials.accessKeyId)
        })
        const keys = yield* program.pipe(Effect.provide(ProfileCredentials.layer()), withEnv({ HOME: home }))
        assert.deepStrictEqual(keys, ["AKIDFIRST", "AKIDSECOND", "AKIDSECOND", "AKIDTHIRD"])
      })
    )

    it.effect("stats each file once per fetch and reads it again only when it changed", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          config: "[default]\nregion = us-east-1\n",
          credentials: "[default]\naws_access_key_id = AKIDCOUNT\naws_secret_access_key = s\n"
        })
        const { counts, counted } = yield* countingReader
        const fetch = resolveIn(home).pipe(Effect.provideService(ProfileCredentials.FileReader, counted))
        yield* fetch
        assert.deepStrictEqual(counts, { stat: 2, read: 2 })
        yield* fetch
        assert.deepStrictEqual(counts, { stat: 4, read: 2 })
        fs.appendFileSync(path.join(home, ".aws", "config"), "output = json\n")
        yield* fetch
        assert.deepStrictEqual(counts, { stat: 6, read: 3 })
      })
    )

    it.effect("shares one stat per file between the source and selectedProfileSettings under sharedFileReads", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          config: "[default]\nec2_metadata_service_endpoint = http://127.0.0.1:1\n",
          credentials: "[default]\naws_access_key_id = AKIDSHARE\naws_secret_access_key = s\n"
        })
        const { counts, counted } = yield* countingReader
        const [selected, credentials] = yield* ProfileCredentials.sharedFileReads(
          Effect.all([ProfileCredentials.selectedProfileSettings(), ProfileCredentials.source().resolve])
        ).pipe(withEnv({ HOME: home }), Effect.provideService(ProfileCredentials.FileReader, counted))
        assert.deepStrictEqual(counts, { stat: 2, read: 2 })
        assert.strictEqual(selected.settings?.ec2_metadata_service_endpoint, "http://127.0.0.1:1")
        assert.strictEqual(selected.profileSource, "default")
        assert.strictEqual(selected.configFile, path.join(home, ".aws", "config"))
        assert.strictEqual(credentials.accessKeyId, "AKIDSHARE")
      })
    )

    it.effect("fails with Misconfigured naming the file when a profile file is a directory", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({ config: "[default]\n" })
        fs.mkdirSync(path.join(home, ".aws", "credentials"))
        const error = yield* failure(resolveIn(home))
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, path.join(home, ".aws", "credentials"))
        assert.include(error.message, "EISDIR")
      })
    )

    it.effect("fails with Misconfigured naming the file when the reader is refused access", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({ credentials: "[default]\n" })
        const { counted } = yield* countingReader
        const refusing: ProfileCredentials.FileReaderShape = {
          stat: counted.stat,
          read: (file) => Effect.fail(new ProfileCredentials.FileReadError({ path: file, code: "EACCES" }))
        }
        const error = yield* failure(
          resolveIn(home).pipe(Effect.provideService(ProfileCredentials.FileReader, refusing))
        )
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, `${path.join(home, ".aws", "credentials")} exists but cannot be read (EACCES)`)
      })
    )

    it.effect("logs a skipped section at Warning with file and line, once per file version", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          config: "[default]\nregion = us-east-1\n\n[bad name]\nregion = x\n",
          credentials: "[default]\naws_access_key_id = AKIDWARN\naws_secret_access_key = s\n"
        })
        const logs = captureLogs()
        const warnings = () => logs.lines.filter((line) => line.includes('"WARN"'))
        yield* logs.provide(resolveIn(home))
        yield* logs.provide(resolveIn(home))
        assert.strictEqual(warnings().length, 1)
        assert.include(warnings()[0], `${path.join(home, ".aws", "config")}, line 4`)
        fs.appendFileSync(path.join(home, ".aws", "credentials"), "# touched\n")
        yield* logs.provide(resolveIn(home))
        assert.strictEqual(warnings().length, 1, "the config file did not change")
        fs.appendFileSync(path.join(home, ".aws", "config"), "# touched\n")
        yield* logs.provide(resolveIn(home))
        assert.strictEqual(warnings().length, 2)
      })
    )

    it.effect("fails with Misconfigured naming file and line when a file cannot be parsed", () =>
      Effect.gen(function* () {
        const home = yield* tempDir
        writeAwsFiles(home, { config: "[default]\nregion = us-east-1\nno equals sign here\n" })
        const error = yield* failure(resolveIn(home))
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, `${path.join(home, ".aws", "config")}, line 3`)
      })
    )
  })
})
