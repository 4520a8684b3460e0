#!/usr/bin/env node

/**
 * `s3-uploader`: uploads files and directories to S3 with credentials from the default chain, verifies every
 * object, and exits 0 (all verified), 1 (some objects failed) or 2 (usage or configuration error, no credentials
 * included).
 */

import { DefaultCredentials } from "@credkit/credentials"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"

import { type CliOptions, parse, USAGE } from "./args.js"
import type { Problem } from "./errors.js"
import * as Plan from "./plan.js"
import * as Progress from "./progress.js"
import * as Output from "./report.js"
import * as S3 from "./S3.js"
import * as Upload from "./upload.js"

const EXIT_OK = 0
const EXIT_FAILED = 1
const EXIT_USAGE = 2

const print = (lines: ReadonlyArray<string>) =>
  Effect.sync(() => {
    for (const line of lines) console.log(line)
  })
const printError = (lines: ReadonlyArray<string>) =>
  Effect.sync(() => {
    for (const line of lines) console.error(line)
  })

const upload = Effect.fn("cli.upload")(function* (options: CliOptions) {
  const destination = `s3://${options.bucket}/${options.prefix}`
  const json = (input: Omit<Output.JsonInput, "destination" | "dryRun">) =>
    print([JSON.stringify(Output.jsonDocument({ ...input, destination, dryRun: options.dryRun }), null, 2)])
  const fail = (exitCode: number, error: Problem, extra: Omit<Output.JsonInput, "exitCode" | "error"> = {}) =>
    Effect.as(options.json ? json({ exitCode, error, ...extra }) : printError(Output.problemLines(error)), exitCode)

  const chainOptions = options.profile === undefined ? {} : { profile: options.profile }
  const credentials = yield* DefaultCredentials.explain(chainOptions)
  const now = yield* Clock.currentTimeMillis
  if (!credentials.ok) {
    if (options.json) return yield* Effect.as(json({ exitCode: EXIT_USAGE, credentials }), EXIT_USAGE)
    yield* printError(Output.credentialLines(credentials, now))
    return EXIT_USAGE
  }
  if (!options.json) yield* print(Output.credentialLines(credentials, now))

  const plan = yield* Effect.result(Plan.make(options.inputs, options.prefix))
  if (plan._tag === "Failure") {
    return yield* fail(
      EXIT_USAGE,
      { code: "Usage", message: plan.failure.message, scope: "configuration" },
      { credentials }
    )
  }
  if (options.dryRun) {
    const exitCode = plan.success.unreadable.length === 0 ? EXIT_OK : EXIT_FAILED
    yield* options.json
      ? json({ exitCode, credentials, plan: plan.success })
      : print(Output.planLines(plan.success, destination))
    return exitCode
  }
  if (!options.json) yield* print(Output.planLines(plan.success, destination).slice(0, 1))

  const target = {
    bucket: options.bucket,
    partSize: options.partSize,
    concurrency: options.concurrency,
    source: credentials.source
  }
  const progress = Progress.make(Progress.modeFor(options.json))
  const layer = S3.layer(options).pipe(Layer.provide(DefaultCredentials.layer(chainOptions)))
  const result = yield* Upload.run(plan.success, target, options.prefix, progress).pipe(Effect.provide(layer))

  const allVerified = result.problem === undefined && result.objects.every((object) => object.status === "verified")
  const exitCode = allVerified ? EXIT_OK : result.problem?.scope === "configuration" ? EXIT_USAGE : EXIT_FAILED
  if (options.json) yield* json({ exitCode, credentials, result, error: result.problem })
  else {
    if (result.problem !== undefined) yield* printError(Output.problemLines(result.problem))
    yield* print(Output.summaryLines(result))
  }
  return exitCode
})

const main = Effect.gen(function* () {
  const parsed = parse(process.argv.slice(2))
  if (parsed._tag === "Help") {
    yield* print([USAGE])
    return EXIT_OK
  }
  if (parsed._tag === "Invalid") {
    yield* printError([`s3-uploader: ${parsed.message}`, "Run s3-uploader --help for usage."])
    return EXIT_USAGE
  }
  const options = parsed.options
  return yield* upload(options).pipe(
    // Library logs go to stderr, so stdout holds only the report (or the JSON document).
    Effect.provideService(Logger.LogToStderr, true),
    Effect.provideService(References.MinimumLogLevel, options.verbose ? "Debug" : "Warn")
  )
})

// A defect (a bug, not an expected failure) is printed once and exits 1; interruption (Ctrl-C) is left to runMain,
// which aborts the uploads in flight and exits 130.
const program = main.pipe(
  Effect.catchCause((cause) =>
    Effect.as(printError([`s3-uploader: unexpected failure: ${Cause.pretty(cause)}`]), EXIT_FAILED)
  ),
  Effect.flatMap((code) =>
    Effect.sync(() => {
      process.exitCode = code
    })
  )
)

NodeRuntime.runMain(program)
