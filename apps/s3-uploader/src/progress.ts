/**
 * The progress display on stderr: on a terminal, cli-progress bars (one for the total and one per file in flight,
 * with bytes and rate); otherwise one plain line per finished file with the running totals. Turned off for `--json`.
 */
import cliProgress from "cli-progress"

import { formatBytes, formatRate } from "./internal/format.js"

export interface Progress {
  readonly begin: (files: number, bytes: number) => void
  readonly start: (key: string, bytes: number) => void
  /** `loaded`: bytes of this file sent so far. */
  readonly advance: (key: string, loaded: number) => void
  readonly finish: (key: string, outcome: { readonly ok: boolean; readonly reason?: string | undefined }) => void
  readonly end: () => void
}

export type Mode = "terminal" | "lines" | "off"

export const off: Progress = { begin() {}, start() {}, advance() {}, finish() {}, end() {} }

// Keys longer than this are shortened from the left in bars, so the bars stay on one line.
const LABEL_WIDTH = 40

const label = (key: string): string =>
  key.length <= LABEL_WIDTH ? key.padEnd(LABEL_WIDTH) : `…${key.slice(key.length - LABEL_WIDTH + 1)}`

/** Counts what is sent: per file (the highest `loaded` seen, since retried parts may report again) and in total. */
const tally = () => {
  const sent = new Map<string, number>()
  let done = 0
  let files = 0
  let doneFiles = 0
  let total = 0
  const startedAt = performance.now()
  return {
    begin: (count: number, bytes: number) => {
      files = count
      total = bytes
    },
    advance: (key: string, loaded: number) => sent.set(key, Math.max(sent.get(key) ?? 0, loaded)),
    finish: (key: string, bytes: number) => {
      sent.delete(key)
      done += bytes
      doneFiles++
    },
    bytes: () => done + [...sent.values()].reduce((sum, value) => sum + value, 0),
    summary: () => ({ doneFiles, files, total, elapsed: performance.now() - startedAt })
  }
}

const lines = (stream: NodeJS.WritableStream): Progress => {
  const counts = tally()
  const sizes = new Map<string, number>()
  return {
    begin: counts.begin,
    start: (key, bytes) => sizes.set(key, bytes),
    advance: counts.advance,
    finish: (key, outcome) => {
      const bytes = sizes.get(key) ?? 0
      counts.finish(key, outcome.ok ? bytes : 0)
      const { doneFiles, files, total, elapsed } = counts.summary()
      const sent = counts.bytes()
      const status = outcome.ok ? `ok     ${key} (${formatBytes(bytes)})` : `FAILED ${key}: ${outcome.reason ?? ""}`
      stream.write(
        `${status}  [${doneFiles}/${files} files, ${formatBytes(sent)} of ${formatBytes(total)}, ${formatRate(sent, elapsed)}]\n`
      )
    },
    end: () => {}
  }
}

const terminal = (stream: NodeJS.WritableStream): Progress => {
  const counts = tally()
  const multibar = new cliProgress.MultiBar(
    {
      stream,
      format: "{bar} {percentage}% | {label} | {sent} of {size} | {rate}",
      hideCursor: true,
      autopadding: true,
      clearOnComplete: false,
      etaBuffer: 20
    },
    cliProgress.Presets.shades_classic
  )
  const bars = new Map<string, { readonly bar: cliProgress.SingleBar; readonly size: number; readonly at: number }>()
  let totalBar: cliProgress.SingleBar | undefined

  const payload = (name: string, sent: number, size: number, since: number) => ({
    label: label(name),
    sent: formatBytes(sent),
    size: formatBytes(size),
    rate: formatRate(sent, performance.now() - since)
  })
  const redrawTotal = () => {
    const { doneFiles, files, total, elapsed } = counts.summary()
    const sent = counts.bytes()
    totalBar?.update(sent, payload(`total (${doneFiles}/${files} files)`, sent, total, performance.now() - elapsed))
  }

  return {
    begin: (files, bytes) => {
      counts.begin(files, bytes)
      totalBar = multibar.create(
        Math.max(bytes, 1),
        0,
        payload(`total (0/${files} files)`, 0, bytes, performance.now())
      )
    },
    start: (key, bytes) => {
      const at = performance.now()
      bars.set(key, { bar: multibar.create(Math.max(bytes, 1), 0, payload(key, 0, bytes, at)), size: bytes, at })
    },
    advance: (key, loaded) => {
      counts.advance(key, loaded)
      const entry = bars.get(key)
      entry?.bar.update(loaded, payload(key, loaded, entry.size, entry.at))
      redrawTotal()
    },
    finish: (key, outcome) => {
      const entry = bars.get(key)
      bars.delete(key)
      counts.finish(key, outcome.ok ? (entry?.size ?? 0) : 0)
      if (entry !== undefined) multibar.remove(entry.bar)
      if (!outcome.ok) multibar.log(`FAILED ${key}: ${outcome.reason ?? ""}\n`)
      redrawTotal()
    },
    end: () => multibar.stop()
  }
}

/** The display for a mode; `terminal` and `lines` write to `stream` (stderr by default). */
export const make = (mode: Mode, stream: NodeJS.WritableStream = process.stderr): Progress =>
  mode === "terminal" ? terminal(stream) : mode === "lines" ? lines(stream) : off

/** Bars on a terminal, lines otherwise; nothing for JSON output. */
export const modeFor = (json: boolean, stream: { readonly isTTY?: boolean } = process.stderr): Mode =>
  json ? "off" : stream.isTTY === true ? "terminal" : "lines"
