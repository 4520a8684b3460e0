/**
 * Runs `node` children the way a user would run the uploader: a real process with an environment built from
 * scratch, its output collected. A child still running when the demo stops is killed.
 */
import { spawn } from "node:child_process"

export interface ChildResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly millis: number
}

export interface RunningChild {
  readonly done: Promise<ChildResult>
  readonly kill: () => void
  /** Sends a signal, as a user's Ctrl-C (`SIGINT`) would. */
  readonly signal: (signal: NodeJS.Signals) => void
}

const running = new Set<RunningChild>()

/** Starts `node <args>` with exactly `env`; the promise settles when it exits (or after `timeoutMs`, killed). */
export const startNode = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
  options: { readonly cwd?: string; readonly timeoutMs?: number } = {}
): RunningChild => {
  const startedAt = performance.now()
  const child = spawn(process.execPath, [...args], {
    env,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    windowsHide: true
  })
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text))
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text))
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs).unref()
  const handle: RunningChild = {
    done: new Promise((resolve, reject) => {
      child.once("error", reject)
      child.once("close", (code, signal) => {
        clearTimeout(timer)
        running.delete(handle)
        resolve({ code, signal, stdout, stderr, millis: performance.now() - startedAt })
      })
    }),
    kill: () => {
      child.kill("SIGKILL")
    },
    signal: (signal) => {
      child.kill(signal)
    }
  }
  running.add(handle)
  return handle
}

/** Runs `node <args>` to the end. */
export const runNode = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
  options: { readonly cwd?: string; readonly timeoutMs?: number } = {}
): Promise<ChildResult> => startNode(args, env, options).done

/** Kills every child still running. */
export const killAll = (): void => {
  for (const child of running) child.kill()
}
