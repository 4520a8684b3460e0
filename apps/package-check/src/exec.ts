/**
 * Runs a command as a child process and collects its output, without a shell and without throwing on a non-zero
 * exit: checks assert on the exit code and quote the output in their failure messages.
 */
import { spawn } from "node:child_process"

export interface ExecResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface ExecOptions {
  readonly cwd: string
  readonly env?: NodeJS.ProcessEnv | undefined
  readonly input?: string | undefined
  /** Kills the command after this many milliseconds (it then has no exit code). */
  readonly timeout?: number | undefined
}

// pnpm and npm are .cmd shims on Windows, which spawn can only start through a shell.
const isWindows = process.platform === "win32"

export const exec = (command: string, args: ReadonlyArray<string>, options: ExecOptions): Promise<ExecResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      shell: isWindows && command !== process.execPath,
      stdio: ["pipe", "pipe", "pipe"],
      ...(options.timeout === undefined ? {} : { timeout: options.timeout })
    })
    const stdout: Array<Buffer> = []
    const stderr: Array<Buffer> = []
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", reject)
    child.on("close", (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8")
      })
    )
    child.stdin.end(options.input ?? "")
  })

/** The command line and its output, for an assertion message. */
export const describeRun = (label: string, result: ExecResult): string =>
  `${label} ${result.signal === null ? `exited with ${result.code}` : `was killed (${result.signal})`}\n--- stdout\n${result.stdout.trim()}\n--- stderr\n${result.stderr.trim()}`
