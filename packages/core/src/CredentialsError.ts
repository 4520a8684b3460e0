/**
 * The one error family of credkit. `CredentialsError` wraps a `reason`, a small tagged class that names the
 * condition and says whether a chain may try the next source. Messages name what was tried and what to check;
 * they never carry a secret, a token or a response body.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

interface ReasonFields {
  /** What was tried and what happened, in words an operator can act on. */
  readonly message: string
  /** What to check next, when a known pattern applies. */
  readonly hint?: string | undefined
  /** The underlying failure, kept for debugging; never a response body. */
  readonly cause?: unknown
}

/**
 * The source is not configured here (no variables, no file, no role): a chain moves on.
 *
 * @category errors
 * @since 0.1.0
 */
export class Unavailable extends Data.TaggedClass("Unavailable")<ReasonFields> {
  get tryNextLink(): boolean {
    return true
  }
  get recoverable(): boolean {
    return true
  }
}

/**
 * The source is present but its configuration is wrong: a chain stops, since falling through to another identity
 * is worse than failing.
 *
 * @category errors
 * @since 0.1.0
 */
export class Misconfigured extends Data.TaggedClass("Misconfigured")<ReasonFields> {
  get tryNextLink(): boolean {
    return false
  }
  get recoverable(): boolean {
    return false
  }
}

/**
 * The service refused to issue credentials (access denied, trust policy, `Code` other than `Success`).
 *
 * @category errors
 * @since 0.1.0
 */
export class Unauthorized extends Data.TaggedClass("Unauthorized")<ReasonFields & { readonly code?: string }> {
  get tryNextLink(): boolean {
    return false
  }
  get recoverable(): boolean {
    return false
  }
}

/**
 * The source answered with something that is not usable credentials (bad JSON, missing fields, bad dates).
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidResponse extends Data.TaggedClass("InvalidResponse")<ReasonFields> {
  get tryNextLink(): boolean {
    return false
  }
  get recoverable(): boolean {
    return true
  }
}

/**
 * The request did not complete: connection refused or reset, timeout, 5xx after every attempt.
 *
 * @category errors
 * @since 0.1.0
 */
export class Transport extends Data.TaggedClass("Transport")<
  ReasonFields & { readonly kind: "refused" | "timeout" | "reset" | "status" | "other" }
> {
  get tryNextLink(): boolean {
    return false
  }
  get recoverable(): boolean {
    return true
  }
}

/**
 * The source returned credentials that had already expired.
 *
 * @category errors
 * @since 0.1.0
 */
export class Expired extends Data.TaggedClass("Expired")<ReasonFields> {
  get tryNextLink(): boolean {
    return false
  }
  get recoverable(): boolean {
    return true
  }
}

/**
 * Every source of a chain was tried and none had credentials; `attempts` on the error says why for each.
 *
 * @category errors
 * @since 0.1.0
 */
export class ChainExhausted extends Data.TaggedClass("ChainExhausted")<ReasonFields> {
  get tryNextLink(): boolean {
    return true
  }
  get recoverable(): boolean {
    return true
  }
}

/**
 * Any reason.
 *
 * @category errors
 * @since 0.1.0
 */
export type Reason = Unavailable | Misconfigured | Unauthorized | InvalidResponse | Transport | Expired | ChainExhausted

/**
 * The outcome of one source in a chain, as reported by `CredentialsError.attempts` and `explain()`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Attempt {
  readonly source: string
  readonly outcome: "succeeded" | "skipped" | "failed" | "not-reached"
  readonly reason?: string | undefined
  readonly message?: string | undefined
  readonly hint?: string | undefined
  readonly elapsedMs: number
}

/**
 * The error every credkit source, chain and provider fails with.
 *
 * @category errors
 * @since 0.1.0
 */
