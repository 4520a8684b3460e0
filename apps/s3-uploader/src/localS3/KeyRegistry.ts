/**
 * The credentials the local S3 endpoint accepts: the ones the emulators issued, registered by the caller. Secrets are
 * held as `Redacted` values, and nothing this module returns contains one.
 */
import * as Redacted from "effect/Redacted"

/** A credential set to accept. Plain strings or `Redacted` values; an empty session token means none. */
export interface KeyInput {
  readonly accessKeyId: string
  readonly secretAccessKey: string | Redacted.Redacted<string>
  readonly sessionToken?: string | Redacted.Redacted<string> | undefined
  /** After this instant requests signed with the key get `ExpiredToken`. */
  readonly expiration?: Date | undefined
}

/** What `list()` tells about a registered key: never the secret or the token. */
export interface KeyInfo {
  readonly accessKeyId: string
  readonly hasSessionToken: boolean
  readonly expiration: Date | undefined
}

/** The keys the endpoint accepts. Adding a key id that is already registered replaces it. */
export interface KeyRegistry {
  readonly add: (key: KeyInput) => void
  /** Whether the key was registered. */
  readonly remove: (accessKeyId: string) => boolean
  readonly list: () => ReadonlyArray<KeyInfo>
}

/** A key as the verifier uses it. */
export interface RegisteredKey {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken: Redacted.Redacted<string> | undefined
  readonly expiration: Date | undefined
}

/** Looks a key up lazily, for keys not registered: e.g. from the emulators' issued credentials. */
export type ResolveUnknown = (accessKeyId: string) => KeyInput | undefined | Promise<KeyInput | undefined>

const reveal = (value: string | Redacted.Redacted<string>): string =>
  Redacted.isRedacted(value) ? Redacted.value(value) : value

/** Checks and wraps a key; throws a TypeError naming the field (never its value) when one is missing. */
export const toRegisteredKey = (key: KeyInput): RegisteredKey => {
  if (typeof key.accessKeyId !== "string" || !/^[^/\s]+$/.test(key.accessKeyId)) {
    throw new TypeError("KeyRegistry: accessKeyId must be a non-empty string without '/' or spaces")
  }
  const secret = reveal(key.secretAccessKey)
  if (secret === "") throw new TypeError("KeyRegistry: secretAccessKey must not be empty")
  const token = key.sessionToken === undefined ? "" : reveal(key.sessionToken)
  if (key.expiration !== undefined && Number.isNaN(key.expiration.getTime())) {
    throw new TypeError("KeyRegistry: expiration must be a valid Date")
  }
  return {
    accessKeyId: key.accessKeyId,
    secretAccessKey: Redacted.make(secret),
    sessionToken: token === "" ? undefined : Redacted.make(token),
    expiration: key.expiration === undefined ? undefined : new Date(key.expiration.getTime())
  }
}

/** A registry plus the lookup the verifier uses: registered keys first, then `resolveUnknown`. */
export const make = (
  resolveUnknown?: ResolveUnknown
): { readonly registry: KeyRegistry; readonly lookup: (accessKeyId: string) => Promise<RegisteredKey | undefined> } => {
  const keys = new Map<string, RegisteredKey>()

  const registry: KeyRegistry = {
    add: (key) => {
      const registered = toRegisteredKey(key)
      keys.set(registered.accessKeyId, registered)
    },
    remove: (accessKeyId) => keys.delete(accessKeyId),
    list: () =>
      [...keys.values()].map((key) => ({
        accessKeyId: key.accessKeyId,
        hasSessionToken: key.sessionToken !== undefined,
        expiration: key.expiration === undefined ? undefined : new Date(key.expiration.getTime())
      }))
  }

  const lookup = async (accessKeyId: string): Promise<RegisteredKey | undefined> => {
    const known = keys.get(accessKeyId)
    if (known !== undefined || resolveUnknown === undefined) return known
    const resolved = await resolveUnknown(accessKeyId)
    return resolved === undefined || resolved.accessKeyId !== accessKeyId ? undefined : toRegisteredKey(resolved)
  }

  return { registry, lookup }
}
