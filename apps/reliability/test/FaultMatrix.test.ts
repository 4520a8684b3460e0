/**
 * The fault matrix: one row per fault × adapter, over the IMDS and container emulators on 127.0.0.1 (real HTTP
 * through core's transport, behind the loopback guard) and over real `credential_process` child processes. Each
 * row asserts what decisions §6–13 and §18–21 promise: the value or the typed error, whether a chain moves on, how
 * many requests (or process runs) there were and how many warnings were logged. The suite prints a summary line.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { HttpTransport } from "@credkit/core"
import { Ec2Credentials } from "@credkit/ec2"
import { ContainerCredentials } from "@credkit/ecs"
import { ProfileCredentials } from "@credkit/profile"
import { ContainerEmulator, ImdsEmulator } from "@credkit/testing"
import { afterAll, afterEach, assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

import { containerDocument, imdsDocument, NOT_UTF8, processDocument } from "./support/documents.js"
import { type Expect, runRow, title } from "./support/faultRunner.js"
import { tempFile, writeTemp } from "./support/files.js"
import { stalledListener, violations } from "./support/loopback.js"
import { summary } from "./support/matrix.js"
import { FIXTURE, FIXTURE_CREDENTIALS } from "./support/secrets.js"

// The IMDS paths the adapter uses (decisions §6, §8).
const TOKEN = "/latest/api/token"
const EXTENDED = "/latest/meta-data/iam/security-credentials-extended/"
const DOCUMENT = `${EXTENDED}credkit-role`
// Rows where a timeout must fire use a short per-attempt timeout, so they stay quick; every other row gets a long
// one, so a busy machine never turns an answer into a timeout.
const SHORT_TIMEOUT = Duration.millis(400)
const ATTEMPT_TIMEOUT = Duration.seconds(10)
const PAST = "2001-02-03T04:05:06Z"
const FAR_FUTURE = "9999-12-31T23:59:59Z"
const WRONG_FORMAT = "2031-02-03 04:05:06"
const MIB = 1024 * 1024

type Provider = Parameters<NonNullable<Parameters<typeof runRow>[2]["after"]>>[0]

interface Row<Control, Options> {
  readonly fault: string
  readonly arrange?: (control: Control) => void
  readonly emulator?: Record<string, unknown>
  readonly options?: Options
  /** The endpoint is a loopback port whose accept queue is full: the connect itself times out. */
  readonly stalled?: true
  /** The per-attempt timeout, when the row needs one to fire. */
  readonly timeout?: Duration.Duration
  readonly warm?: true
  readonly expect: Expect
  readonly after?: (context: {
    readonly provider: Provider
    readonly control: Control
    readonly endpoint: string
  }) => Effect.Effect<void, unknown>
}

// A transport that must not be used: the check that a remembered endpoint costs no request at all.
const refusing: HttpTransport.Shape = {
  request: (request) => Effect.die(new Error(`no request was expected, got ${request.method} ${request.url}`))
}

const rememberedUnreachable = (context: { readonly endpoint: string }) =>
  Effect.gen(function* () {
    const again = yield* Effect.flip(Ec2Credentials.source({ endpoint: context.endpoint }).resolve)
    assert.strictEqual(again.reason._tag, "Unavailable")
    assert.include(again.message, "not tried again")
  }).pipe(Effect.provideService(HttpTransport.HttpTransport, refusing))

const servesFromBackoff = (context: {
  readonly provider: Provider
  readonly control: { requests: () => ReadonlyArray<unknown>; clearRequests: () => void }
}) =>
  Effect.gen(function* () {
    context.control.clearRequests()
    const again = yield* context.provider.get
    assert.strictEqual(again.accessKeyId, FIXTURE.accessKeyId)
    assert.strictEqual(context.control.requests().length, 0, "the source is left alone during the backoff")
  })

