import * as Util from "node:util"
import { CredentialsProvider, HttpTransport } from "@credkit/core"
import { ImdsEmulator } from "@credkit/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { TestClock } from "effect/testing"
import { afterEach, beforeEach, vi } from "vitest"

import { Ec2Credentials, fromInstanceMetadata } from "../src/index.js"
import { captureLogs, emulator, SECRETS, withEnv } from "./support.js"

const EXT = "/latest/meta-data/iam/security-credentials-extended/"
const DOC = `${EXT}credkit-role`

// Passes requests to the real node:http transport and keeps every IMDS token it sees, so the test knows them.
const tokenSpy = () => {
  const tokens: Array<string> = []
  const real = HttpTransport.HttpTransport.defaultValue()
  const transport: HttpTransport.Shape = {
    request: (request) =>
      real.request(request).pipe(
        Effect.tap((response) =>
          Effect.sync(() => {
            if (request.method === "PUT" && response.status === 200) tokens.push(HttpTransport.text(response).trim())
          })
        )
      )
  }
  return { tokens, transport }
}

const render = (value: unknown): Array<string> => [
  String(value),
  Util.inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
  JSON.stringify(value) ?? "",
  value instanceof Error ? value.message : ""
]

const assertClean = (outputs: ReadonlyArray<string>, secrets: ReadonlyArray<string>) => {
  assert.isAbove(outputs.length, 0)
  for (const output of outputs) {
    for (const secret of secrets)
      assert.notInclude(output, secret, "a secret leaked into logs, errors or inspect output")
  }
}

const document = (fields: Record<string, string>) => JSON.stringify({ Code: "Success", ...fields })

describe("Ec2Credentials", () => {
  beforeEach(() => {
    Ec2Credentials.clearUnreachableMemory()
  })
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  describe("secrets", () => {
    it.effect("never shows the secret key, session token or IMDS token in logs, errors, inspect or JSON", () =>
      Effect.gen(function* () {
        const emu = yield* emulator({ clock: true, credentials: SECRETS })
        const logs = captureLogs()
        const spy = tokenSpy()
        const outputs: Array<string> = []
        const run = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          effect.pipe(
            withEnv({}),
            Effect.provideService(HttpTransport.HttpTransport, spy.transport),
            Effect.provide(logs.layer)
          )
        const program = Effect.gen(function* () {
          const first = yield* CredentialsProvider.use((provider) => provider.get)
          outputs.push(...render(first))
          emu.control.expireTokens()
          outputs.push(...render(yield* CredentialsProvider.use((provider) => provider.refresh)))
          yield* Effect.promise(() => emu.close())
          yield* TestClock.adjust("7 hours")
          outputs.push(...render(yield* CredentialsProvider.use((provider) => provider.get)))
        })
        yield* run(program.pipe(Effect.provide(Ec2Credentials.layer({ endpoint: emu.url }))))
        assert.lengthOf(logs.warnings(), 1)
        assert.isAtLeast(spy.tokens.length, 2)

        const faulty = yield* emulator({ credentials: SECRETS })
        const failures = Ec2Credentials.source({ endpoint: faulty.url })
        for (const fault of [
          { body: document({ AccessKeyId: SECRETS.accessKeyId, SecretAccessKey: SECRETS.secretAccessKey }) },
          { body: document({ ...secretFields, Expiration: `not-a-date ${SECRETS.sessionToken}` }) },
          { body: `${document(secretFields).slice(0, -1)},` },
          { code: "AssumeRoleUnauthorizedAccess" },
          { status: 401 },
          { status: 400 },
          { huge: 70_000 }
        ] satisfies Array<ImdsEmulator.Fault>) {
          faulty.control.clearFaults()
          faulty.control.fault(DOC, fault)
          const exit = yield* Effect.exit(run(failures.resolve))
          assert.isTrue(Exit.isFailure(exit))
          if (Exit.isFailure(exit)) outputs.push(Cause.pretty(exit.cause), ...render(Cause.squash(exit.cause)))
        }

        assertClean([...outputs, ...logs.lines], [SECRETS.secretAccessKey, SECRETS.sessionToken, ...spy.tokens])
        assertClean(logs.lines, [SECRETS.accessKeyId])
      })
    )

    it("keeps the AWS SDK logger and rejections free of secrets through the Promise API", async () => {
      const emu = await ImdsEmulator.start({ credentials: SECRETS })
      vi.stubEnv("AWS_EC2_METADATA_DISABLED", "false")
      vi.stubEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT", emu.url)
      const lines: Array<string> = []
      const record = (...parts: Array<unknown>) => lines.push(parts.map((part) => Util.inspect(part)).join(" "))
      const logger = { debug: record, info: record, warn: record, error: record }

      const identity = await fromInstanceMetadata({ logger })()
      assert.strictEqual(identity.secretAccessKey, SECRETS.secretAccessKey)
      emu.control.fault(DOC, { body: document({ ...secretFields, Expiration: "2026-02-30T00:00:00Z" }) })
      const error = await fromInstanceMetadata({ logger })().then(
        () => undefined,
        (rejected: unknown) => rejected
      )
      await emu.close()

      assert.isDefined(error)
      assert.isAbove(lines.length, 3)
      assertClean([...lines, ...render(error)], [SECRETS.secretAccessKey, SECRETS.sessionToken])
    })
  })
})

const secretFields = {
  AccessKeyId: SECRETS.accessKeyId,
  SecretAccessKey: SECRETS.secretAccessKey,
  Token: SECRETS.sessionToken
}
