/**
 * Fuzzing of the credential document decoders of the IMDS and container adapters through their public sources,
 * with a fake transport in place of the network: arbitrary bytes, arbitrary JSON and mutations of a valid document
 * give credentials or a typed `CredentialsError`, never a defect, and an error never carries the planted secret or
 * more than a bounded slice of the body.
 */
import { type AwsCredentials, CredentialsError, HttpTransport } from "@credkit/core"
import { Ec2Credentials } from "@credkit/ec2"
import { ContainerCredentials } from "@credkit/ecs"
import { describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as References from "effect/References"
import * as fc from "fast-check"

import { errorViews, everyView } from "./support/secrets.js"

// A value planted wherever a secret may sit; it must never come back in an error.
const MARKER = "fuzz-planted-secret-Tq4Wv8Xy2Zb6"
const IMDS = "http://127.0.0.1:1338"
const CONTAINER = "http://127.0.0.1:1339/v1/credentials"
// Longer than any fixed text an error message carries plus the bounded server code and message.
const MAX_MESSAGE = 1_200
const RUNS = 250

const encode = (text: string): Uint8Array => new TextEncoder().encode(text)

const reply = (status: number, body: Uint8Array): HttpTransport.Response => ({ status, headers: {}, body })

const imdsTransport = (document: Uint8Array): HttpTransport.Shape => ({
  request: (request) =>
    Effect.sync(() => {
      const path = new URL(request.url).pathname
      if (request.method === "PUT") return reply(200, encode("fuzz-imds-token"))
      if (path.endsWith("/")) return reply(200, encode("fuzz-role"))
      return reply(200, document)
    })
})

const containerTransport = (status: number, body: Uint8Array): HttpTransport.Shape => ({
  request: () => Effect.succeed(reply(status, body))
})

type Outcome = Exit.Exit<AwsCredentials.AwsCredentials, CredentialsError>

const imdsOutcome = (document: Uint8Array): Promise<Outcome> =>
  Effect.runPromiseExit(
    Ec2Credentials.source({ endpoint: IMDS, maxAttempts: 1 }).resolve.pipe(
      Effect.provideService(HttpTransport.HttpTransport, imdsTransport(document)),
      Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord({})),
      Effect.provideService(References.MinimumLogLevel, "None")
    )
  )

const containerOutcome = (status: number, body: Uint8Array): Promise<Outcome> =>
  Effect.runPromiseExit(
    ContainerCredentials.source({ maxAttempts: 1 }).resolve.pipe(
      Effect.provideService(HttpTransport.HttpTransport, containerTransport(status, body)),
      Effect.provideService(
        ConfigProvider.ConfigProvider,
        ConfigProvider.fromEnvRecord({ AWS_CONTAINER_CREDENTIALS_FULL_URI: CONTAINER })
      ),
      Effect.provideService(References.MinimumLogLevel, "None")
    )
  )

/** Credentials, or one typed error whose views hold neither the planted secret nor an unbounded message. */
const assertTyped = (exit: Outcome, echoable: ReadonlyArray<string> = []): void => {
  if (Exit.isSuccess(exit)) {
    const shown = everyView(exit.value)
    if (shown.includes(MARKER)) throw new Error("decoded credentials show the planted secret")
    return
  }
  const failure = Cause.findErrorOption(exit.cause)
  if (failure._tag === "None" || !CredentialsError.is(failure.value) || Cause.hasDies(exit.cause)) {
    throw new Error(`not a typed failure: ${Cause.pretty(exit.cause).slice(0, 500)}`)
  }
  const error = failure.value
  if (error.message.length > MAX_MESSAGE) throw new Error(`an error message of ${error.message.length} characters`)
  const views = errorViews(error)
  if (views.includes(MARKER) && !echoable.some((field) => field.includes(MARKER))) {
    throw new Error(`the error echoes the planted secret: ${error.message}`)
  }
}

