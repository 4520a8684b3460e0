/**
 * Reads the shared config and credentials files through a small reader service (Node's `fs` by default, a fake in
 * tests) and parses them only when one changed: every fetch stats each file once and compares modification time
 * and size with the version parsed last (decisions §16). A missing file reads as empty.
 */
import type * as NodeFs from "node:fs"

import { CredentialsError } from "@credkit/core"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

import { type ProfileFiles, type ProfileParseError, parseProfileFiles } from "./parser.js"

/** What `stat` reports of a file: enough to notice a rewrite. */
export interface FileVersion {
  readonly mtimeMs: number
  readonly size: number
}

/** A file that exists but cannot be read (permissions, a directory, an I/O error). */
export class FileReadError extends Data.TaggedError("FileReadError")<{
  readonly path: string
  readonly code: string
}> {}

/** The file access the profile source needs. `undefined` means the file does not exist. */
export interface FileReaderShape {
  readonly stat: (path: string) => Effect.Effect<FileVersion | undefined, FileReadError>
  readonly read: (path: string) => Effect.Effect<string | undefined, FileReadError>
}

const codeOf = (error: unknown): string => String((error as { code?: unknown } | undefined)?.code ?? "EIO")

const isMissing = (error: unknown): boolean => ["ENOENT", "ENOTDIR"].includes(codeOf(error))

// node:fs is looked up when the first file is read, never at import.
const fs = (): typeof NodeFs => process.getBuiltinModule("node:fs")

const nodeReader: FileReaderShape = {
  stat: (path) =>
    Effect.tryPromise({
      try: () =>
        fs()
          .promises.stat(path)
          .then(
            (stats): FileVersion | Promise<never> =>
              stats.isDirectory()
                ? Promise.reject(Object.assign(new Error("is a directory"), { code: "EISDIR" }))
                : { mtimeMs: stats.mtimeMs, size: stats.size },
            (error: unknown) => (isMissing(error) ? undefined : Promise.reject(error))
          ),
      catch: (error) => new FileReadError({ path, code: codeOf(error) })
    }),
  read: (path) =>
    Effect.tryPromise({
      try: () =>
        fs()
          .promises.readFile(path, "utf8")
          .catch((error: unknown) => (isMissing(error) ? undefined : Promise.reject(error))),
      catch: (error) => new FileReadError({ path, code: codeOf(error) })
    })
}

/**
 * The file reader: a `Context.Reference` defaulting to Node's `fs`. Provide another to read from elsewhere.
 */
export const FileReader = Context.Reference<FileReaderShape>("@credkit/profile/FileReader", {
  defaultValue: () => nodeReader
})

/** One version of one file: its text (`undefined` when missing) and what `stat` said. */
interface Entry {
  readonly version: string
  readonly text: string | undefined
}

/** Per fetch: the entries already stat'ed, so each file is looked at once however many readers ask. */
export const FileSnapshot = Context.Reference<Map<string, Entry> | undefined>("@credkit/profile/FileSnapshot", {
  defaultValue: () => undefined
})

interface Parsed {
  readonly config: Entry | undefined
  readonly credentials: Entry | undefined
  readonly result: ProfileFiles | ProfileParseError
}

// Keyed by reader, so a test's fake files never meet another reader's cache.
const entries = new WeakMap<FileReaderShape, Map<string, Entry>>()
const parses = new WeakMap<FileReaderShape, Map<string, Parsed>>()

const cacheOf = <A>(store: WeakMap<FileReaderShape, Map<string, A>>, reader: FileReaderShape): Map<string, A> => {
  const found = store.get(reader)
  if (found !== undefined) return found
  const created = new Map<string, A>()
  store.set(reader, created)
  return created
}

const unreadable = (label: string, error: FileReadError) =>
  CredentialsError.misconfigured(label, `the profile file ${error.path} exists but cannot be read (${error.code})`, {
    hint: "check that it is a regular file this process may read, or point the file setting elsewhere",
    cause: error
  })

// Limitation: a file rewritten with the same size within the file system's timestamp resolution is not noticed;
// the old profiles stay in use until the next change or a restart. Comparing content hashes would lift it, at the
// cost of reading the file on every fetch.
const readFile = Effect.fnUntraced(function* (reader: FileReaderShape, path: string) {
  const snapshot = yield* FileSnapshot
  const seen = snapshot?.get(path)
  if (seen !== undefined) return seen
  const cache = cacheOf(entries, reader)

  const stat = yield* reader.stat(path)
  const version = stat === undefined ? "missing" : `${stat.mtimeMs}:${stat.size}`
  const cached = cache.get(path)
  const entry =
    cached !== undefined && cached.version === version
      ? cached
      : { version, text: stat === undefined ? undefined : yield* reader.read(path) }

  cache.set(path, entry)
  snapshot?.set(path, entry)
  return entry
})

/** The parsed files, with whether each exists. */
export interface LoadedFiles {
  readonly files: ProfileFiles
  readonly configExists: boolean
  readonly credentialsExists: boolean
}

/**
 * Stats both files, re-reads and re-parses only what changed, and logs the parser's warnings once per file
 * version. A syntax error fails with Misconfigured naming the file and line; `label` is the error's source.
 */
export const loadProfileFiles = Effect.fnUntraced(function* (
  configPath: string | undefined,
  credentialsPath: string | undefined,
  label: string
) {
  const reader = yield* FileReader

  const read = (path: string | undefined) => (path === undefined ? Effect.succeed(undefined) : readFile(reader, path))
  const [config, credentials] = yield* Effect.mapError(
    Effect.all([read(configPath), read(credentialsPath)], { concurrency: 2 }),
    (error) => unreadable(label, error)
  )

  const parseCache = cacheOf(parses, reader)
  const key = `${configPath ?? ""}\u0000${credentialsPath ?? ""}`
  const previous = parseCache.get(key)
  const parsed =
    previous !== undefined && previous.config === config && previous.credentials === credentials
      ? previous
      : {
          config,
          credentials,
          result: parseProfileFiles({
            configFile: config?.text,
            credentialsFile: credentials?.text,
            configPath,
            credentialsPath
          })
        }

  if (parsed !== previous) {
    parseCache.set(key, parsed)
    const changed = new Set<string | undefined>()
    if (previous?.config !== config) changed.add(configPath)
    if (previous?.credentials !== credentials) changed.add(credentialsPath)
    if (parsed.result._tag === "ProfileFiles") {
      for (const warning of parsed.result.warnings) {
        if (changed.has(warning.file)) yield* Effect.logWarning(`profile file: ${warning.message}`)
      }
    }
  }

  if (parsed.result._tag === "ProfileParseError") {
    return yield* CredentialsError.misconfigured(label, `could not parse profile file: ${parsed.result.message}`, {
      hint: `fix line ${parsed.result.line} of ${parsed.result.file}`
    })
  }
  return {
    files: parsed.result,
    configExists: config?.text !== undefined,
    credentialsExists: credentials?.text !== undefined
  } satisfies LoadedFiles
})

/**
 * Runs `effect` with one look at each file: every profile source and settings read inside it shares the first
 * stat and read of a file.
 */
export const sharedFileReads = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(FileSnapshot, (current) =>
    current === undefined ? Effect.provideService(effect, FileSnapshot, new Map()) : effect
  )