const IMDS_ROWS: ReadonlyArray<Row<ImdsEmulator.Control, Ec2Credentials.Options>> = [
  { fault: "IMDS is healthy", expect: { value: "fixture", label: "ec2:credkit-role", requests: 3, warnings: 0 } },
  {
    fault: "the connect times out (accept queue full)",
    timeout: SHORT_TIMEOUT,
    stalled: true,
    expect: { value: "next source", reason: "Unavailable", requests: 0, warnings: 0 },
    after: rememberedUnreachable
  },
  {
    fault: "every request is accepted and never answered",
    timeout: SHORT_TIMEOUT,
    arrange: (control) => control.fault("*", { hang: true }),
    expect: { value: "next source", reason: "Unavailable", requests: 2, warnings: 0 },
    after: rememberedUnreachable
  },
  {
    fault: "the token PUT is never answered but GETs are (hop limit)",
    timeout: SHORT_TIMEOUT,
    arrange: (control) => control.fault(TOKEN, { hang: true }),
    expect: { value: "fixture", requests: 4, warnings: 1 }
  },
  {
    fault: "the document stalls after its first byte (read timeout)",
    timeout: SHORT_TIMEOUT,
    arrange: (control) => control.fault(DOCUMENT, { drip: 60_000 }),
    expect: { reason: "Transport", kind: "timeout", requests: 5, warnings: 0 }
  },
  {
    fault: "the document drips one byte per millisecond",
    arrange: (control) => control.fault(DOCUMENT, { drip: 1 }),
    expect: { value: "fixture", requests: 3, warnings: 0 }
  },
  {
    fault: "the connection is reset mid-body once",
    arrange: (control) => control.fault(DOCUMENT, { reset: "mid-body", times: 1 }),
    expect: { value: "fixture", requests: 4, warnings: 0 }
  },
  {
    fault: "the connection is reset mid-body on every attempt",
    arrange: (control) => control.fault(DOCUMENT, { reset: "mid-body" }),
    expect: { reason: "Transport", kind: "reset", requests: 5, warnings: 0 }
  },
  {
    fault: "every connection is reset before any byte",
    arrange: (control) => control.fault("*", { reset: true }),
    expect: { reason: "Transport", kind: "reset", requests: 3, warnings: 0 }
  },
  {
    fault: "a 429 burst is shorter than the attempts",
    arrange: (control) => control.fault(DOCUMENT, { throttle: 2 }),
    expect: { value: "fixture", requests: 5, warnings: 0 }
  },
  {
    fault: "a 429 burst outlasts the attempts",
    arrange: (control) => control.fault(DOCUMENT, { throttle: 3 }),
    expect: { reason: "Transport", kind: "status", requests: 5, warnings: 0 }
  },
  {
    fault: "the document answers 500 once",
    arrange: (control) => control.fault(DOCUMENT, { status: 500, times: 1 }),
    expect: { value: "fixture", requests: 4, warnings: 0 }
  },
  {
    fault: "the document answers 502 on every attempt",
    arrange: (control) => control.fault(DOCUMENT, { status: 502 }),
    expect: { reason: "Transport", kind: "status", requests: 5, warnings: 0 }
  },
  {
    fault: "IMDS answers 503 to a refresh of a warm cache (static stability)",
    warm: true,
    arrange: (control) => control.fault("*", { status: 503 }),
    expect: { value: "fixture", reason: "Transport", kind: "status", requests: 3, warnings: 1 },
    after: servesFromBackoff
  },
  {
    fault: "a refresh carries a stale session token (401, new token, retry)",
    warm: true,
    arrange: (control) => control.expireTokens(),
    expect: { value: "fixture", requests: 3, warnings: 0 }
  },
  {
    fault: "a refresh gets 401 even with a new token",
    warm: true,
    arrange: (control) => control.fault(DOCUMENT, { status: 401 }),
    expect: { value: "fixture", reason: "Transport", kind: "status", requests: 3, warnings: 1 }
  },
  {
    fault: "the token request answers 403 (IMDS turned off)",
    arrange: (control) => control.fault(TOKEN, { status: 403 }),
    expect: { reason: "Misconfigured", requests: 1, warnings: 0 }
  },
  {
    fault: "the token request answers 404 (IMDSv1 fallback)",
    arrange: (control) => control.fault(TOKEN, { status: 404 }),
    expect: { value: "fixture", requests: 3, warnings: 1 }
  },
  {
    fault: "the token request answers 405 (IMDSv1 fallback)",
    arrange: (control) => control.fault(TOKEN, { status: 405 }),
    expect: { value: "fixture", requests: 3, warnings: 1 }
  },
  {
    fault: "the token request answers 404 and IMDSv1 is disabled",
    arrange: (control) => control.fault(TOKEN, { status: 404 }),
    options: { v1Fallback: false },
    expect: { reason: "Misconfigured", requests: 1, warnings: 0 }
  },
  {
    fault: "the token request answers 400",
    arrange: (control) => control.fault(TOKEN, { status: 400 }),
    expect: { reason: "Transport", kind: "status", requests: 1, warnings: 0 }
  },
  {
    fault: "every path answers 403 (mode off)",
    arrange: (control) => control.setMode("off"),
    expect: { reason: "Misconfigured", requests: 1, warnings: 0 }
  },
  {
    fault: "no role is attached (404 on both role lists)",
    arrange: (control) => control.removeRole(),
    expect: { value: "next source", reason: "Unavailable", requests: 3, warnings: 0 }
  },
  {
    fault: "the document is malformed JSON",
    arrange: (control) => control.fault(DOCUMENT, { body: "malformed" }),
    expect: { reason: "InvalidResponse", requests: 3, warnings: 0 }
  },
  {
    fault: "the document is cut in half",
    arrange: (control) => control.fault(DOCUMENT, { body: "partial" }),
    expect: { reason: "InvalidResponse", requests: 3, warnings: 0 }
  },
  {
    fault: "the document lacks SecretAccessKey and Token",
    arrange: (control) =>
      control.fault(DOCUMENT, { body: imdsDocument({ SecretAccessKey: undefined, Token: undefined }) }),
    expect: { reason: "InvalidResponse", requests: 3, warnings: 0 }
  },
  {
    fault: "the document's Expiration is in the past",
    arrange: (control) => control.fault(DOCUMENT, { body: imdsDocument({ Expiration: PAST }) }),
    expect: { reason: "Expired", requests: 3, warnings: 0 }
  },
  {
    fault: "a refresh of a warm cache gets credentials that already expired",
    warm: true,
    arrange: (control) => control.fault(DOCUMENT, { body: imdsDocument({ Expiration: PAST }) }),
    expect: { value: "fixture", reason: "Expired", requests: 1, warnings: 1 }
  },
  {
    fault: "the document's Expiration is not ISO 8601",
    arrange: (control) => control.fault(DOCUMENT, { body: imdsDocument({ Expiration: WRONG_FORMAT }) }),
    expect: { reason: "InvalidResponse", requests: 3, warnings: 0 }
  },
  {
    fault: "the document's Expiration is absurdly far ahead (accepted as served)",
    arrange: (control) => control.fault(DOCUMENT, { body: imdsDocument({ Expiration: FAR_FUTURE }) }),
    expect: { value: "fixture", requests: 3, warnings: 0 }
  },
  {
    fault: "the role list is empty",
    arrange: (control) => control.fault(EXTENDED, { body: "", times: 1 }),
    expect: { value: "next source", reason: "Unavailable", requests: 2, warnings: 0 }
  },
  {
    fault: "the role list has several lines (the first is used)",
    emulator: { roleName: "role-a" },
    arrange: (control) => control.fault(EXTENDED, { body: "role-a\nrole-b\n", times: 1 }),
    expect: { value: "fixture", label: "ec2:role-a", requests: 3, warnings: 0 }
  },
  {
    fault: "the role list is not UTF-8",
    arrange: (control) => control.fault(EXTENDED, { bytes: NOT_UTF8, times: 1 }),
    expect: { reason: "InvalidResponse", requests: 2, warnings: 0 }
  },
  {
    fault: "the document's Code is not Success",
    arrange: (control) => control.fault(DOCUMENT, { code: "AssumeRoleUnauthorizedAccess" }),
    expect: { reason: "Unauthorized", code: "AssumeRoleUnauthorizedAccess", requests: 3, warnings: 0 }
  },
  {
    fault: "the document is 8 MiB (bounded read)",
    arrange: (control) => control.fault(DOCUMENT, { huge: 8 * MIB }),
    expect: { reason: "InvalidResponse", requests: 3, warnings: 0 }
  },
  {
    fault: "the document is not UTF-8",
    arrange: (control) => control.fault(DOCUMENT, { bytes: NOT_UTF8 }),
    expect: { reason: "InvalidResponse", requests: 3, warnings: 0 }
  }
]

