import { PassThrough } from "node:stream"
import { assert, describe, it } from "@effect/vitest"

import * as Progress from "../src/progress.js"

const collect = (tty: boolean) => {
  const stream = new PassThrough()
  Object.assign(stream, {
    isTTY: tty,
    columns: 160,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true
  })
  let text = ""
  stream.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")))
  return { stream, text: () => text }
}

describe("progress", () => {
  describe("modeFor", () => {
    it("chooses bars on a terminal, lines elsewhere and nothing for JSON", () => {
      assert.strictEqual(Progress.modeFor(false, { isTTY: true }), "terminal")
      assert.strictEqual(Progress.modeFor(false, { isTTY: false }), "lines")
      assert.strictEqual(Progress.modeFor(true, { isTTY: true }), "off")
    })
  })

  describe("make", () => {
    it("writes one line per finished file with running totals when the mode is lines", () => {
      const out = collect(false)
      const progress = Progress.make("lines", out.stream)
      progress.begin(2, 3072)
      progress.start("a.txt", 1024)
      progress.start("b.bin", 2048)
      progress.advance("b.bin", 1000)
      progress.finish("a.txt", { ok: true })
      progress.finish("b.bin", { ok: false, reason: "access denied" })
      progress.end()

      const lines = out.text().trimEnd().split("\n")
      assert.strictEqual(lines.length, 2)
      assert.match(lines[0] ?? "", /^ok {5}a\.txt \(1\.0 KiB\) {2}\[1\/2 files, 2\.0 KiB of 3\.0 KiB, .*\/s\]$/)
      assert.match(lines[1] ?? "", /^FAILED b\.bin: access denied {2}\[2\/2 files, 1\.0 KiB of 3\.0 KiB/)
    })

    it("draws a total bar and a bar per file when the mode is terminal", () => {
      const out = collect(true)
      const progress = Progress.make("terminal", out.stream)
      progress.begin(1, 2048)
      progress.start("photo.jpg", 2048)
      progress.advance("photo.jpg", 2048)
      progress.finish("photo.jpg", { ok: true })
      progress.end()

      assert.include(out.text(), "total (1/1 files)")
      assert.include(out.text(), "2.0 KiB of 2.0 KiB")
    })
  })
})
