import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import * as util from "node:util"

import type { CredentialsError } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

import { ProfileCredentials } from "../src/index.js"
import { failure, homeWith, tempDir, withEnv } from "./support/home.js"

// Distinctive strings the process prints; no error may repeat them.
const STDOUT_MARKER = "PROCESS-STDOUT-MARKER-7f3a"
const SECRET = "process-secret-9c1e"
const TOKEN = "process-token-2b8d"

const document = (fields: Record<string, unknown>) => JSON.stringify(fields)
const shellQuote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`
const printing = (text: string) => `printf '%s' ${shellQuote(text)}`

const withProcess = (command: string, options?: ProfileCredentials.Options) =>
  Effect.gen(function* () {
    const home = yield* homeWith({
      config: `[profile proc]\ncredential_process = ${command}\naws_account_id = 999999999999\n`
    })
    return yield* ProfileCredentials.source({ profile: "proc", ...options }).resolve.pipe(withEnv({ HOME: home }))
  })

const assertQuiet = (error: CredentialsError) => {
  for (const text of [error.message, String(error), JSON.stringify(error), util.inspect(error, { depth: 10 })]) {
    for (const secret of [STDOUT_MARKER, SECRET, TOKEN]) assert.notInclude(text, secret)
  }
}

const runPosix = process.platform === "win32" ? describe.skip : describe

runPosix("ProfileCredentials", () => {
  describe("source (credential_process)", () => {
    it.effect("returns the process's credentials with their expiration, labelled process:<profile>", () =>
      Effect.gen(function* () {
        const output = document({
          Version: 1,
          AccessKeyId: "AKIDPROCESS",
          SecretAccessKey: SECRET,
          SessionToken: TOKEN,
          Expiration: "2030-01-02T03:04:05Z",
          AccountId: "123456789012"
        })
        const credentials = yield* withProcess(printing(output))
        assert.strictEqual(credentials.accessKeyId, "AKIDPROCESS")
        assert.strictEqual(Redacted.value(credentials.secretAccessKey), SECRET)
        assert.strictEqual(credentials.sessionToken && Redacted.value(credentials.sessionToken), TOKEN)
        assert.strictEqual(credentials.expiration?.toISOString(), "2030-01-02T03:04:05.000Z")
        assert.strictEqual(credentials.accountId, "123456789012")
        assert.strictEqual(credentials.source, "process:proc")
      })
    )

    it.effect("returns credentials that never expire when the output has no Expiration", () =>
      Effect.gen(function* () {
        const output = document({ Version: 1, AccessKeyId: "AKIDFOREVER", SecretAccessKey: SECRET })
        const credentials = yield* withProcess(printing(output))
        assert.isUndefined(credentials.expiration)
        assert.isUndefined(credentials.sessionToken)
        // Without AccountId in the output, aws_account_id of the profile is used.
        assert.strictEqual(credentials.accountId, "999999999999")
      })
    )

    it.effect("fails with InvalidResponse naming the profile when the process exits non-zero", () =>
      Effect.gen(function* () {
        const error = yield* failure(withProcess(`echo ${STDOUT_MARKER}; exit 3`))
        assert.strictEqual(error.reason._tag, "InvalidResponse")
        assert.strictEqual(error.source, "process:proc")
        assert.include(error.message, `credential_process of profile "proc" exited with code 3`)
        assertQuiet(error)
      })
    )

    it.effect("fails with InvalidResponse when the process prints something that is not JSON", () =>
      Effect.gen(function* () {
        const error = yield* failure(withProcess(`echo '${STDOUT_MARKER} ${SECRET}'`))
        assert.strictEqual(error.reason._tag, "InvalidResponse")
        assert.include(error.message, "did not print a JSON document")
        assertQuiet(error)
      })
    )

    it.effect("fails with InvalidResponse when the output lacks Version, or has another one", () =>
      Effect.gen(function* () {
        const fields = { AccessKeyId: STDOUT_MARKER, SecretAccessKey: SECRET, SessionToken: TOKEN }
        const missing = yield* failure(withProcess(printing(document(fields))))
        assert.strictEqual(missing.reason._tag, "InvalidResponse")
        assert.include(missing.message, "without the required Version field")
        assertQuiet(missing)
        const other = yield* failure(withProcess(printing(document({ ...fields, Version: 2 }))))
        assert.include(other.message, "a Version other than 1")
        assertQuiet(other)
      })
    )

    it.effect("fails with InvalidResponse when the output is larger than 64 KiB", () =>
      Effect.gen(function* () {
        const error = yield* failure(withProcess("head -c 200000 /dev/zero | tr '\\0' a"))
        assert.strictEqual(error.reason._tag, "InvalidResponse")
        assert.include(error.message, "printed more than 65536 bytes")
      })
    )

    it.live("stops a process that runs past its timeout and fails with Transport (timeout)", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const pidFile = path.join(dir, "pid")
        const error = yield* failure(
          withProcess(`echo $$ > ${shellQuote(pidFile)}; exec sleep 30`, { credentialProcessTimeout: "1 second" })
        )
        assert.strictEqual(error.reason._tag, "Transport")
        assert.strictEqual(error.reason._tag === "Transport" && error.reason.kind, "timeout")
        assert.include(error.message, `credential_process of profile "proc" did not finish within`)
        const pid = Number(fs.readFileSync(pidFile, "utf8"))
        assert.throws(() => process.kill(pid, 0), /ESRCH/)
      })
    )

    it.live("passes the process's standard error through to the parent's", () =>
      Effect.gen(function* () {
        const home = yield* homeWith({
          config: [
            "[default]",
            `credential_process = echo STDERR-MARKER-51d0 >&2; ${printing(document({ Version: 1, AccessKeyId: "AKIDSTDERR", SecretAccessKey: "s" }))}`
          ].join("\n")
        })
        const dist = pathToFileURL(path.resolve(import.meta.dirname, "../dist/index.mjs")).href
        assert.isTrue(fs.existsSync(new URL(dist)), "the package is built (pnpm exec tsdown)")
        const program = `const { fromProfile } = await import(${JSON.stringify(dist)})
          const identity = await fromProfile()()
          process.stdout.write(identity.accessKeyId + " " + identity.source)`
        const { stdout, stderr } = yield* Effect.promise(() =>
          util.promisify(execFile)(process.execPath, ["--input-type=module", "-e", program], {
            env: { PATH: process.env.PATH ?? "", HOME: home }
          })
        )
        assert.strictEqual(stdout, "AKIDSTDERR process:default")
        assert.include(stderr, "STDERR-MARKER-51d0")
      })
    )
  })
})
