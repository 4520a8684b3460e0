import * as Util from "node:util"
import { CredentialsProvider } from "@credkit/core"
import { ContainerEmulator } from "@credkit/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"
import { afterEach } from "vitest"

import { ContainerCredentials, fromContainerMetadata } from "../src/index.js"
import { boundaryLayer, captureLogs, fakeTransport, json, violations } from "./helpers/fakes.js"
import {
  AUTH_TOKEN,
  credentialsDocument,
  SECRET_ACCESS_KEY,
  SESSION_TOKEN,
  setContainerEnv,
  tempDir,
  withTimePassing,
  writeToken
} from "./helpers/fixtures.js"

afterEach(() => {
  assert.deepStrictEqual(violations.splice(0), [])
})

const SECRETS = [SECRET_ACCESS_KEY, SESSION_TOKEN, AUTH_TOKEN]

const assertNoSecret = (what: string, text: string) => {
  for (const secret of SECRETS) assert.notInclude(text, secret, `${what} leaks a secret`)
}

const everyView = (value: unknown): string =>
  [
    Util.inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    JSON.stringify(value),
    String(value)
  ].join("\n")

// A tracer that keeps every span, so attributes, events and exits can be searched.
const recordingTracer = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const exits: Array<Exit.Exit<unknown, unknown>> = []
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      const end = span.end.bind(span)
      span.end = (endTime, exit) => {
        exits.push(exit)
        end(endTime, exit)
      }
      spans.push(span)
      return span
    }
  })
  const dump = () =>
    spans
      .map((span) => `${span.name} ${Util.inspect([...span.attributes])} ${Util.inspect(span.events, { depth: 5 })}`)
      .concat(exits.map((exit) => (Exit.isFailure(exit) ? everyView(exit.cause) : "")))
      .join("\n")
  return { tracer, spans, dump }
}

const EKS = {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
  AWS_CONTAINER_AUTHORIZATION_TOKEN: AUTH_TOKEN
}

// Answers that carry the fixture secrets in a body the decoder must refuse without quoting it.
const BAD_ANSWERS = [
  json(200, `{"AccessKeyId":"ASIA","SecretAccessKey":"${SECRET_ACCESS_KEY}","Token":"${SESSION_TOKEN}",`),
  json(200, credentialsDocument({ Expiration: undefined })),
  json(500, { code: "Internal", detail: SECRET_ACCESS_KEY }),
  json(403, `<html>${SESSION_TOKEN}</html>`)
]

describe("ContainerCredentials", () => {
  describe("secrets", () => {
    it.effect("keeps the secret key, session token and authorization token out of logs, spans and results", () =>
      Effect.gen(function* () {
        const logs = captureLogs()
        const traces = recordingTracer()
        const transport = fakeTransport(() => json(200, credentialsDocument()))
        const credentials = yield* CredentialsProvider.use((provider) => provider.get).pipe(
          Effect.provide(ContainerCredentials.layer().pipe(Layer.provide(boundaryLayer(EKS, transport.shape)))),
          Effect.provide(logs.layer),
          Effect.provideService(Tracer.Tracer, traces.tracer)
        )
        assert.strictEqual(transport.calls[0]?.headers["authorization"], AUTH_TOKEN)
        assert.isAbove(logs.lines.length, 2)
        assert.isTrue(traces.spans.some((span) => span.name === "ContainerCredentials.resolve"))
        assertNoSecret("logs", logs.lines.join("\n"))
        assertNoSecret("spans", traces.dump())
        assertNoSecret("credentials", everyView(credentials))
      })
    )

    it.effect("keeps them out of every error, its logs and its spans", () =>
      Effect.gen(function* () {
        const tokenFile = writeToken(tempDir(), `${AUTH_TOKEN}\n`)
        const scenarios: ReadonlyArray<readonly [Record<string, string>, ReturnType<typeof fakeTransport>]> = [
          ...BAD_ANSWERS.map((answer) => [EKS, fakeTransport(() => answer)] as const),
          [{ ...EKS, AWS_CONTAINER_AUTHORIZATION_TOKEN: `${AUTH_TOKEN}\r\n` }, fakeTransport(() => json(200, {}))],
          [{ ...EKS, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile }, fakeTransport(() => json(200, {}))],
          [
            { ...EKS, AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://user:${AUTH_TOKEN}@127.0.0.1/c` },
            fakeTransport(() => json(200, {}))
          ]
        ]
        for (const [env, transport] of scenarios) {
          const logs = captureLogs()
          const traces = recordingTracer()
          const error = yield* Effect.flip(
            withTimePassing(
              CredentialsProvider.use((provider) => provider.get).pipe(
                Effect.provide(ContainerCredentials.layer().pipe(Layer.provide(boundaryLayer(env, transport.shape)))),
                Effect.provide(logs.layer),
                Effect.provideService(Tracer.Tracer, traces.tracer)
              )
            )
          )
          assertNoSecret("error", `${error.message}\n${everyView(error)}`)
          assertNoSecret("logs", logs.lines.join("\n"))
          assertNoSecret("spans", traces.dump())
        }
      })
    )

    it.live("keeps them out of what the Promise API logs and rejects with", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const running = yield* Effect.acquireRelease(
            Effect.promise(() =>
              ContainerEmulator.start({
                token: AUTH_TOKEN,
                credentials: {
                  accessKeyId: "ASIAEMULATED",
                  secretAccessKey: SECRET_ACCESS_KEY,
                  sessionToken: SESSION_TOKEN
                }
              })
            ),
            (emulator) => Effect.promise(() => emulator.close())
          )
          const lines: Array<string> = []
          const record = (...content: Array<unknown>) => lines.push(Util.inspect(content, { depth: 5 }))
          const logger = { debug: record, info: record, warn: record, error: record }
          const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: running.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: AUTH_TOKEN }
          const restore = setContainerEnv(env)
          const outcome = yield* Effect.promise(async () => {
            const identity = await fromContainerMetadata({ logger })()
            running.control.fault("*", { status: 403 })
            const error = await fromContainerMetadata({ logger, maxAttempts: 1 })().then(
              () => undefined,
              (rejected: unknown) => rejected
            )
            return { identity, error }
          }).pipe(Effect.ensuring(Effect.sync(restore)))
          assert.strictEqual(outcome.identity.secretAccessKey, SECRET_ACCESS_KEY)
          assert.isDefined(outcome.error)
          assert.isAbove(lines.length, 2)
          assertNoSecret("logger", lines.join("\n"))
          assertNoSecret("rejection", everyView(outcome.error))
          assertNoSecret("emulator request log", JSON.stringify(running.control.requests()))
        })
      )
    )
  })
})
