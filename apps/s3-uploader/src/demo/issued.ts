/**
 * The credentials the emulators issued, so the local S3 endpoint can accept them. The emulators rotate on read and
 * keep only the set they serve now, so this keeps a history: it reads each watched emulator's current set often
 * (every 100 ms, far more often than the short lifetimes the demo and tests use) and on every unknown key id.
 */
import type { KeyInput } from "../localS3/index.js"

/** What an emulator's control offers: the set it serves now (the emulators' `control.current()`). */
export interface Issuer {
  readonly current: () => {
    readonly accessKeyId: string
    readonly secretAccessKey: string
    readonly sessionToken: string
    readonly expiration: Date
  }
}

export interface IssuedKeys {
  /** Starts tracking an emulator; returns a function that stops it (keys seen so far stay known). */
  readonly watch: (issuer: Issuer) => () => void
  /** For `startLocalS3({ resolveUnknown })`. */
  readonly resolveUnknown: (accessKeyId: string) => KeyInput | undefined
  /** Key ids and expirations recorded so far (no secrets). */
  readonly list: () => ReadonlyArray<{ readonly accessKeyId: string; readonly expiration: Date | undefined }>
  readonly stop: () => void
}

// How often watched emulators are read.
const POLL_MS = 100

export const makeIssuedKeys = (): IssuedKeys => {
  const known = new Map<string, KeyInput>()
  const issuers = new Set<Issuer>()
  let timer: NodeJS.Timeout | undefined

  const record = (issuer: Issuer) => {
    const set = issuer.current()
    if (known.has(set.accessKeyId)) return
    known.set(set.accessKeyId, {
      accessKeyId: set.accessKeyId,
      secretAccessKey: set.secretAccessKey,
      sessionToken: set.sessionToken,
      expiration: set.expiration
    })
  }
  const poll = () => issuers.forEach(record)

  return {
    watch: (issuer) => {
      issuers.add(issuer)
      record(issuer)
      timer ??= setInterval(poll, POLL_MS).unref()
      return () => {
        issuers.delete(issuer)
      }
    },
    resolveUnknown: (accessKeyId) => {
      if (!known.has(accessKeyId)) poll()
      return known.get(accessKeyId)
    },
    list: () => [...known.values()].map((key) => ({ accessKeyId: key.accessKeyId, expiration: key.expiration })),
    stop: () => {
      clearInterval(timer)
      timer = undefined
      issuers.clear()
    }
  }
}
