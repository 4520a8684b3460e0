import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as zlib from "node:zlib"

import { assert, describe, it } from "@effect/vitest"

import { moduleSpecifiers, packageOf } from "../src/imports.js"
import { readTarball } from "../src/tarball.js"

// The helpers the package checks rest on: if they saw nothing, the checks built on them could not fail.
describe("imports", () => {
  describe("moduleSpecifiers", () => {
    it("finds static, type-only, re-export, dynamic and require specifiers", () => {
      const source = [
        `import * as Effect from "effect/Effect"`,
        `import type { Logger } from "@smithy/types"`,
        `import {\n  a,\n  b as c\n} from "./chunk-abc.mjs"`,
        `export { x } from "@credkit/core"`,
        `import "side-effect"`,
        `const m = () => import("@credkit/profile")`,
        `const fs = require("node:fs")`
      ].join("\n")
      assert.deepStrictEqual([...moduleSpecifiers(source)].sort(), [
        "./chunk-abc.mjs",
        "@credkit/core",
        "@credkit/profile",
        "@smithy/types",
        "effect/Effect",
        "node:fs",
        "side-effect"
      ])
    })

    it("ignores specifiers inside comments", () => {
      const source = `/**\n * import { S3Client } from "@aws-sdk/client-s3"\n */\n// import x from "left-pad"\nexport {}`
      assert.deepStrictEqual([...moduleSpecifiers(source)], [])
    })
  })

  describe("packageOf", () => {
    it("names the package of bare specifiers and nothing for relative paths or built-ins", () => {
      assert.strictEqual(packageOf("effect/Effect"), "effect")
      assert.strictEqual(packageOf("@credkit/env/fromEnv"), "@credkit/env")
      assert.strictEqual(packageOf("./chunk.mjs"), undefined)
      assert.strictEqual(packageOf("node:http"), undefined)
      assert.strictEqual(packageOf("fs/promises"), undefined)
    })
  })
})

describe("tarball", () => {
  describe("readTarball", () => {
    it("reads every file under package/ with its contents", () => {
      const header = (name: string, size: number) => {
        const block = Buffer.alloc(512)
        block.write(name, 0)
        block.write(`${size.toString(8).padStart(11, "0")}\0`, 124)
        block.write("0", 156)
        return block
      }
      const body = (text: string) => {
        const data = Buffer.from(text)
        return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)])
      }
      const tar = Buffer.concat([
        header("package/package.json", 13),
        body(`{"name":"x"}\n`),
        header("package/dist/index.mjs", 11),
        body("export {}\n\n"),
        Buffer.alloc(1024)
      ])
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "credkit-tar-")), "x.tgz")
      fs.writeFileSync(file, zlib.gzipSync(tar))
      const files = readTarball(file)
      assert.deepStrictEqual([...files.keys()], ["package.json", "dist/index.mjs"])
      assert.strictEqual(files.get("package.json")?.toString("utf8"), `{"name":"x"}\n`)
      fs.rmSync(path.dirname(file), { recursive: true, force: true })
    })
  })
})
