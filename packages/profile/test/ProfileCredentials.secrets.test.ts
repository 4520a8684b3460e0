import * as util from "node:util"

import { CredentialsProvider } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

import { ProfileCredentials } from "../src/index.js"
import { captureLogs, homeWith, withEnv } from "./support/home.js"
import { startStsStandIn } from "./support/stsStandIn.js"

const SECRETS = [
  "FIXTURE-STATIC-SECRET-a1",
  "FIXTURE-STATIC-TOKEN-b2",
  "FIXTURE-PROCESS-SECRET-c3",
  "FIXTURE-PROCESS-TOKEN-d4",
  "FIXTURE-PROCESS-OUTPUT-e5",
  "FIXTURE-ROLE-SECRET-f6",
  "FIXTURE-ROLE-TOKEN-g7",
  "FIXTURE-MALFORMED-SECRET-h8"
]

const ROLE = "arn:aws:iam::123456789012:role/Secretive"

const processOutput = JSON.stringify({
  Version: 1,
  AccessKeyId: "AKIDPROCESS",
  SecretAccessKey: SECRETS[2],
  SessionToken: SECRETS[3],
  Expiration: "2030-01-01T00:00:00Z"
})

const CONFIG = [
  "[profile static]",
  "region = us-east-1",
  "[profile process]",
  `credential_process = printf '%s' '${processOutput}'`,
  "[profile failing]",
  `credential_process = echo '${SECRETS[4]} ${SECRETS[2]}'; exit 2`,
  "[profile garbage]",
  `credential_process = echo '${SECRETS[4]}'`,
  "[profile role]",
  `role_arn = ${ROLE}`,
  "source_profile = static",
  "[profile denied]",
  "role_arn = arn:aws:iam::123456789012:role/Nope",
  "source_profile = static",
  "[profile invalid names]",
  `aws_secret_access_key = ${SECRETS[7]}`,
  "[profile badkey]",
  `bad key = ${SECRETS[7]}`,
  ""
].join("\n")

const CREDENTIALS = `[static]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = ${SECRETS[0]}\naws_session_token = ${SECRETS[1]}\n`

describe("ProfileCredentials", () => {
  describe("secrets", () => {
    it.effect("never appear in logs, errors, inspect or JSON of results", () =>
      Effect.gen(function* () {
        const sts = yield* startStsStandIn({
          [ROLE]: { accessKeyId: "ASIAROLE", secretAccessKey: SECRETS[5] ?? "", sessionToken: SECRETS[6] ?? "" }
        })
        const home = yield* homeWith({ config: CONFIG, credentials: CREDENTIALS })
        const logs = captureLogs()
        const texts: Array<string> = []

        for (const profile of ["static", "process", "failing", "garbage", "role", "denied", "badkey", "missing"]) {
          const exit = yield* CredentialsProvider.use((provider) => provider.get).pipe(
            Effect.provide(ProfileCredentials.layer({ profile })),
            withEnv({ HOME: home, AWS_ENDPOINT_URL_STS: sts.url }),
            logs.provide,
            Effect.exit
          )
          texts.push(util.inspect(exit, { depth: 20 }), JSON.stringify(exit))
          if (Exit.isSuccess(exit)) texts.push(String(exit.value.secretAccessKey), JSON.stringify(exit.value))
          else {
            const error = exit.cause.reasons[0]
            if (error?._tag === "Fail") texts.push(error.error.message, String(error.error), error.error.stack ?? "")
          }
        }
        // A syntax error on a line holding a secret.
        const broken = yield* homeWith({ credentials: `[default]\naws_secret_access_key ${SECRETS[7]}\n` })
        const parseExit = yield* ProfileCredentials.source().resolve.pipe(
          withEnv({ HOME: broken }),
          logs.provide,
          Effect.exit
        )
        texts.push(util.inspect(parseExit, { depth: 20 }), JSON.stringify(parseExit))

        texts.push(...logs.lines)
        assert.isAbove(logs.lines.length, 10)
        assert.isTrue(logs.lines.some((line) => line.includes("DEBUG")))
        const all = texts.join("\n")
        for (const secret of SECRETS) assert.notInclude(all, secret)
        // The successful fetches really carried the fixture secrets.
        assert.isTrue(texts.some((text) => text.includes("ASIAROLE")))
        assert.isTrue(texts.some((text) => text.includes("AKIDPROCESS")))
      })
    )
  })
})