export class CredentialsError extends Data.TaggedError("CredentialsError")<{
  readonly reason: Reason
  /** The label of the source that failed, or `chain`. */
  readonly source: string
  /** For a chain: every source in order with what happened. */
  readonly attempts?: ReadonlyArray<Attempt> | undefined
}> {
  override readonly name = "CredentialsError"

  static readonly Unavailable = Unavailable
  static readonly Misconfigured = Misconfigured
  static readonly Unauthorized = Unauthorized
  static readonly InvalidResponse = InvalidResponse
  static readonly Transport = Transport
  static readonly Expired = Expired
  static readonly ChainExhausted = ChainExhausted
  static readonly unavailable = (source: string, message: string, extra?: Omit<ReasonFields, "message">) =>
    unavailable(source, message, extra)
  static readonly misconfigured = (source: string, message: string, extra?: Omit<ReasonFields, "message">) =>
    misconfigured(source, message, extra)
  static readonly invalidResponse = (source: string, message: string, extra?: Omit<ReasonFields, "message">) =>
    invalidResponse(source, message, extra)
  static readonly unauthorized = (
    source: string,
    message: string,
    extra?: Omit<ReasonFields, "message"> & { readonly code?: string }
  ) => unauthorized(source, message, extra)
  static readonly transport = (
    source: string,
    kind: Transport["kind"],
    message: string,
    extra?: Omit<ReasonFields, "message">
  ) => transport(source, kind, message, extra)
  static readonly expired = (source: string, message: string) => expired(source, message)
  static readonly is = (u: unknown): u is CredentialsError => isCredentialsError(u)
  static readonly formatAttempts = (attempts: ReadonlyArray<Attempt>) => formatAttempts(attempts)

  /** Whether an outer chain (credkit's or the AWS SDK's) may try its next provider. */
  get tryNextLink(): boolean {
    return this.reason.tryNextLink
  }

  override get message(): string {
    const head = `${this.source}: ${this.reason.message}`
    const hint = this.reason.hint === undefined ? "" : `\n  hint: ${this.reason.hint}`
    return this.attempts === undefined || this.attempts.length === 0
      ? head + hint
      : `${head}${hint}\n${formatAttempts(this.attempts)}`
  }
}

/**
 * Renders attempts as an aligned multi-line list, one line per source (plus its hint).
 *
 * @category models
 * @since 0.1.0
 */
export const formatAttempts = (attempts: ReadonlyArray<Attempt>): string =>
  attempts
    .map((attempt, index) => {
      const what = attempt.reason === undefined ? attempt.outcome : `${attempt.outcome} (${attempt.reason})`
      const line = `  ${index + 1}. ${attempt.source}: ${what}${attempt.message === undefined ? "" : `: ${attempt.message}`} [${Math.round(attempt.elapsedMs)} ms]`
      return attempt.hint === undefined ? line : `${line}\n     hint: ${attempt.hint}`
    })
    .join("\n")

/**
 * Shorthand constructors: `CredentialsError.unavailable("env", "AWS_ACCESS_KEY_ID is not set")`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const unavailable = (source: string, message: string, extra?: Omit<ReasonFields, "message">) =>
  new CredentialsError({ source, reason: new Unavailable({ message, ...extra }) })

/**
 * @category constructors
 * @since 0.1.0
 */
export const misconfigured = (source: string, message: string, extra?: Omit<ReasonFields, "message">) =>
  new CredentialsError({ source, reason: new Misconfigured({ message, ...extra }) })

/**
 * @category constructors
 * @since 0.1.0
 */
export const invalidResponse = (source: string, message: string, extra?: Omit<ReasonFields, "message">) =>
  new CredentialsError({ source, reason: new InvalidResponse({ message, ...extra }) })

/**
 * @category constructors
 * @since 0.1.0
 */
export const unauthorized = (
  source: string,
  message: string,
  extra?: Omit<ReasonFields, "message"> & { readonly code?: string }
) => new CredentialsError({ source, reason: new Unauthorized({ message, ...extra }) })

/**
 * @category constructors
 * @since 0.1.0
 */
export const transport = (
  source: string,
  kind: Transport["kind"],
  message: string,
  extra?: Omit<ReasonFields, "message">
) => new CredentialsError({ source, reason: new Transport({ kind, message, ...extra }) })

/**
 * @category constructors
 * @since 0.1.0
 */
export const expired = (source: string, message: string) =>
  new CredentialsError({ source, reason: new Expired({ message }) })

/**
 * True for a `CredentialsError`, also across copies of the package.
 *
 * @category errors
 * @since 0.1.0
 */
export const isCredentialsError = (u: unknown): u is CredentialsError =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "CredentialsError"
