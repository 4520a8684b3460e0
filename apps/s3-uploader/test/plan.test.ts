import { execFileSync } from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterEach, assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

import * as Plan from "../src/plan.js"

const dirs: Array<string> = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await Fs.rm(dir, { recursive: true, force: true })
})

const tempDir = Effect.promise(async () => {
  const dir = await Fs.mkdtemp(Path.join(Os.tmpdir(), "credkit-plan-"))
  dirs.push(dir)
  return dir
})

const write = (path: string, body: string) =>
  Effect.promise(async () => {
    await Fs.mkdir(Path.dirname(path), { recursive: true })
    await Fs.writeFile(path, body)
  })

describe("Plan", () => {
  describe("make", () => {
    it.live("maps files under the prefix and the argument's base name when given files and directories", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* write(Path.join(dir, "site", "index.html"), "<p>")
        yield* write(Path.join(dir, "site", "css", "a.css"), "p{}")
        yield* write(Path.join(dir, "notes.txt"), "12345")

        const plan = yield* Plan.make([Path.join(dir, "site"), Path.join(dir, "notes.txt")], "up/")

        assert.deepStrictEqual(
          plan.files.map((file) => [file.key, file.bytes]),
          [
            ["up/site/css/a.css", 3],
            ["up/site/index.html", 3],
            ["up/notes.txt", 5]
          ]
        )
        assert.strictEqual(plan.bytes, 11)
        assert.deepStrictEqual(plan.unreadable, [])
      })
    )

    it.live("lists a dangling symbolic link as unreadable when a directory holds one", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* write(Path.join(dir, "d", "ok.txt"), "ok")
        yield* Effect.promise(() => Fs.symlink(Path.join(dir, "nowhere"), Path.join(dir, "d", "dangling")))

        const plan = yield* Plan.make([Path.join(dir, "d")], "")

        assert.deepStrictEqual(
          plan.files.map((file) => file.key),
          ["d/ok.txt"]
        )
        assert.deepStrictEqual(
          plan.unreadable.map((entry) => [entry.key, entry.reason]),
          [["d/dangling", "broken symbolic link: its target does not exist"]]
        )
      })
    )

    it.live("lists a FIFO as not uploaded when a directory holds one", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* Effect.sync(() => execFileSync("mkfifo", [Path.join(dir, "pipe")]))

        const plan = yield* Plan.make([dir], "")

        assert.deepStrictEqual(
          plan.unreadable.map((entry) => entry.reason),
          ["a FIFO, not uploaded"]
        )
      })
    )

    it.live("follows a symbolic link to a directory once and reports a loop when one links back", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* write(Path.join(dir, "root", "a.txt"), "a")
        yield* Effect.promise(() => Fs.symlink(Path.join(dir, "root"), Path.join(dir, "root", "self")))

        const plan = yield* Plan.make([Path.join(dir, "root")], "")

        assert.deepStrictEqual(
          plan.files.map((file) => file.key),
          ["root/a.txt"]
        )
        assert.deepStrictEqual(
          plan.unreadable.map((entry) => [entry.key, entry.reason]),
          [["root/self", "symbolic link loop, not followed"]]
        )
      })
    )

    it.live("fails with PlanError when an argument does not exist", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir

        const error = yield* Effect.flip(Plan.make([Path.join(dir, "missing")], ""))

        assert.strictEqual(error._tag, "PlanError")
        assert.include(error.message, "no such file or directory")
      })
    )

    it.live("fails with PlanError when two arguments map to the same key", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* write(Path.join(dir, "a", "same.txt"), "1")
        yield* write(Path.join(dir, "b", "same.txt"), "2")

        const error = yield* Effect.flip(
          Plan.make([Path.join(dir, "a", "same.txt"), Path.join(dir, "b", "same.txt")], "")
        )

        assert.include(error.message, 'would both be stored as "same.txt"')
      })
    )
  })
})
