/**
 * The sharing rule of `fromDefaultChain`: providers made with structurally equal options share one cache per
 * process. Plain objects and arrays compare by content, functions (and objects with a prototype of their own,
 * such as class instances) by identity.
 */
const identities = new WeakMap<object, number>()
let nextIdentity = 0

const identity = (value: object): string => {
  let id = identities.get(value)
  if (id === undefined) {
    id = nextIdentity++
    identities.set(value, id)
  }
  return `#${id}`
}

const isPlain = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null || Array.isArray(value)
}

/** A string that is equal for two option values exactly when the sharing rule says they are the same. */
export const shareKey = (value: unknown): string => {
  if (value === undefined) return "u"
  if (typeof value === "function") return `f${identity(value)}`
  // Strings are quoted, so no option value can spell out the key of a different options object.
  if (typeof value === "string") return JSON.stringify(value)
  if (value === null || typeof value !== "object") return `${typeof value}:${String(value)}`
  if (!isPlain(value)) return `o${identity(value)}`
  if (Array.isArray(value)) return `[${value.map(shareKey).join(",")}]`
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${shareKey(v)}`).join(",")}}`
}
