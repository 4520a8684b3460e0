/**
 * What to upload: the files named on the command line and those found by walking directories, each with its object
 * key. Entries that exist but cannot be uploaded (a dangling symbolic link, a FIFO, a directory that cannot be
 * listed) are kept as failures to report, so one bad entry does not stop the others.
 */
import type { Dirent, Stats } from "node:fs"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

import { describeFileError } from "./errors.js"

export interface PlannedFile {
  readonly path: string
  readonly key: string
  readonly bytes: number
}

export interface Unreadable {
  readonly path: string
  readonly key: string
  readonly reason: string
}

export interface Plan {
  readonly files: ReadonlyArray<PlannedFile>
  readonly unreadable: ReadonlyArray<Unreadable>
  readonly bytes: number
}

/** A usage error: an argument that does not exist, or two files that map to one key. */
export class PlanError extends Data.TaggedError("PlanError")<{ readonly message: string }> {}

const kindOf = (stats: Stats): string =>
  stats.isFIFO()
    ? "a FIFO"
    : stats.isSocket()
      ? "a socket"
      : stats.isCharacterDevice() || stats.isBlockDevice()
        ? "a device"
        : "not a regular file"

interface Walk {
  readonly files: Array<PlannedFile>
  readonly unreadable: Array<Unreadable>
}

const attempt = <A>(run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (error) => error as NodeJS.ErrnoException })

// Follows symbolic links; a directory already on the current path (a link loop) is reported, not walked again.
const visit = (walk: Walk, path: string, key: string, ancestors: ReadonlySet<string>): Effect.Effect<void> =>
  Effect.gen(function* () {
    const unreadable = (reason: string) => Effect.sync(() => void walk.unreadable.push({ path, key, reason }))
    const linkStats = yield* Effect.result(attempt(() => Fs.lstat(path)))
    if (linkStats._tag === "Failure") return yield* unreadable(describeFileError(linkStats.failure))
    const stats = yield* Effect.result(attempt(() => Fs.stat(path)))
    if (stats._tag === "Failure") {
      return yield* unreadable(
        linkStats.success.isSymbolicLink() && stats.failure.code === "ENOENT"
          ? "broken symbolic link: its target does not exist"
          : describeFileError(stats.failure)
      )
    }
    if (stats.success.isFile()) {
      walk.files.push({ path, key, bytes: stats.success.size })
      return
    }
    if (!stats.success.isDirectory()) return yield* unreadable(`${kindOf(stats.success)}, not uploaded`)

    const real = yield* Effect.orElseSucceed(
      attempt(() => Fs.realpath(path)),
      () => path
    )
    if (ancestors.has(real)) return yield* unreadable("symbolic link loop, not followed")
    const entries = yield* Effect.result(attempt(() => Fs.readdir(path, { withFileTypes: true })))
    if (entries._tag === "Failure")
      return yield* unreadable(`cannot list directory: ${describeFileError(entries.failure)}`)
    const names = entries.success.map((entry: Dirent) => entry.name).sort()
    const inside = new Set([...ancestors, real])
    yield* Effect.forEach(names, (name) => visit(walk, Path.join(path, name), `${key}/${name}`, inside), {
      discard: true
    })
  })

/**
 * The object key of an argument: the prefix and the argument's base name, with "/" separators.
 *
 * Limitation: two arguments with the same base name (`a/src` and `b/src`) would collide, so they are refused with a
 * PlanError; the user uploads them separately or under different prefixes. A `--key-from <dir>` option naming the
 * directory keys are relative to would lift it.
 */
const keyBase = (prefix: string, input: string): string =>
  `${prefix}${Path.basename(Path.resolve(input)).split(Path.sep).join("/")}`

/** Walks the inputs. Fails with `PlanError` when an argument does not exist or two entries share a key. */
export const make = Effect.fn("Plan.make")(function* (inputs: ReadonlyArray<string>, prefix: string) {
  const walk: Walk = { files: [], unreadable: [] }

  for (const input of inputs) {
    const exists = yield* Effect.result(attempt(() => Fs.lstat(input)))
    if (exists._tag === "Failure" && exists.failure.code === "ENOENT") {
      return yield* new PlanError({ message: `no such file or directory: ${input}` })
    }
    yield* visit(walk, input, keyBase(prefix, input), new Set())
  }

  const seen = new Map<string, string>()
  for (const entry of [...walk.files, ...walk.unreadable]) {
    const other = seen.get(entry.key)
    if (other !== undefined) {
      return yield* new PlanError({
        message: `${other} and ${entry.path} would both be stored as "${entry.key}": upload them separately`
      })
    }
    seen.set(entry.key, entry.path)
  }
  const bytes = walk.files.reduce((sum, file) => sum + file.bytes, 0)
  return { files: walk.files, unreadable: walk.unreadable, bytes } satisfies Plan
})
