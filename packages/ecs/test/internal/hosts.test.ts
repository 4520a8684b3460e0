import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"

import { bareHost, isAllowedAddress, parseIp, unmapped } from "../../src/internal/hosts.js"

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join("."))
const AGENTS_V4 = new Set(["169.254.170.2", "169.254.170.23"])
const expectedV4 = (address: string): boolean => address.startsWith("127.") || AGENTS_V4.has(address)

// The host as a URL parser leaves it: WHATWG URL canonicalises IP literals before the rules see them.
const urlHost = (literal: string): string => bareHost(new URL(`http://${literal}/`).hostname)

describe("hosts", () => {
  describe("parseIp", () => {
    it("parses IPv4, IPv6 with compression and a dotted tail, and refuses the rest", () => {
      assert.deepStrictEqual(parseIp("10.0.0.1"), { family: 4, parts: [10, 0, 0, 1] })
      assert.deepStrictEqual(parseIp("fd00:ec2::23")?.parts, [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23])
      assert.deepStrictEqual(parseIp("[::1]")?.parts, [0, 0, 0, 0, 0, 0, 0, 1])
      assert.deepStrictEqual(parseIp("::ffff:10.0.0.1")?.parts, [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001])
      for (const bad of ["010.0.0.1", "256.0.0.1", "1.2.3", "1::2::3", "1.2.3.4::", "fe80::1%eth0", "localhost", "::g"])
        assert.isUndefined(parseIp(bad), bad)
    })

    it("agrees with the URL parser on every IPv4 address and its IPv6 forms", () => {
      fc.assert(
        fc.property(ipv4, (address) => {
          assert.deepStrictEqual(parseIp(urlHost(address)), parseIp(address))
          const mapped = parseIp(urlHost(`[::ffff:${address}]`))
          assert.isDefined(mapped)
          if (mapped !== undefined) assert.deepStrictEqual(unmapped(mapped), parseIp(address))
        })
      )
    })
  })

  describe("isAllowedAddress", () => {
    it("allows loopback, the ECS and EKS agent addresses and nothing near them", () => {
      for (const allowed of ["127.0.0.1", "127.255.0.9", "::1", "169.254.170.2", "169.254.170.23", "fd00:ec2::23"])
        assert.isTrue(isAllowedAddress(allowed), allowed)
      const refused = [
        "0.0.0.0",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.170.22",
        "128.0.0.1",
        "::",
        "fd00:ec2::24",
        "fd00:ec2::254",
        "::127.0.0.1",
        "64:ff9b::a00:1",
        "not-an-address"
      ]
      for (const address of refused) assert.isFalse(isAllowedAddress(address), address)
    })

    it("judges every IPv4 address by the rule, directly and in IPv4-mapped IPv6 form", () => {
      fc.assert(
        fc.property(ipv4, (address) => {
          assert.strictEqual(isAllowedAddress(address), expectedV4(address))
          assert.strictEqual(isAllowedAddress(urlHost(`[::ffff:${address}]`)), expectedV4(address))
        })
      )
    })

    it("refuses every IPv6 address other than ::1, fd00:ec2::23 and mapped allowed IPv4", () => {
      const group = fc.nat(0xffff).map((value) => value.toString(16))
      fc.assert(
        fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
          const text = urlHost(`[${groups.join(":")}]`)
          const ip = parseIp(text)
          assert.isDefined(ip)
          if (ip === undefined) return
          const v4 = unmapped(ip)
          const expected = v4.family === 4 ? expectedV4(v4.parts.join(".")) : text === "::1" || text === "fd00:ec2::23"
          assert.strictEqual(isAllowedAddress(text), expected, text)
        })
      )
    })
  })
})