// Values a field may hold: the planted secret, any JSON, strings, dates in and out of format.
const fieldValue = fc.oneof(
  fc.constant(MARKER),
  fc.string().map((text) => `${text}${MARKER}`),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom("2030-01-01T00:00:00Z", "2001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "soon", "", null)
)

// Documents with the real field names (and others); Code and Message, which IMDS errors repeat on purpose, and the
// account id never carry the planted secret.
const documentObject = fc
  .record(
    {
      AccessKeyId: fc.oneof(fc.constant("ASIAFUZZ0000000000001"), fc.string(), fc.integer()),
      SecretAccessKey: fieldValue,
      Token: fieldValue,
      Expiration: fieldValue,
      // The account id is shown on purpose: no planted secret there.
      AccountId: fc.oneof(fc.constant("123456789012"), fc.jsonValue({ maxDepth: 1 })),
      Code: fc.oneof(fc.constant("Success"), fc.string({ maxLength: 200 }), fc.integer()),
      Message: fc.string({ maxLength: 500 }),
      extra: fc.dictionary(fc.string(), fieldValue, { maxKeys: 3 })
    },
    { requiredKeys: [] }
  )
  .map(({ extra, ...fields }) => ({ ...fields, ...extra }))

const validImds = JSON.stringify({
  SecretAccessKey: MARKER,
  Token: `${MARKER}-token`,
  AccessKeyId: "ASIAFUZZ0000000000001",
  Expiration: "2030-01-01T00:00:00Z",
  Code: "Success"
})

// Truncations, deleted ranges and replaced bytes of a valid document; Code comes last so no mutation can move the
// planted secret into it.
const mutated = (valid: string) =>
  fc
    .tuple(fc.nat(valid.length), fc.nat(valid.length), fc.nat(255), fc.constantFrom("cut", "delete", "replace"))
    .map(([a, b, byte, how]) => {
      const bytes = encode(valid)
      const [from, to] = a <= b ? [a, b] : [b, a]
      if (how === "cut") return bytes.subarray(0, from)
      if (how === "delete") return Uint8Array.from([...bytes.subarray(0, from), ...bytes.subarray(to)])
      const copy = Uint8Array.from(bytes)
      if (from < copy.length) copy[from] = byte
      return copy
    })

const anyBody = fc.oneof(
  fc.uint8Array({ maxLength: 2_048 }),
  fc.jsonValue().map((value) => encode(JSON.stringify(value) ?? "null")),
  documentObject.map((document) => encode(JSON.stringify(document))),
  mutated(validImds)
)

describe("Decoders", () => {
  describe("Ec2Credentials.source", () => {
    it("gives credentials or a typed error that never echoes the document, for any document", async () => {
      await fc.assert(
        fc.asyncProperty(anyBody, async (body) => {
          const text = new TextDecoder().decode(body)
          // IMDS repeats Code and Message when Code is not Success (decisions §9).
          assertTyped(await imdsOutcome(body), codeAndMessage(text))
        }),
        { numRuns: RUNS }
      )
    })
  })

  describe("ContainerCredentials.source", () => {
    it("gives credentials or a typed error that never echoes the document, for any 200 body", async () => {
      await fc.assert(
        fc.asyncProperty(anyBody, async (body) => {
          assertTyped(await containerOutcome(200, body))
        }),
        { numRuns: RUNS }
      )
    })

    it("keeps error bodies to a bounded code and message, for any status and body", async () => {
      const errorBody = fc.oneof(
        fc.uint8Array({ maxLength: 1_024 }),
        fc
          .record({ code: fc.string({ maxLength: 300 }), message: fc.string({ maxLength: 2_000 }), detail: fieldValue })
          .map((value) => encode(JSON.stringify(value)))
      )
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(400, 401, 403, 404, 429, 500, 502, 503), errorBody, async (status, body) => {
          const exit = await containerOutcome(status, body)
          if (Exit.isSuccess(exit)) throw new Error(`status ${status} gave credentials`)
          assertTyped(exit)
        }),
        { numRuns: RUNS }
      )
    })
  })
})

// The Code and Message strings of a document, if it parses: the fields an IMDS error may repeat.
function codeAndMessage(text: string): ReadonlyArray<string> {
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed !== "object" || parsed === null) return []
    const { Code, Message } = parsed as { Code?: unknown; Message?: unknown }
    return [Code, Message].filter((value): value is string => typeof value === "string")
  } catch {
    return []
  }
}