const containerEnv = (url: string, extra: Record<string, string> = {}): Record<string, string> => ({
  AWS_CONTAINER_CREDENTIALS_FULL_URI: url,
  AWS_CONTAINER_AUTHORIZATION_TOKEN: FIXTURE.containerToken,
  ...extra
})

// Bytes of a document whose secret key holds an invalid UTF-8 sequence: the rest is valid JSON.
const secretWithBadBytes = (document: string): Uint8Array => {
  const text = document.replace(FIXTURE.secretAccessKey, `${FIXTURE.secretAccessKey}@@`)
  const bytes = new TextEncoder().encode(text)
  const at = text.indexOf("@@")
  bytes[at] = 0xff
  bytes[at + 1] = 0xfe
  return bytes
}

interface ContainerRowOptions {
  readonly env?: Record<string, string>
  readonly tokenFile?: true
}

const CONTAINER_ROWS: ReadonlyArray<Row<ContainerEmulator.Control, ContainerRowOptions>> = [
  { fault: "the endpoint is healthy", expect: { value: "fixture", label: "container", requests: 1, warnings: 0 } },
  {
    fault: "the connect times out (accept queue full)",
    timeout: SHORT_TIMEOUT,
    stalled: true,
    expect: { reason: "Transport", kind: "timeout", requests: 0, warnings: 0 }
  },
  {
    fault: "every request is accepted and never answered",
    timeout: SHORT_TIMEOUT,
    arrange: (control) => control.fault("*", { hang: true }),
    expect: { reason: "Transport", kind: "timeout", requests: 3, warnings: 0 }
  },
  {
    fault: "the document stalls after its first byte (read timeout)",
    timeout: SHORT_TIMEOUT,
    arrange: (control) => control.fault("*", { drip: 60_000 }),
    expect: { reason: "Transport", kind: "timeout", requests: 3, warnings: 0 }
  },
  {
    fault: "the document drips one byte per millisecond",
    arrange: (control) => control.fault("*", { drip: 1 }),
    expect: { value: "fixture", requests: 1, warnings: 0 }
  },
  {
    fault: "the connection is reset mid-body once",
    arrange: (control) => control.fault("*", { reset: "mid-body", times: 1 }),
    expect: { value: "fixture", requests: 2, warnings: 0 }
  },
  {
    fault: "the connection is reset mid-body on every attempt",
    arrange: (control) => control.fault("*", { reset: "mid-body" }),
    expect: { reason: "Transport", kind: "reset", requests: 3, warnings: 0 }
  },
  {
    fault: "every connection is reset before any byte",
    arrange: (control) => control.fault("*", { reset: true }),
    expect: { reason: "Transport", kind: "reset", requests: 3, warnings: 0 }
  },
  {
    fault: "a 429 burst starts (terminal, a documented limitation of @credkit/ecs)",
    arrange: (control) => control.fault("*", { throttle: 2 }),
    expect: { reason: "Misconfigured", requests: 1, warnings: 0 }
  },
  {
    fault: "the endpoint answers 500 once",
    arrange: (control) => control.fault("*", { status: 500, times: 1 }),
    expect: { value: "fixture", requests: 2, warnings: 0 }
  },
  {
    fault: "the endpoint answers 502 on every attempt",
    arrange: (control) => control.fault("*", { status: 502 }),
    expect: { reason: "Transport", kind: "status", requests: 3, warnings: 0 }
  },
  {
    fault: "the endpoint answers 503 to a refresh of a warm cache (static stability)",
    warm: true,
    arrange: (control) => control.fault("*", { status: 503 }),
    expect: { value: "fixture", reason: "Transport", kind: "status", requests: 3, warnings: 1 },
    after: servesFromBackoff
  },
  {
    fault: "the agent rotated the token file before a refresh",
    warm: true,
    options: { tokenFile: true },
    arrange: (control) => {
      control.rotateToken()
    },
    expect: { value: "fixture", requests: 1, warnings: 0 }
  },
  {
    fault: "a refresh carries a stale token value (401)",
    warm: true,
    arrange: (control) => {
      control.rotateToken("rotated-token-value")
    },
    expect: { reason: "Unauthorized", code: "AccessDenied", requests: 1, warnings: 0 }
  },
  {
    fault: "the endpoint answers 403",
    arrange: (control) => control.fault("*", { status: 403 }),
    expect: { reason: "Unauthorized", requests: 1, warnings: 0 }
  },
  {
    fault: "the endpoint answers 404",
    arrange: (control) => control.fault("*", { status: 404 }),
    expect: { reason: "Misconfigured", requests: 1, warnings: 0 }
  },
  {
    fault: "the endpoint answers 405",
    arrange: (control) => control.fault("*", { status: 405 }),
    expect: { reason: "Misconfigured", requests: 1, warnings: 0 }
  },
  {
    fault: "the endpoint redirects (302)",
    arrange: (control) => control.fault("*", { status: 302 }),
    expect: { reason: "Misconfigured", requests: 1, warnings: 0 }
  },
  {
    fault: "the document is malformed JSON",
    arrange: (control) => control.fault("*", { body: "malformed" }),
    expect: { reason: "InvalidResponse", requests: 3, warnings: 0 }
  },
  {
    fault: "the document lacks SecretAccessKey and Token",
    arrange: (control) =>
      control.fault("*", { body: containerDocument({ SecretAccessKey: undefined, Token: undefined }) }),
    expect: { reason: "InvalidResponse", requests: 3, warnings: 0 }
  },
  {
    fault: "the document's Expiration is in the past",
    arrange: (control) => control.fault("*", { body: containerDocument({ Expiration: PAST }) }),
    expect: { reason: "Expired", requests: 1, warnings: 0 }
  },
  {
    fault: "a refresh of a warm cache gets credentials that already expired",
    warm: true,
    arrange: (control) => control.fault("*", { body: containerDocument({ Expiration: PAST }) }),
    expect: { value: "fixture", reason: "Expired", requests: 1, warnings: 1 }
  },
  {
    fault: "the document's Expiration is not ISO 8601",
    arrange: (control) => control.fault("*", { body: containerDocument({ Expiration: WRONG_FORMAT }) }),
    expect: { reason: "InvalidResponse", requests: 3, warnings: 0 }
  },
  {
    fault: "the document's Expiration is absurdly far ahead (accepted as served)",
    arrange: (control) => control.fault("*", { body: containerDocument({ Expiration: FAR_FUTURE }) }),
    expect: { value: "fixture", requests: 1, warnings: 0 }
  },
  {
    fault: "the document is 8 MiB (bounded read)",
    arrange: (control) => control.fault("*", { huge: 8 * MIB }),
    expect: { reason: "InvalidResponse", requests: 3, warnings: 0 }
  },
  {
    fault: "the document is not UTF-8",
    arrange: (control) => control.fault("*", { bytes: NOT_UTF8 }),
    expect: { reason: "InvalidResponse", requests: 3, warnings: 0 }
  },
  {
    fault: "the secret key in the document holds bytes that are not UTF-8",
    arrange: (control) => control.fault("*", { bytes: secretWithBadBytes(containerDocument()) }),
    expect: { reason: "InvalidResponse", requests: 3, warnings: 0 }
  }
]

