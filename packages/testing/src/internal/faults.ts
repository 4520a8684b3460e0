/**
 * Fault rules shared by the emulators: which misbehaviour to apply to which path, and for how many requests.
 * Rules are consulted in the order they were added; the first one that matches a request is used.
 */

interface Times {
  /** Apply the fault to this many matching requests, then drop the rule; without it the rule stays. */
  readonly times?: number
}

/**
 * A misbehaviour to inject on matching requests: an error status, a slow, hung, reset or dripping answer, a bad
 * body (`"malformed"` JSON, a `"partial"` document, or any custom string served with 200), throttling, an
 * oversized body or raw bytes.
 *
 * @category errors
 * @since 0.1.0
 */
export type Fault =
  | ({ readonly status: number; readonly body?: string } & Times)
  | ({ readonly delay: number } & Times)
  | ({ readonly hang: true } & Times)
  | ({ readonly reset: true | "mid-body" } & Times)
  | ({ readonly body: "malformed" | "partial" | (string & {}) } & Times)
  | { readonly throttle: number }
  | ({ readonly drip: number } & Times)
  | ({ readonly huge: number } & Times)
  | ({ readonly bytes: Uint8Array } & Times)

/** Path pattern that matches every request. */
export const ANY_PATH = "*"

/** An ordered set of fault rules. */
export interface FaultTable<F> {
  /** Adds a rule for paths starting with `pattern` (or every path for `"*"`). */
  readonly add: (pattern: string, fault: F) => void
  readonly clear: () => void
  /** The fault for a request to `path`, counting it against the rule's `times`; rules `applies` rejects are skipped. */
  readonly take: (path: string, applies: (fault: F) => boolean) => F | undefined
}

interface Rule<F> {
  readonly pattern: string
  readonly fault: F
  remaining: number | undefined
}

const countOf = (fault: object): number | undefined => {
  if ("throttle" in fault) return fault.throttle as number
  if ("times" in fault) return fault.times as number | undefined
  return undefined
}

/** Builds an empty fault table. */
export const makeFaultTable = <F extends object>(): FaultTable<F> => {
  let rules: Array<Rule<F>> = []
  return {
    add: (pattern, fault) => {
      const remaining = countOf(fault)
      if (remaining !== undefined && (!Number.isInteger(remaining) || remaining < 1)) {
        throw new RangeError(`fault count must be a positive integer, got ${remaining}`)
      }
      rules.push({ pattern, fault, remaining })
    },
    clear: () => {
      rules = []
    },
    take: (path, applies) => {
      const rule = rules.find(
        (candidate) =>
          (candidate.pattern === ANY_PATH || path.startsWith(candidate.pattern)) && applies(candidate.fault)
      )
      if (rule === undefined) return undefined
      if (rule.remaining !== undefined && --rule.remaining === 0) rules = rules.filter((other) => other !== rule)
      return rule.fault
    }
  }
}

/** A short name for the kind of fault, as the request log shows it. */
export const faultKind = (fault: object): string => {
  if ("status" in fault) return "status"
  const kinds = ["delay", "hang", "reset", "throttle", "drip", "huge", "bytes", "code", "body"]
  return kinds.find((kind) => kind in fault) ?? "unknown"
}
