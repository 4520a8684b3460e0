import * as util from "node:util"

import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"

import { shareKey } from "../../src/internal/share.js"

// Option-like values: strings, integers, booleans, null, arrays and plain objects, nested.
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("value"), { maxKeys: 4, noNullPrototype: true })
  )
}))

describe("share", () => {
  describe("shareKey", () => {
    it("is equal exactly when two plain option values are deeply equal", () => {
      fc.assert(
        fc.property(value, value, (a, b) => (shareKey(a) === shareKey(b)) === util.isDeepStrictEqual(a, b)),
        { numRuns: 2_000 }
      )
    })

    it("ignores key order and undefined members", () => {
      assert.strictEqual(
        shareKey({ profile: "dev", ec2: { timeout: 500, endpoint: "http://127.0.0.1:1" }, timeout: undefined }),
        shareKey({ ec2: { endpoint: "http://127.0.0.1:1", timeout: 500 }, profile: "dev" })
      )
    })

    it("cannot be forged by a string that spells out other options", () => {
      assert.notStrictEqual(shareKey({ profile: 'a,"timeout":number:1' }), shareKey({ profile: "a", timeout: 1 }))
      assert.notStrictEqual(shareKey({ profile: "1" }), shareKey({ profile: 1 }))
    })

    it("compares functions and class instances by identity", () => {
      const warn = () => {}
      class Logger {
        warn() {}
      }
      const logger = new Logger()

      assert.strictEqual(shareKey({ logger: { warn } }), shareKey({ logger: { warn } }))
      assert.notStrictEqual(shareKey({ logger: { warn } }), shareKey({ logger: { warn: () => {} } }))
      assert.strictEqual(shareKey({ logger }), shareKey({ logger }))
      assert.notStrictEqual(shareKey({ logger }), shareKey({ logger: new Logger() }))
    })
  })
})