// credential_process rows: a real child process (through /bin/sh, as decisions §18 says) that prints what a spec
// file says; "requests" counts the runs of the process.
const PROCESS_SCRIPT = Path.join(import.meta.dirname, "support", "credentialProcess.mjs")

interface ProcessSpec {
  readonly stdout?: string | Uint8Array
  readonly exitCode?: number
  readonly signal?: string
  readonly hang?: true
  readonly dripMs?: number
}

interface ProcessRow {
  readonly fault: string
  readonly spec: ProcessSpec
  /** The spec the process follows after a warm-up with a healthy one. */
  readonly afterWarmUp?: ProcessSpec
  /** A command line of its own instead of the script. */
  readonly command?: string
  /** The process timeout, when the row needs it to fire. */
  readonly timeout?: Duration.Duration
  readonly expect: Expect
}

const specText = (spec: ProcessSpec): string =>
  JSON.stringify({ ...spec, stdout: Buffer.from(spec.stdout ?? "").toString("base64") })

const healthyProcess: ProcessSpec = { stdout: processDocument() }

const PROCESS_ROWS: ReadonlyArray<ProcessRow> = [
  {
    fault: "the process prints a valid document",
    spec: healthyProcess,
    expect: { value: "fixture", label: "process:proc", requests: 1, warnings: 0 }
  },
  {
    fault: "the process never finishes",
    spec: { hang: true },
    timeout: Duration.seconds(1),
    expect: { reason: "Transport", kind: "timeout", requests: 1, warnings: 0 }
  },
  {
    fault: "the process drips its document one byte per millisecond",
    spec: { stdout: processDocument(), dripMs: 1 },
    expect: { value: "fixture", requests: 1, warnings: 0 }
  },
  {
    fault: "the process prints 1 MiB (bounded read)",
    spec: { stdout: "x".repeat(MIB) },
    expect: { reason: "InvalidResponse", requests: 1, warnings: 0 }
  },
  {
    fault: "the process prints malformed JSON",
    spec: { stdout: `{"Version": 1, "AccessKeyId": "${FIXTURE.accessKeyId}", "SecretAccessKey": ` },
    expect: { reason: "InvalidResponse", requests: 1, warnings: 0 }
  },
  {
    fault: "the document lacks SecretAccessKey",
    spec: { stdout: processDocument({ SecretAccessKey: undefined }) },
    expect: { reason: "InvalidResponse", requests: 1, warnings: 0 }
  },
  {
    fault: "the document has Version 2",
    spec: { stdout: processDocument({ Version: 2 }) },
    expect: { reason: "InvalidResponse", requests: 1, warnings: 0 }
  },
  {
    fault: "the document's Expiration is in the past",
    spec: { stdout: processDocument({ Expiration: PAST }) },
    expect: { reason: "Expired", requests: 1, warnings: 0 }
  },
  {
    fault: "the document's Expiration is not ISO 8601",
    spec: { stdout: processDocument({ Expiration: WRONG_FORMAT }) },
    expect: { reason: "InvalidResponse", requests: 1, warnings: 0 }
  },
  {
    fault: "the document's Expiration is absurdly far ahead (accepted as printed)",
    spec: { stdout: processDocument({ Expiration: FAR_FUTURE }) },
    expect: { value: "fixture", requests: 1, warnings: 0 }
  },
  {
    fault: "the output is not UTF-8",
    spec: { stdout: NOT_UTF8 },
    expect: { reason: "InvalidResponse", requests: 1, warnings: 0 }
  },
  {
    fault: "the secret key in the output holds bytes that are not UTF-8",
    spec: { stdout: secretWithBadBytes(processDocument()) },
    expect: { reason: "InvalidResponse", requests: 1, warnings: 0 }
  },
  {
    fault: "the process prints a valid document and exits with 1",
    spec: { stdout: processDocument(), exitCode: 1 },
    expect: { reason: "InvalidResponse", requests: 1, warnings: 0 }
  },
  {
    fault: "the process is killed by a signal",
    spec: { stdout: processDocument(), signal: "SIGKILL" },
    expect: { reason: "InvalidResponse", requests: 1, warnings: 0 }
  },
  {
    fault: "the process prints nothing",
    spec: { stdout: "" },
    expect: { reason: "InvalidResponse", requests: 1, warnings: 0 }
  },
  {
    fault: "the command does not exist",
    spec: healthyProcess,
    command: "credkit-reliability-no-such-command",
    expect: { reason: "InvalidResponse", requests: 0, warnings: 0 }
  },
  {
    fault: "a forced refresh of a warm cache exits with 1",
    spec: healthyProcess,
    afterWarmUp: { exitCode: 1 },
    expect: { value: "fixture", reason: "InvalidResponse", requests: 1, warnings: 1 }
  },
  {
    fault: "a forced refresh of a warm cache prints expired credentials",
    spec: healthyProcess,
    afterWarmUp: { stdout: processDocument({ Expiration: PAST }) },
    expect: { value: "fixture", reason: "Expired", requests: 1, warnings: 1 }
  }
]

