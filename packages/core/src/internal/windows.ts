import * as Duration from "effect/Duration"

// decisions §19: the advisory window grows with the credentials' lifetime.
const SHORT_LIFETIME = Duration.minutes(20)
const MEDIUM_LIFETIME = Duration.minutes(90)
const SHORT_ADVISORY = Duration.minutes(5)
const MEDIUM_ADVISORY = Duration.minutes(15)
const LONG_ADVISORY = Duration.minutes(60)
const MANDATORY = Duration.minutes(1)
// decisions §22: credentials without an expiration are re-checked at most this often.
export const RECHECK_NO_EXPIRY = Duration.minutes(15)
// decisions §19: a refresh that returned the same credentials is not retried sooner than this.
export const SAME_CREDENTIALS_QUIET = Duration.seconds(60)
// decisions §20: after a failed refresh the source is left alone for 5–10 minutes.
export const BACKOFF_MIN = Duration.minutes(5)
export const BACKOFF_MAX = Duration.minutes(10)
// decisions §20: a non-recoverable failure is answered from memory for this long.
export const FATAL_MEMORY = Duration.seconds(5)

/** Points in time (epoch ms) at which cached credentials enter each refresh window. */
export interface Windows {
  readonly refreshAt: number
  readonly mandatoryAt: number
  readonly expiresAt: number
}

export const advisoryFor = (lifetimeMillis: number, configured: Duration.Duration | undefined): number => {
  const table =
    lifetimeMillis <= Duration.toMillis(SHORT_LIFETIME)
      ? SHORT_ADVISORY
      : lifetimeMillis <= Duration.toMillis(MEDIUM_LIFETIME)
        ? MEDIUM_ADVISORY
        : LONG_ADVISORY
  // Limitation: the table is written for credentials that live 15 minutes or more. For shorter lifetimes the
  // window is capped at half the lifetime, so a 2-minute credential is refreshed after one minute instead of on
  // every call; a configured window larger than that is capped the same way. Lifting it means a lifetime-aware
  // table agreed across SDKs.
  return Math.min(Duration.toMillis(configured ?? table), Math.max(0, lifetimeMillis / 2))
}

/** The refresh windows of credentials fetched at `fetchedAt` (decisions §19, §22). */
export const windowsFor = (
  fetchedAt: number,
  expiration: Date | undefined,
  configured: Duration.Duration | undefined
): Windows => {
  if (expiration === undefined) {
    return {
      refreshAt: fetchedAt + Duration.toMillis(RECHECK_NO_EXPIRY),
      mandatoryAt: Number.POSITIVE_INFINITY,
      expiresAt: Number.POSITIVE_INFINITY
    }
  }
  const expiresAt = expiration.getTime()
  const advisory = advisoryFor(expiresAt - fetchedAt, configured)
  const mandatory = Math.min(Duration.toMillis(MANDATORY), advisory)
  return { refreshAt: expiresAt - advisory, mandatoryAt: expiresAt - mandatory, expiresAt }
}
