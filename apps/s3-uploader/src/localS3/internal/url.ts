/** Splitting and decoding request targets without throwing on malformed percent-encoding. */

/** `decodeURIComponent`, or the text unchanged when it is not valid percent-encoding. */
export const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The path and the query of a request target, both still percent-encoded. */
export const splitUrl = (url: string): { readonly rawPath: string; readonly rawQuery: string } => {
  const at = url.indexOf("?")
  return at === -1 ? { rawPath: url, rawQuery: "" } : { rawPath: url.slice(0, at), rawQuery: url.slice(at + 1) }
}

/** The query as decoded name/value pairs, in order; a name without `=` has the empty value (`?uploads`). */
export const decodeQuery = (rawQuery: string): ReadonlyArray<readonly [string, string]> =>
  rawQuery
    .split("&")
    .filter((part) => part !== "")
    .map((part) => {
      const at = part.indexOf("=")
      return at === -1 ? [safeDecode(part), ""] : [safeDecode(part.slice(0, at)), safeDecode(part.slice(at + 1))]
    })
