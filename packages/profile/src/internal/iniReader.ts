/**
 * Line reader for the shared config/credentials file syntax: turns one file's text into raw
 * sections (header text, properties, sub-properties) without deciding which sections count.
 * Rules follow the cross-SDK parser suite (`config-file-parser-tests.json`).
 */

/** A syntax error that makes a whole file unusable. Never carries a property value. */
export interface ProfileParseError {
  readonly _tag: "ProfileParseError"
  readonly file: string
  readonly line: number
  readonly message: string
}

/** A line or section that was skipped. Never carries a property value. */
export interface ProfileFileWarning {
  readonly file: string
  readonly line: number
  readonly message: string
}

/** A property value: text, or sub-properties when the value was empty and indented `k = v` lines followed. */
export type RawValue = string | Map<string, string>

/** One `[...]` section as written; duplicates stay separate and are merged by the caller. */
export interface RawSection {
  /** The text between the brackets, trimmed. */
  readonly header: string
  readonly line: number
  readonly properties: Map<string, RawValue>
  /** Lines of properties and sub-properties whose names are not valid identifiers. */
  readonly invalidNames: Array<{ readonly line: number; readonly subProperty: boolean }>
}

/** Letters, digits and `_ - / . % @ : +`, as in the shared suite (letters and digits in any script). */
const IDENTIFIER = /^[\p{Alphabetic}\p{N}_\-/.%@:+]+$/u

export const isValidIdentifier = (name: string): boolean => IDENTIFIER.test(name)

const isWhitespace = (char: string | undefined): boolean => char === " " || char === "\t"

export const trimWhitespace = (text: string): string => text.replace(/^[ \t]+|[ \t]+$/g, "")

const isBlank = (line: string): boolean => /^[ \t]*$/.test(line)

/**
 * Cuts a trailing comment. After a section header any `#`/`;` starts one (`[profile foo];x`); in a
 * property line only one preceded by whitespace does (`value;x` keeps its `;`).
 */
const stripComment = (line: string, needsWhitespace: boolean): string => {
  for (let index = 0; index < line.length; index++) {
    const char = line[index]
    if ((char === "#" || char === ";") && (!needsWhitespace || isWhitespace(line[index - 1]))) {
      return trimWhitespace(line.slice(0, index))
    }
  }
  return line
}

/** The property whose value indented lines extend. */
interface Cursor {
  readonly section: RawSection
  readonly key: string
  /** `ignored`: its name was invalid, indented lines after it are dropped with it. */
  mode: "text" | "pending" | "sub" | "ignored"
}

type Step = ProfileParseError | undefined

export const makeParseError = (file: string, line: number, text: string): ProfileParseError => ({
  _tag: "ProfileParseError",
  file,
  line,
  message: `${text} (${file}, line ${line})`
})

const splitProperty = (text: string): { readonly key: string; readonly value: string } | "no-equals" | "no-name" => {
  const equals = text.indexOf("=")
  if (equals === -1) return "no-equals"
  const key = trimWhitespace(text.slice(0, equals))
  if (key === "") return "no-name"
  return { key, value: trimWhitespace(text.slice(equals + 1)) }
}

/** Reads one file. A UTF-8 byte order mark and CRLF line ends are accepted. */
export const readIniFile = (
  text: string,
  file: string
): { readonly sections: ReadonlyArray<RawSection> } | ProfileParseError => {
  const sections: Array<RawSection> = []
  let section: RawSection | undefined
  let cursor: Cursor | undefined
  const lines = (text.startsWith("\uFEFF") ? text.slice(1) : text).split("\n")

  const readHeader = (line: string, lineNumber: number): Step => {
    const prepared = stripComment(trimWhitespace(line), false)
    if (!prepared.endsWith("]")) return makeParseError(file, lineNumber, "Section definition must end with ']'")
    section = {
      header: trimWhitespace(prepared.slice(1, -1)),
      line: lineNumber,
      properties: new Map(),
      invalidNames: []
    }
    sections.push(section)
    cursor = undefined
    return undefined
  }

  const readProperty = (line: string, lineNumber: number): Step => {
    if (section === undefined) return makeParseError(file, lineNumber, "Expected a section definition")
    const parsed = splitProperty(stripComment(trimWhitespace(line), true))
    if (parsed === "no-equals") return makeParseError(file, lineNumber, "Expected an '=' sign defining a property")
    if (parsed === "no-name") return makeParseError(file, lineNumber, "Property did not have a name")
    // Property names are case-insensitive: `Name` and `name` are one key.
    const key = parsed.key.toLowerCase()
    if (!isValidIdentifier(key)) {
      section.invalidNames.push({ line: lineNumber, subProperty: false })
      cursor = { section, key, mode: "ignored" }
      return undefined
    }
    section.properties.set(key, parsed.value)
    cursor = { section, key, mode: parsed.value === "" ? "pending" : "text" }
    return undefined
  }

  const readContinuation = (line: string, lineNumber: number): Step => {
    if (section === undefined) return makeParseError(file, lineNumber, "Expected a section definition")
    if (cursor === undefined) {
      return makeParseError(file, lineNumber, "Expected a property definition, found continuation")
    }
    const content = trimWhitespace(line)
    const { properties } = cursor.section
    switch (cursor.mode) {
      case "ignored":
        return undefined
      case "text":
        // Comment characters are part of a continuation line.
        properties.set(cursor.key, `${properties.get(cursor.key) as string}\n${content}`)
        return undefined
      case "pending":
        properties.set(cursor.key, new Map())
        cursor.mode = "sub"
        return readSubProperty(cursor, content, lineNumber)
      case "sub":
        return readSubProperty(cursor, content, lineNumber)
    }
  }

  const readSubProperty = (current: Cursor, content: string, lineNumber: number): Step => {
    const parsed = splitProperty(content)
    if (parsed === "no-equals") {
      return makeParseError(file, lineNumber, "Expected an '=' sign defining a property in sub-property")
    }
    if (parsed === "no-name") return makeParseError(file, lineNumber, "Property did not have a name in sub-property")
    const key = parsed.key.toLowerCase()
    if (!isValidIdentifier(key)) {
      current.section.invalidNames.push({ line: lineNumber, subProperty: true })
      return undefined
    }
    // Sub-property values keep `#` and `;`: only top-level property lines have trailing comments.
    const subProperties = current.section.properties.get(current.key) as Map<string, string>
    subProperties.set(key, parsed.value)
    return undefined
  }

  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] as string
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    if (isBlank(line) || line.startsWith("#") || line.startsWith(";")) continue
    const lineNumber = index + 1
    const step = line.startsWith("[")
      ? readHeader(line, lineNumber)
      : isWhitespace(line[0])
        ? readContinuation(line, lineNumber)
        : readProperty(line, lineNumber)
    if (step !== undefined) return step
  }
  return { sections }
}
