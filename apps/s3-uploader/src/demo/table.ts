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

/** The table as lines of text, columns padded; numbers right-aligned. */
export const render = (rows: ReadonlyArray<Row>): ReadonlyArray<string> => {
  const table = [COLUMNS as ReadonlyArray<string>, ...rows.map(cells)]
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((line) => (line[i] ?? "").length)))
  const numeric = new Set([2, 3, 4, 5])
  const line = (values: ReadonlyArray<string>) =>
    values
      .map((value, i) => (numeric.has(i) ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()
  const rule = widths.map((width) => "-".repeat(width)).join("  ")
  return [line(table[0] ?? []), rule, ...table.slice(1).map(line)]
}
