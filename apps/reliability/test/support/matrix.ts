/**
 * Bookkeeping of the fault matrix: each row reports whether it passed, and the suite prints one summary line.
 */

interface Tally {
  rows: number
  passed: number
  readonly failed: Array<string>
  readonly byAdapter: Map<string, number>
}

const tally: Tally = { rows: 0, passed: 0, failed: [], byAdapter: new Map() }

/** Records the outcome of one row. */
export const recordRow = (adapter: string, fault: string, passed: boolean): void => {
  tally.rows++
  tally.byAdapter.set(adapter, (tally.byAdapter.get(adapter) ?? 0) + 1)
  if (passed) tally.passed++
  else tally.failed.push(`${adapter} × ${fault}`)
}

/** `fault matrix: 61 rows (imds 35, container 26), 61 passed, 0 failed`, plus the failed rows by name. */
export const summary = (): string => {
  const adapters = [...tally.byAdapter].map(([adapter, rows]) => `${adapter} ${rows}`).join(", ")
  const head = `fault matrix: ${tally.rows} rows (${adapters}), ${tally.passed} passed, ${tally.rows - tally.passed} failed`
  return tally.failed.length === 0 ? head : `${head}\n  failed: ${tally.failed.join("; ")}`
}
