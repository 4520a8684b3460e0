/**
 * What the two command-line bins share: reading numeric flags and staying up until SIGINT or SIGTERM. Printing is
 * left to the bins.
 */

// Signals that stop a bin; each closes the emulator first, so open exchanges end cleanly.
const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const

/** The usage error of a bin, printed with the usage text and exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError"
}

/** A non-negative integer flag value (a port), or `undefined` when the flag is absent. */
export const portFlag = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port must be 0–65535, got ${value}`)
  return port
}

/** A lifetime flag in seconds, converted to ms, or `undefined` when the flag is absent. */
export const secondsFlag = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const seconds = Number(value)
  if (!(seconds > 0) || !Number.isFinite(seconds))
    throw new UsageError(`--${name} must be a positive number of seconds`)
  return seconds * 1000
}

/** A flag restricted to `choices`, or `undefined` when absent. */
export const choiceFlag = <A extends string>(
  name: string,
  value: string | undefined,
  choices: ReadonlyArray<A>
): A | undefined => {
  if (value === undefined) return undefined
  const choice = choices.find((candidate) => candidate === value)
  if (choice === undefined) throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got ${value}`)
  return choice
}

/** Closes `close` on the first SIGINT or SIGTERM, then exits with code 0. */
export const closeOnSignal = (close: () => Promise<void>): void => {
  const stop = (): void => {
    void close().then(() => process.exit(0))
  }
  for (const signal of STOP_SIGNALS) process.once(signal, stop)
}

/**
 * Runs a bin's `main`: a usage error (ours, or `parseArgs` rejecting a flag) prints the message and the usage text
 * and exits 2; anything else prints the error and exits 1.
 */
export const runBin = (main: () => Promise<void>, usage: string): void => {
  main().catch((error: unknown) => {
    const isUsage = error instanceof UsageError || (error instanceof TypeError && "code" in error)
    console.error(isUsage ? `${(error as Error).message}\n${usage}` : error)
    process.exit(isUsage ? 2 : 1)
  })
}
