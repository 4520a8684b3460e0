/**
 * The request log both emulators keep: method, path, a few headers and the outcome. Secret-bearing headers are
 * replaced by a placeholder when the request arrives, and bodies are never kept.
 */
import type * as Http from "node:http"

// Standard HTTP headers both emulators log: the container token travels in Authorization (RFC 9110 §11.6.2).
export const AUTHORIZATION_HEADER = "authorization"
export const USER_AGENT_HEADER = "user-agent"

/** What a logged secret header value is replaced with. */
export const REDACTED = "<redacted>"

/**
 * One request the emulator received, as the test sees it.
 *
 * @category models
 * @since 0.1.0
 */
export interface RequestRecord {
  readonly method: string
  readonly path: string
  /** The logged headers (lower-case names) that were present; secret ones read `"<redacted>"`. */
  readonly headers: Readonly<Record<string, string>>
  /** The status sent, or `null` while no answer was sent (delayed, hung or reset exchanges). */
  readonly status: number | null
  /** The kind of fault applied to this request (`"status"`, `"hang"`, `"drip"`, …), or `null`. */
  readonly fault: string | null
}

/** The mutable entry of one exchange, filled in as the answer goes out. */
export interface LogEntry {
  status: number | null
  fault: string | null
}

/** A request log with the header names it keeps and the ones it redacts. */
export interface RequestLog {
  readonly open: (req: Http.IncomingMessage, path: string) => LogEntry
  readonly list: () => ReadonlyArray<RequestRecord>
  readonly clear: () => void
}

/** Builds a log that keeps `logged` headers and writes `"<redacted>"` for the `secret` ones. */
export const makeRequestLog = (logged: ReadonlyArray<string>, secret: ReadonlyArray<string>): RequestLog => {
  let entries: Array<LogEntry & Omit<RequestRecord, "status" | "fault">> = []

  const pick = (req: Http.IncomingMessage): Record<string, string> => {
    const headers: Record<string, string> = {}
    for (const name of [...logged, ...secret]) {
      const value = req.headers[name]
      if (value === undefined) continue
      headers[name] = secret.includes(name) ? REDACTED : Array.isArray(value) ? value.join(", ") : value
    }
    return headers
  }

  return {
    open: (req, path) => {
      const entry = { method: req.method ?? "GET", path, headers: pick(req), status: null, fault: null }
      entries.push(entry)
      return entry
    },
    list: () => entries.map((entry) => ({ ...entry, headers: { ...entry.headers } })),
    clear: () => {
      entries = []
    }
  }
}