afterEach(() => {
  assert.deepStrictEqual(violations.splice(0), [])
})

afterAll(() => {
  console.log(summary())
})

const scoped = <A>(start: () => Promise<A & { readonly close: () => Promise<void> }>) =>
  Effect.acquireRelease(Effect.promise(start), (resource) => Effect.promise(() => resource.close()))

describe("FaultMatrix", () => {
  describe("Ec2Credentials over the IMDS emulator", () => {
    for (const row of IMDS_ROWS) {
      it.live(title(row.fault, row.expect), () =>
        Effect.gen(function* () {
          const emulator = yield* scoped(() =>
            ImdsEmulator.start({ credentials: FIXTURE_CREDENTIALS, ...(row.emulator as ImdsEmulator.Options) })
          )
          const stalled = row.stalled === true ? yield* scoped(stalledListener) : undefined
          const endpoint = stalled?.url ?? emulator.url
          yield* Ec2Credentials.clearUnreachableMemory()
          const source = Ec2Credentials.source({
            endpoint,
            timeout: row.timeout ?? ATTEMPT_TIMEOUT,
            maxAttempts: 3,
            ...row.options
          })
          yield* runRow("imds", row.fault, {
            source,
            env: {},
            emulator: emulator.control,
            warm: row.warm === true,
            arrange: () => row.arrange?.(emulator.control),
            expect: row.expect,
            after:
              row.after === undefined
                ? undefined
                : (provider) => row.after?.({ provider, control: emulator.control, endpoint }) ?? Effect.void
          })
        })
      )
    }
  })

  describe("ContainerCredentials over the container emulator", () => {
    for (const row of CONTAINER_ROWS) {
      it.live(title(row.fault, row.expect), () =>
        Effect.gen(function* () {
          const tokenFile = row.options?.tokenFile === true ? tempFile("token") : undefined
          const emulator = yield* scoped(() =>
            ContainerEmulator.start({
              credentials: FIXTURE_CREDENTIALS,
              token: FIXTURE.containerToken,
              ...(tokenFile === undefined ? {} : { tokenFile })
            })
          )
          const stalled = row.stalled === true ? yield* scoped(stalledListener) : undefined
          const url = stalled === undefined ? emulator.url : `${stalled.url}/v1/credentials`
          const env = containerEnv(url, {
            ...(tokenFile === undefined ? {} : { AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile }),
            ...row.options?.env
          })
          const source = ContainerCredentials.source({
            timeout: row.timeout ?? ATTEMPT_TIMEOUT,
            maxAttempts: 3
          })
          yield* runRow("container", row.fault, {
            source,
            env,
            emulator: emulator.control,
            warm: row.warm === true,
            arrange: () => row.arrange?.(emulator.control),
            expect: row.expect,
            after:
              row.after === undefined
                ? undefined
                : (provider) => row.after?.({ provider, control: emulator.control, endpoint: url }) ?? Effect.void
          })
        })
      )
    }
  })

  describe("ProfileCredentials credential_process over real child processes", () => {
    for (const row of PROCESS_ROWS) {
      it.live(title(row.fault, row.expect), () => {
        const specFile = writeTemp("spec.json", specText(row.spec))
        const counter = writeTemp("runs", "")
        const command = row.command ?? `"${process.execPath}" "${PROCESS_SCRIPT}" "${specFile}" "${counter}"`
        const configFile = writeTemp("config", `[profile proc]\ncredential_process = ${command}\n`)
        const source = ProfileCredentials.source({
          configFile,
          credentialsFile: tempFile("no-credentials"),
          profile: "proc",
          credentialProcessTimeout: row.timeout ?? ATTEMPT_TIMEOUT
        })
        return runRow("process", row.fault, {
          source,
          env: {},
          emulator: {
            requests: () =>
              Fs.readFileSync(counter, "utf8")
                .split("\n")
                .filter((line) => line !== "")
                .map(() => ({ method: "RUN", path: "credential_process" })),
            clearRequests: () => Fs.writeFileSync(counter, "")
          },
          warm: row.afterWarmUp !== undefined,
          arrange: () => {
            if (row.afterWarmUp !== undefined) Fs.writeFileSync(specFile, specText(row.afterWarmUp))
          },
          expect: row.expect
        })
      })
    }
  })
})
