import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as fc from "fast-check"

import * as S from "../../src/internal/settings.js"

const setting = (value: string, origin = "TEST_SETTING") => ({ value, origin })

describe("settings", () => {
  describe("resolveEndpoint", () => {
    it("defaults to the IPv4 address when nothing is set", () => {
      assert.deepStrictEqual(S.resolveEndpoint({}), { ok: true, value: "http://169.254.169.254" })
    })

    it("lets an endpoint beat any mode, valid or not", () => {
      assert.deepStrictEqual(
        S.resolveEndpoint({ endpoint: setting("http://127.0.0.1:1338/"), mode: setting("IPv7") }),
        { ok: true, value: "http://127.0.0.1:1338" }
      )
    })

    it("keeps brackets around IPv6 hosts", () => {
      assert.deepStrictEqual(S.parseEndpoint(setting("http://[fd00:ec2::254]")), {
        ok: true,
        value: "http://[fd00:ec2::254]"
      })
      assert.deepStrictEqual(S.parseEndpoint(setting("https://[::1]:8443")), { ok: true, value: "https://[::1]:8443" })
    })

    it("reads the mode case-insensitively", () => {
      fc.assert(
        fc.property(
          fc.constantFrom("ipv4", "ipv6"),
          fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
          (mode, upper) => {
            const mixed = [...mode].map((char, index) => (upper[index] ? char.toUpperCase() : char)).join("")
            const result = S.parseEndpointMode(setting(mixed))
            return result.ok && result.value === (mode === "ipv4" ? S.IPV4_ENDPOINT : S.IPV6_ENDPOINT)
          }
        )
      )
    })

    it("never repeats user credentials of an endpoint URL", () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[a-z]{3,12}$/), fc.stringMatching(/^[A-Za-z0-9]{8,24}$/), (user, password) => {
          const result = S.parseEndpoint(setting(`http://${user}:${password}@127.0.0.1:1338`))
          return !result.ok && !result.message.includes(password) && result.message.includes("user credentials")
        })
      )
    })

    it("accepts any port on a loopback endpoint and returns its origin", () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 65535 }), (port) => {
          const result = S.parseEndpoint(setting(`http://127.0.0.1:${port}`))
          return result.ok && result.value === (port === 80 ? "http://127.0.0.1" : `http://127.0.0.1:${port}`)
        })
      )
    })
  })

  describe("pick", () => {
    it("skips blank values and keeps the first set one with its origin", () => {
      assert.deepStrictEqual(S.pick(undefined, setting("  ", "A"), setting(" x ", "B"), setting("y", "C")), {
        value: "x",
        origin: "B"
      })
      assert.isUndefined(S.pick(setting("", "A"), { value: undefined, origin: "B" }))
    })
  })

  describe("parsers", () => {
    it("reads booleans case-insensitively and rejects anything else", () => {
      assert.deepStrictEqual(S.parseBoolean(setting("TRUE")), { ok: true, value: true })
      assert.deepStrictEqual(S.parseBoolean(setting("False")), { ok: true, value: false })
      assert.isFalse(S.parseBoolean(setting("1")).ok)
    })

    it("reads the timeout in seconds, decimals allowed, above zero", () => {
      const half = S.parseSeconds(setting("0.5"))
      assert.isTrue(half.ok && Duration.toMillis(half.value) === 500)
      for (const bad of ["0", "-1", "1s", "", "1e3"]) assert.isFalse(S.parseSeconds(setting(bad)).ok, bad)
    })

    it("reads attempts as a whole number of at least 1", () => {
      assert.deepStrictEqual(S.parseAttempts(setting("5")), { ok: true, value: 5 })
      for (const bad of ["0", "1.5", "-2", "many"]) assert.isFalse(S.parseAttempts(setting(bad)).ok, bad)
      assert.isFalse(S.checkAttempts(0, "option maxAttempts").ok)
      assert.isFalse(S.checkDuration(-5, "option timeout").ok)
      assert.isFalse(S.checkDuration(Duration.infinity, "option timeout").ok)
    })
  })
})
