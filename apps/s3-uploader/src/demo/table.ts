/** The demo's closing table: one row per environment. */
import { formatBytes } from "../internal/format.js"

export interface Row {
  readonly environment: string
  readonly source: string
  readonly objects: number
  readonly bytes: number
  readonly seconds: number
  /** Distinct access keys that signed accepted requests. */
  readonly keys: number
  readonly verified: boolean
  /** Why the row is not verified, one reason per entry. */
  readonly failures: ReadonlyArray<string>
}

const COLUMNS = ["Environment", "Credential source", "Objects", "Bytes", "Seconds", "Keys", "Verified"] as const

const cells = (row: Row): ReadonlyArray<string> => [
  row.environment,
  row.source,
  String(row.objects),
  formatBytes(row.bytes),
  row.seconds.toFixed(1),
  String(row.keys),
  row.verified ? "yes" : "NO"
]

const GREEN = "\u001b[32m"
const RED = "\u001b[31m"
const RESET = "\u001b[0m"

/** The table as lines of text, columns padded; numbers right-aligned; with `color`, "yes" green and "NO" red. */
export const render = (rows: ReadonlyArray<Row>, options?: { readonly color?: boolean }): ReadonlyArray<string> => {
  const table = [COLUMNS as ReadonlyArray<string>, ...rows.map(cells)]
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((line) => (line[i] ?? "").length)))
  const numeric = new Set([2, 3, 4, 5])
  const line = (values: ReadonlyArray<string>) =>
    values
      .map((value, i) => (numeric.has(i) ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()
  const rule = widths.map((width) => "-".repeat(width)).join("  ")
  // The verified cell is last on its line: colour it after padding, so the widths stay right.
  const paint = (row: Row) => {
    const text = line(cells(row))
    if (options?.color !== true) return text
    const verified = row.verified ? "yes" : "NO"
    return `${text.slice(0, -verified.length)}${row.verified ? GREEN : RED}${verified}${RESET}`
  }
  return [line(table[0] ?? []), rule, ...rows.map(paint)]
}
