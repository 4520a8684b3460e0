import { assert, describe, it } from "@effect/vitest"

import { render } from "../src/demo/table.js"

describe("table", () => {
  describe("render", () => {
    it("pads columns and marks a failed row NO when rows differ in width", () => {
      const lines = render([
        {
          environment: "EC2",
          source: "ec2:role",
          objects: 88,
          bytes: 13_000_000,
          seconds: 2.71,
          keys: 3,
          verified: true,
          failures: []
        },
        {
          environment: "Lambda",
          source: "env",
          objects: 3,
          bytes: 1536,
          seconds: 0.4,
          keys: 1,
          verified: false,
          failures: ["x"]
        }
      ])
      assert.deepStrictEqual(lines, [
        "Environment  Credential source  Objects     Bytes  Seconds  Keys  Verified",
        "-----------  -----------------  -------  --------  -------  ----  --------",
        "EC2          ec2:role                88  12.4 MiB      2.7     3  yes",
        "Lambda       env                      3   1.5 KiB      0.4     1  NO"
      ])
    })

    it("paints yes green and NO red when asked for colour, leaving the rest of the line alone", () => {
      const row = {
        environment: "EC2",
        source: "ec2:role",
        objects: 1,
        bytes: 1,
        seconds: 1,
        keys: 1,
        verified: true,
        failures: []
      }
      const [, , green] = render([row], { color: true })
      const [, , red] = render([{ ...row, verified: false }], { color: true })
      assert.isTrue(green?.endsWith("\u001b[32myes\u001b[0m"))
      assert.isTrue(red?.endsWith("\u001b[31mNO\u001b[0m"))
      assert.isTrue(green?.startsWith("EC2"))
    })
  })
})
