/**
 * Credential sets that look like the ones AWS issues, and the rotation both emulators apply: a new set is issued
 * when the served one has less than `rotateBefore` left, so successive fetches after that point see new keys.
 */
import { randomBytes } from "node:crypto"

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS

/** Lifetime of a generated set when none is given: six hours, as IMDS role credentials last. */
export const DEFAULT_LIFETIME_MS = 6 * HOUR_MS

// Temporary (STS-issued) access key ids start with ASIA followed by 16 upper-case letters and digits.
const ACCESS_KEY_PREFIX = "ASIA"
const ACCESS_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
// STS session tokens are long base64 strings; real ones begin with this encoded prefix.
const SESSION_TOKEN_PREFIX = "IQoJb3JpZ2luX2Vj"

/**
 * A credential set the emulator serves; the test's own fixture, so it carries the secrets in the clear.
 *
 * @category models
 * @since 0.1.0
 */
export interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
  readonly expiration: Date
  /** When this set was issued: the `LastUpdated` of an IMDS document. */
  readonly issuedAt: Date
}

/**
 * Fixed keys to serve instead of generated ones; without `expiration` each renewal extends them by the lifetime.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface FixedCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
  readonly expiration?: Date
}

/** What the credential source needs to know. */
export interface SourceOptions {
  readonly now: () => number
  readonly lifetime?: number | undefined
  readonly rotateBefore?: number | undefined
  readonly fixed?: FixedCredentials | undefined
}

/** The credentials an emulator serves, with rotation applied on every read. */
export interface CredentialSource {
  readonly current: () => Credentials
  readonly rotate: () => Credentials
  readonly setLifetime: (ms: number) => void
}

const randomAlphabet = (alphabet: string, length: number): string =>
  Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join("")

/** A random string of `bytes` random bytes in base64, for tokens. */
export const randomBase64 = (bytes: number): string => randomBytes(bytes).toString("base64")

/** An ISO-8601 UTC timestamp with whole seconds, as AWS writes `Expiration`. */
export const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z")

const checkPositive = (name: string, ms: number): number => {
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`${name} must be a positive number of ms, got ${ms}`)
  return ms
}

/** Builds a credential source; `rotateBefore` defaults to a quarter of the lifetime. */
export const makeCredentialSource = (options: SourceOptions): CredentialSource => {
  let lifetime = checkPositive("lifetime", options.lifetime ?? DEFAULT_LIFETIME_MS)
  const rotateBefore = (): number => options.rotateBefore ?? lifetime / 4
  if (options.rotateBefore !== undefined && checkPositive("rotateBefore", options.rotateBefore) >= lifetime) {
    throw new RangeError("rotateBefore must be shorter than the lifetime")
  }

  const issue = (): Credentials => {
    const issuedAt = options.now()
    const fixed = options.fixed
    return {
      accessKeyId: fixed?.accessKeyId ?? ACCESS_KEY_PREFIX + randomAlphabet(ACCESS_KEY_ALPHABET, 16),
      secretAccessKey: fixed?.secretAccessKey ?? randomBase64(30),
      sessionToken: fixed?.sessionToken ?? SESSION_TOKEN_PREFIX + randomBase64(480),
      expiration: fixed?.expiration ?? new Date(issuedAt + lifetime),
      issuedAt: new Date(issuedAt)
    }
  }

  let served = issue()
  const rotate = (): Credentials => (served = issue())
  return {
    // Fixed credentials with their own expiration never rotate: a test may serve expired keys on purpose.
    current: () =>
      options.fixed?.expiration === undefined && served.expiration.getTime() - options.now() < rotateBefore()
        ? rotate()
        : served,
    rotate,
    setLifetime: (ms) => {
      if (options.rotateBefore !== undefined && options.rotateBefore >= checkPositive("lifetime", ms)) {
        throw new RangeError("lifetime must be longer than rotateBefore")
      }
      lifetime = ms
    }
  }
}
