/**
 * `credential_process` (decisions §18): the configured command runs through the platform shell as a real child
 * process; its standard output is one JSON document (`Version` 1), its standard error goes to ours. Errors name
 * the profile and what went wrong, never what the process printed.
 */
import type * as ChildProcess from "node:child_process"
import type { Readable } from "node:stream"

import { AwsCredentials, CredentialsError } from "@credkit/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

import type { CredentialProcessSource } from "./chainPlan.js"
import { platform } from "./config.js"

/** The POSIX shell, as the Rust, Go and JS SDKs use it. */
const POSIX_SHELL = "/bin/sh"
/** The Windows shell: `/d` skips AutoRun commands, `/s /c` runs the quoted command line as written. */
const WINDOWS_SHELL = "cmd.exe"
/** A credentials document is a few hundred bytes; anything past this is not one. */
const MAX_OUTPUT_BYTES = 64 * 1024
/** The output format version. https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html */
const OUTPUT_VERSION = 1

/** How long the process may run; the AWS CLI has no limit, the JS SDK none either: one minute covers a prompt. */
export const DEFAULT_TIMEOUT = Duration.minutes(1)

interface Finished {
  readonly code: number | null
  readonly tooLarge: boolean
  /** `undefined` when the output is not UTF-8. */
  readonly stdout: string | undefined
}

const childProcess = (): typeof ChildProcess => process.getBuiltinModule("node:child_process")

// Only the config file's own text is run: nothing from the environment or from options is spliced into it.
const spawn = (command: string): ChildProcess.ChildProcessByStdio<null, Readable, null> =>
  platform() === "win32"
    ? childProcess().spawn(WINDOWS_SHELL, ["/d", "/s", "/c", `"${command}"`], {
        stdio: ["ignore", "pipe", "inherit"],
        windowsHide: true,
        windowsVerbatimArguments: true
      })
    : childProcess().spawn(POSIX_SHELL, ["-c", command], { stdio: ["ignore", "pipe", "inherit"] })

// Limitation: only the shell process is killed on a timeout; a program the shell started in the background, or a
// pipeline stage other than the last, keeps running until it ends by itself. Running the command in its own
// process group would lift it, but that detaches it from the terminal that interactive credential tools prompt on.
const stop = (child: ChildProcess.ChildProcessByStdio<null, Readable, null>): void => {
  child.stdout.destroy()
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
}

const run = (command: string): Effect.Effect<Finished, string> =>
  Effect.callback<Finished, string>((resume) => {
    const child = spawn(command)
    const chunks: Array<Buffer> = []
    let size = 0
    let tooLarge = false
    child.stdout.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_OUTPUT_BYTES) chunks.push(chunk)
      else if (!tooLarge) {
        tooLarge = true
        stop(child)
      }
    })
    child.on("error", (error: NodeJS.ErrnoException) => resume(Effect.fail(error.code ?? "spawn failure")))
    child.on("close", (code) => resume(Effect.succeed({ code, tooLarge, stdout: strictUtf8(Buffer.concat(chunks)) })))
    // Runs when the fetch is interrupted, the timeout included: the failure is reported once the process is gone.
    return Effect.callback<void>((stopped) => {
      if (child.exitCode !== null || child.signalCode !== null) return stopped(Effect.void)
      child.once("exit", () => stopped(Effect.void))
      stop(child)
    })
  })

// A replaced byte in a secret key would sign every request wrong: output that is not UTF-8 is refused.
const strictUtf8 = (bytes: Buffer): string | undefined => {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

const field = (document: Record<string, unknown>, key: string): string | undefined => {
  const value = document[key]
  return typeof value === "string" && value !== "" ? value : undefined
}

/**
 * Decodes the process output. Returns a problem description that never quotes the output.
 */
export const decodeOutput = (
  output: string,
  profile: string,
  fallbackAccountId: string | undefined
): AwsCredentials.AwsCredentials | string => {
  let document: unknown
  try {
    document = JSON.parse(output)
  } catch {
    return "did not print a JSON document"
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return "did not print a JSON object"
  }
  const record = document as Record<string, unknown>
  if (record.Version === undefined) return "printed JSON without the required Version field"
  if (record.Version !== OUTPUT_VERSION) return "printed a Version other than 1, the only one known"
  const accessKeyId = field(record, "AccessKeyId")
  const secretAccessKey = field(record, "SecretAccessKey")
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    return "printed JSON without AccessKeyId or SecretAccessKey"
  }
  const expirationText = field(record, "Expiration")
  const expiration = expirationText === undefined ? undefined : AwsCredentials.parseExpiration(expirationText)
  if (expirationText !== undefined && expiration === undefined) {
    return "printed an Expiration that is not an ISO 8601 date-time with a time zone"
  }
  return AwsCredentials.make({
    accessKeyId,
    secretAccessKey,
    sessionToken: field(record, "SessionToken"),
    expiration,
    // The process knows the account of the credentials it printed better than the config file does.
    accountId: field(record, "AccountId") ?? fallbackAccountId,
    source: `process:${profile}`
  })
}

/** Runs the profile's `credential_process` and decodes what it prints. */
export const runCredentialProcess = Effect.fn("ProfileCredentials.credentialProcess")(function* (
  base: CredentialProcessSource,
  timeout: Duration.Duration
) {
  const label = `process:${base.profile}`
  const what = `credential_process of profile "${base.profile}"`

  yield* Effect.logDebug(`${label}: running credential_process`)
  const finished = yield* run(base.command).pipe(
    Effect.mapError((code) =>
      CredentialsError.misconfigured(label, `${what} could not be started (${code})`, {
        hint: `check that ${platform() === "win32" ? WINDOWS_SHELL : POSIX_SHELL} exists and may be run`
      })
    ),
    Effect.timeoutOrElse({
      duration: timeout,
      orElse: () =>
        Effect.fail(
          CredentialsError.transport(label, "timeout", `${what} did not finish within ${Duration.format(timeout)}`, {
            hint: "the process was stopped; check that the command runs on its own, or raise the timeout option"
          })
        )
    })
  )

  if (finished.tooLarge) {
    return yield* CredentialsError.invalidResponse(label, `${what} printed more than ${MAX_OUTPUT_BYTES} bytes`)
  }
  if (finished.code !== 0) {
    const how = finished.code === null ? "was killed by a signal" : `exited with code ${finished.code}`
    return yield* CredentialsError.invalidResponse(label, `${what} ${how}`, {
      hint: "run the command from the config file in a shell; its error output is passed to this process's stderr"
    })
  }
  if (finished.stdout === undefined) {
    return yield* CredentialsError.invalidResponse(label, `${what} printed output that is not UTF-8`)
  }
  const decoded = decodeOutput(finished.stdout, base.profile, base.accountId)
  if (typeof decoded === "string") {
    return yield* CredentialsError.invalidResponse(label, `${what} ${decoded}`, {
      hint: 'it must print {"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ...} on standard output'
    })
  }
  return decoded
})
