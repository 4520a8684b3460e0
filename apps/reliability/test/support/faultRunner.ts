/**
 * Runs one fault-matrix row: the adapter's source in a chain in front of a sentinel source, behind core's cache,
 * with logs captured and core's real transport behind the loopback guard. It reports what the row promises to
 * check: the value (the adapter's credentials, or the sentinel's when the chain moved on), the adapter's typed
 * error, how many requests the emulator saw and how many warnings were logged.
 */
import {
  type AwsCredentials,
  AwsCredentials as Credentials,
  CredentialsChain,
  type CredentialsError,
  CredentialsProvider,
  CredentialsSource,
  HttpTransport
} from "@credkit/core"
import { assert } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

import { guardedTransport } from "./loopback.js"
import { recordRow } from "./matrix.js"
import { captureLogs, errorViews, FIXTURE, FIXTURE_SECRETS } from "./secrets.js"

/** What a row promises. */
export interface Expect {
  /** `fixture`: the adapter's credentials; `next source`: the chain moved on; absent: the call fails. */
  readonly value?: "fixture" | "next source"
  /** The reason of the adapter's error (or the cache's, for `Expired`); absent when nothing failed. */
  readonly reason?: CredentialsError["reason"]["_tag"]
  readonly kind?: "refused" | "timeout" | "reset" | "status" | "other"
  readonly code?: string
  /** The credentials' source label, when it matters. */
  readonly label?: string
  /** Requests the emulator saw while the fault was in place. */
  readonly requests: number
  readonly warnings: number
}

/** The emulator surface the runner needs. */
export interface Recorded {
  readonly requests: () => ReadonlyArray<{ readonly method: string; readonly path: string }>
  readonly clearRequests: () => void
}

/** One row, already bound to a running emulator. */
export interface Run {
  readonly source: CredentialsSource.CredentialsSource
  readonly env: Record<string, string>
  readonly emulator: Recorded
  readonly warm: boolean
  readonly arrange: () => void
  readonly expect: Expect
  /** Further checks with the same provider after the faulted call. */
  readonly after?: ((provider: (typeof CredentialsProvider)["Service"]) => Effect.Effect<void, unknown>) | undefined
}

const SENTINEL_KEY = "ASIASENTINELNEXTLINK"

const sentinel = CredentialsSource.make(
  "sentinel",
  Effect.succeed(Credentials.make({ accessKeyId: SENTINEL_KEY, secretAccessKey: "sentinel", source: "sentinel" }))
)

/** A title in the suite's voice: "<outcome> when <fault>". */
export const title = (fault: string, expect: Expect): string => {
  const outcome =
    expect.value === "next source"
      ? `moves the chain on (${expect.reason})`
      : expect.value === "fixture"
        ? expect.reason === undefined
          ? "returns the credentials"
          : `serves the cached credentials (${expect.reason})`
        : `fails with ${expect.reason}${expect.kind === undefined ? "" : `/${expect.kind}`}`
  return `${outcome}, ${expect.requests} requests, ${expect.warnings} warnings when ${fault}`
}

const check = (
  expect: Expect,
  result: { readonly value?: AwsCredentials.AwsCredentials; readonly error?: CredentialsError },
  adapterError: CredentialsError | undefined,
  requests: ReadonlyArray<{ readonly method: string; readonly path: string }>,
  warnings: ReadonlyArray<string>
) => {
  const seen = requests.map((request) => `${request.method} ${request.path}`)
  if (expect.value === undefined) {
    assert.isDefined(result.error, `expected a failure, got credentials from ${result.value?.source}`)
  } else {
    assert.isDefined(result.value, `expected credentials, got ${result.error?.message}`)
    const wanted = expect.value === "fixture" ? FIXTURE.accessKeyId : SENTINEL_KEY
    assert.strictEqual(result.value?.accessKeyId, wanted)
    if (expect.value === "fixture" && result.value !== undefined) {
      assert.strictEqual(Redacted.value(result.value.secretAccessKey), FIXTURE.secretAccessKey)
    }
  }
  if (expect.label !== undefined) assert.strictEqual(result.value?.source, expect.label)
  const error = result.error ?? adapterError
  // A refresh the cache refused (credentials already expired) is reported in its warning only.
  const reason = error?.reason._tag ?? /failed \((\w+):/.exec(warnings.join("\n"))?.[1]
  assert.strictEqual(reason, expect.reason, `reason (${error?.message})`)
  const detail = (error?.reason ?? {}) as { readonly kind?: string; readonly code?: string }
  if (expect.kind !== undefined) assert.strictEqual(detail.kind, expect.kind)
  if (expect.code !== undefined) assert.strictEqual(detail.code, expect.code)
  // The chain moves on exactly when the adapter's error says it may.
  if (adapterError !== undefined) assert.strictEqual(adapterError.tryNextLink, expect.value === "next source")
  assert.strictEqual(requests.length, expect.requests, `requests seen: ${seen.join(", ")}`)
  assert.strictEqual(warnings.length, expect.warnings, `warnings: ${warnings.join("\n")}`)
  // Whatever happened, no fixture secret is in the error or in a log line.
  const exposed = [errorViews(result.error), errorViews(adapterError)].join("\n")
  for (const secret of FIXTURE_SECRETS) assert.notInclude(exposed, secret, "an error leaks a secret")
}

/** Runs a row and records it in the matrix tally under `adapter`. */
export const runRow = (adapter: string, fault: string, run: Run): Effect.Effect<void, unknown> => {
  const logs = captureLogs()
  const guard = guardedTransport()
  let adapterError: CredentialsError | undefined
  const traced = CredentialsSource.make(
    run.source.name,
    Effect.tapError(run.source.resolve, (error) =>
      Effect.sync(() => {
        adapterError = error
      })
    ),
    { staticStability: run.source.staticStability }
  )
  return Effect.gen(function* () {
    const provider = yield* CredentialsProvider.make(CredentialsChain.make([traced, sentinel]))
    if (run.warm) {
      const first = yield* provider.get
      assert.strictEqual(first.accessKeyId, FIXTURE.accessKeyId, "the warm-up resolves the fixture")
    }
    run.emulator.clearRequests()
    logs.clear()
    adapterError = undefined
    run.arrange()

    const result = yield* Effect.result(run.warm ? provider.refresh : provider.get)
    const outcome = result._tag === "Success" ? { value: result.success } : { error: result.failure }
    check(run.expect, outcome, adapterError, run.emulator.requests(), logs.warnings())
    for (const secret of FIXTURE_SECRETS) assert.notInclude(logs.lines.join("\n"), secret, "a log line leaks a secret")
    if (run.after !== undefined) yield* run.after(provider)
  }).pipe(
    Effect.provide(logs.layer),
    Effect.provideService(HttpTransport.HttpTransport, guard.shape),
    Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(run.env)),
    Effect.onExit((exit) => Effect.sync(() => recordRow(adapter, fault, exit._tag === "Success")))
  )
}
