import * as fs from "node:fs"
import * as path from "node:path"

import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"

import { isValidIdentifier } from "../src/internal/iniReader.js"
import type { ProfileFiles, ProfileParseError, ProfileSections } from "../src/internal/parser.js"
import { parseProfileFiles } from "../src/internal/parser.js"
import { printProfileFiles } from "../src/internal/printer.js"

const VECTORS = path.resolve(import.meta.dirname, "../../../../shared/vectors")
const PARSER_VECTORS = path.join(VECTORS, "profile-parser")

type Sections = Record<string, Record<string, unknown>>

interface VectorCase {
  readonly name: string
  readonly input: { readonly configFile?: string; readonly credentialsFile?: string }
  readonly output: {
    readonly errorContaining?: string
    readonly profiles?: Sections
    readonly ssoSessions?: Sections
    readonly config?: { readonly profiles?: Sections; readonly sso_sessions?: Sections }
  }
}

const loadCases = (file: string): ReadonlyArray<VectorCase> =>
  JSON.parse(fs.readFileSync(path.join(PARSER_VECTORS, file), "utf8")).tests

/** Plain JSON data, so records without a prototype compare equal to parsed JSON. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

const parsed = (result: ProfileFiles | ProfileParseError): ProfileFiles => {
  if (result._tag === "ProfileParseError") assert.fail(`unexpected parse error: ${result.message}`)
  return result
}

const parseError = (result: ProfileFiles | ProfileParseError): ProfileParseError => {
  if (result._tag === "ProfileFiles") assert.fail("expected a parse error")
  return result
}

const NEWER = "config-file-parser-tests.json"
const PROTO = "__proto__"
const OLDER = "profile-parser-tests.json"

/**
 * Older-revision error wording → ours, which is the newer revision's (decisions §15). The older file
 * says "profile" where the newer says "section" and words the sub-property errors differently.
 */
const OLDER_WORDING: Readonly<Record<string, string>> = {
  "Profile definition must end with ']'": "Section definition must end with ']'",
  "Expected a profile definition": "Expected a section definition",
  "Expected an '=' sign defining a sub-property": "Expected an '=' sign defining a property in sub-property",
  "Sub-property did not have a name": "Property did not have a name in sub-property"
}

/**
 * Older-revision cases that differ by design: that revision keeps sub-properties as raw text (and
 * keeps invalid sub-property names in it); we return them as objects, as the newer revision does.
 */
const OLDER_SKIPPED: ReadonlyMap<number, string> = new Map([
  [44, "sub-properties are raw text in the older revision; we return an object"],
  [46, "sub-properties are raw text in the older revision; we return an object"],
  [48, "the older revision keeps an invalid sub-property name in the raw text; we drop it with a warning"],
  [49, "sub-properties are raw text in the older revision; we return an object"]
])

/** Reads the older revision's raw sub-property text the way the newer revision's rules do. */
const rawToObject = (raw: string): Record<string, string> =>
  Object.fromEntries(
    raw
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => line.split("=").map((part) => part.trim()))
      .map(([key = "", ...value]) => [key.toLowerCase(), value.join("=")] as const)
      .filter(([key]) => isValidIdentifier(key))
  )

const checkExpected = (result: ProfileFiles | ProfileParseError, profiles?: Sections, ssoSessions?: Sections) => {
  const files = parsed(result)
  if (profiles !== undefined) assert.deepStrictEqual(plain(files.profiles), profiles)
  if (ssoSessions !== undefined) assert.deepStrictEqual(plain(files.ssoSessions), ssoSessions)
}

describe("ProfileParser", () => {
  describe("parseProfileFiles (newer vectors)", () => {
    loadCases(NEWER).forEach((testCase, index) => {
      it(`${NEWER}#${index} ${testCase.name}`, () => {
        const result = parseProfileFiles(testCase.input)
        const { errorContaining } = testCase.output
        if (errorContaining !== undefined) {
          assert.include(parseError(result).message, errorContaining)
        } else {
          checkExpected(result, testCase.output.profiles, testCase.output.ssoSessions)
        }
      })
    })
  })

  describe("parseProfileFiles (older vectors)", () => {
    loadCases(OLDER).forEach((testCase, index) => {
      if (OLDER_SKIPPED.has(index)) return
      it(`${OLDER}#${index} ${testCase.name}`, () => {
        const result = parseProfileFiles(testCase.input)
        const { errorContaining } = testCase.output
        if (errorContaining !== undefined) {
          assert.include(parseError(result).message, OLDER_WORDING[errorContaining] ?? errorContaining)
        } else {
          checkExpected(result, testCase.output.config?.profiles, testCase.output.config?.sso_sessions)
        }
      })
    })
  })

  describe("parseProfileFiles (older vectors skipped by design)", () => {
    const cases = loadCases(OLDER)
    for (const [index, reason] of OLDER_SKIPPED) {
      const testCase = cases[index] as VectorCase
      it(`${OLDER}#${index} ${testCase.name}: differs only in sub-property form (${reason})`, () => {
        const expected = testCase.output.config?.profiles ?? {}
        const asObjects = Object.fromEntries(
          Object.entries(expected).map(([name, properties]) => [
            name,
            Object.fromEntries(
              Object.entries(properties).map(([key, value]) => [
                key,
                typeof value === "string" && value.startsWith("\n") ? rawToObject(value) : value
              ])
            )
          ])
        )
        checkExpected(parseProfileFiles(testCase.input), asObjects)
      })
    }
  })

  describe("parseProfileFiles", () => {
    it("accepts a UTF-8 byte order mark when it starts either file", () => {
      const files = parsed(
        parseProfileFiles({ configFile: "\uFEFF[profile foo]\nname = value", credentialsFile: "\uFEFF[bar]\nkey = v" })
      )
      assert.deepStrictEqual(plain(files.profiles), { foo: { name: "value" }, bar: { key: "v" } })
      assert.deepStrictEqual(files.warnings, [])
    })

    it("accepts CRLF line ends in continuations and sub-properties", () => {
      const configFile =
        "[profile foo]\r\nname = value\r\n  more\r\ns3 =\r\n  max = 10\r\n\r\n[sso-session s]\r\nx = 1\r\n"
      const files = parsed(parseProfileFiles({ configFile }))
      assert.deepStrictEqual(plain(files.profiles), { foo: { name: "value\nmore", s3: { max: "10" } } })
      assert.deepStrictEqual(plain(files.ssoSessions), { s: { x: "1" } })
    })

    it("reads [services NAME] sections with sub-properties when the config file has them", () => {
      const configFile = fs.readFileSync(
        path.join(VECTORS, "profile-provider/assume_role_override_service_profile_url/fs/home/.aws/config"),
        "utf8"
      )
      const files = parsed(parseProfileFiles({ configFile }))
      assert.deepStrictEqual(plain(files.services), {
        "test-urls": { sts: { endpoint_url: "http://aws.service-profile-override" } }
      })
      assert.strictEqual(files.profiles.default?.services, "test-urls")
    })

    it("keeps __proto__, constructor and prototype as ordinary names when files use them", () => {
      const before = Object.getOwnPropertyNames(Object.prototype).sort()
      const configFile = [
        "[profile __proto__]",
        "__proto__ = a",
        "constructor = b",
        "polluted = yes",
        "[profile constructor]",
        "prototype = c",
        "s3 =",
        "  __proto__ = d",
        "[sso-session __proto__]",
        "polluted = yes",
        "[services prototype]",
        "__proto__ =",
        "  polluted = yes"
      ].join("\n")
      const files = parsed(parseProfileFiles({ configFile, credentialsFile: "[__proto__]\npolluted = cred" }))
      assert.strictEqual(Object.getPrototypeOf(files.profiles), null)
      assert.deepStrictEqual(Object.keys(files.profiles), ["__proto__", "constructor"])
      assert.deepStrictEqual(plain(files.profiles[PROTO]), {
        ["__proto__"]: "a",
        constructor: "b",
        polluted: "cred"
      })
      assert.deepStrictEqual(plain(files.profiles.constructor), { prototype: "c", s3: { ["__proto__"]: "d" } })
      assert.strictEqual(files.profiles.prototype, undefined)
      assert.deepStrictEqual(Object.keys(files.ssoSessions), ["__proto__"])
      assert.deepStrictEqual(plain(files.services), { prototype: { ["__proto__"]: { polluted: "yes" } } })
      assert.strictEqual(({} as Record<string, unknown>).polluted, undefined)
      assert.deepStrictEqual(Object.getOwnPropertyNames(Object.prototype).sort(), before)
    })

    it("reports every skipped section and property with its file and line", () => {
      const configFile = [
        "[foo]", // 1: no prefix in the config file
        "a = 1",
        "[profile ok]",
        "in valid = x", // 4
        "s3 =",
        "  bad name = 1", // 6
        "  good = 2",
        "[profilefoo]", // 8
        "[default]", // 9: replaced by [profile default]
        "b = 2",
        "[profile default]",
        "[sso-session]" // 12: no name
      ].join("\n")
      const credentialsFile = "[ok]\n[profile x]\nc = 3\n[in valid]"
      const files = parsed(
        parseProfileFiles({
          configFile,
          credentialsFile,
          configPath: "/h/.aws/config",
          credentialsPath: "/h/.aws/creds"
        })
      )
      const located = files.warnings.map((warning) => `${warning.file}:${warning.line}`)
      assert.deepStrictEqual(located, [
        "/h/.aws/config:1",
        "/h/.aws/config:4",
        "/h/.aws/config:6",
        "/h/.aws/config:8",
        "/h/.aws/config:12",
        "/h/.aws/config:9",
        "/h/.aws/creds:2",
        "/h/.aws/creds:4"
      ])
      for (const warning of files.warnings) assert.include(warning.message, `${warning.file}, line ${warning.line}`)
      assert.deepStrictEqual(plain(files.profiles), { ok: { s3: { good: "2" } }, default: {} })
    })

    it("names the file and line when a file cannot be parsed", () => {
      const error = parseError(
        parseProfileFiles({ credentialsFile: "[default]\nregion = x\nkey : value", credentialsPath: "/h/creds" })
      )
      assert.deepStrictEqual([error.file, error.line], ["/h/creds", 3])
      assert.include(error.message, "Expected an '=' sign defining a property (/h/creds, line 3)")
    })

    it("never puts a property value in an error or warning when lines are malformed", () => {
      const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFIXTURESECRET"
      const inputs = [
        { configFile: `[profile a]\naws_secret_access_key ${secret}` },
        { configFile: `  ${secret}` },
        { configFile: `[profile a]\n  ${secret}` },
        { configFile: `[profile a]\ns3 =\n  ${secret}` },
        { configFile: `[profile a]\ns3 =\n  = ${secret}` },
        { configFile: `${secret} = x` },
        { configFile: `[profile a\nk = ${secret}` },
        { configFile: `[profile a]\nin valid = ${secret}\ns3 =\n  in valid = ${secret}` },
        { credentialsFile: `[profile a]\naws_secret_access_key = ${secret}\n[b c]\nk = ${secret}` }
      ]
      for (const input of inputs) {
        const result = parseProfileFiles(input)
        const reported = result._tag === "ProfileParseError" ? [result] : result.warnings
        assert.isAbove(reported.length, 0)
        assert.notInclude(JSON.stringify(reported), secret)
      }
    })
  })

  describe("printProfileFiles", () => {
    const roundTrip = (files: ProfileFiles): ProfileFiles => {
      const printed = printProfileFiles(files)
      if (printed._tag === "ProfilePrintError") assert.fail(printed.message)
      return parsed(parseProfileFiles(printed))
    }

    it("prints files that parse back to the same sections when values use every feature", () => {
      const configFile = [
        "[default]",
        "region = us-east-1",
        "note = a=b; c#d",
        "multi = first",
        "  second # kept",
        "  ; third",
        "s3 =",
        "  max_concurrent_requests = 10",
        "  addressing = # raw",
        "empty =",
        "[profile some-thing:long/the_one%only.foo@bar+]",
        "role_arn = arn:aws:iam::123456789:role/RoleA",
        "[sso-session corp]",
        "sso_region = eu-west-1",
        "[services local]",
        "sts =",
        "  endpoint_url = http://127.0.0.1:4566"
      ].join("\n")
      const credentialsFile =
        "[default]\naws_access_key_id = AKID\naws_secret_access_key = S3CR3T\n[keys-only]\naws_access_key_id = X"
      const first = parsed(parseProfileFiles({ configFile, credentialsFile }))
      const second = roundTrip(first)
      assert.deepStrictEqual(plain(second.profiles), plain(first.profiles))
      assert.deepStrictEqual(plain(second.ssoSessions), plain(first.ssoSessions))
      assert.deepStrictEqual(plain(second.services), plain(first.services))
      assert.deepStrictEqual(second.warnings, [])
    })

    it("puts static keys in the credentials file when a profile has them", () => {
      const printed = printProfileFiles({
        profiles: { default: { region: "us-east-1", aws_access_key_id: "AKID", aws_secret_access_key: "S" } }
      })
      assert.deepStrictEqual(printed, {
        _tag: "PrintedProfileFiles",
        configFile: "[default]\nregion = us-east-1\n",
        credentialsFile: "[default]\naws_access_key_id = AKID\naws_secret_access_key = S\n"
      })
    })

    it("refuses content the syntax cannot hold without naming the value", () => {
      const secret = "FIXTURE-SECRET-VALUE"
      const unprintable: ReadonlyArray<ProfileSections> = [
        { a: { k: ` ${secret}` } },
        { a: { k: `${secret} #x` } },
        { a: { k: `\n${secret}` } },
        { a: { k: `${secret}\n\nx` } },
        { a: { s3: {} } },
        { a: { s3: { k: `${secret}\nx` } } },
        { a: { Upper: secret } },
        { "in valid": { k: secret } }
      ]
      for (const profiles of unprintable) {
        const printed = printProfileFiles({ profiles })
        if (printed._tag !== "ProfilePrintError") assert.fail(`printed ${JSON.stringify(profiles)}`)
        assert.notInclude(printed.message, secret)
      }
    })

    const chars = (text: string) => fc.constantFrom(...Array.from(text))
    const NAME_CHARS = "ABCXYZabcxyz0189_-/.%@:+é"
    const sectionName = fc.oneof(
      fc.string({ unit: chars(NAME_CHARS), minLength: 1, maxLength: 10 }),
      fc.constantFrom("default", "__proto__", "constructor", "prototype", "profile")
    )
    const key = fc.oneof(
      fc.string({ unit: chars("abcxyz0189_-/.%@:+"), minLength: 1, maxLength: 10 }),
      fc.constantFrom("aws_access_key_id", "aws_secret_access_key", "aws_session_token", "__proto__", "constructor")
    )
    const word = fc
      .string({ unit: fc.constantFrom(...Array.from("aZ09=#;[]\"'/\\:.-_é"), "😂"), minLength: 1, maxLength: 8 })
      .filter((text) => !text.startsWith("#") && !text.startsWith(";"))
    const line = fc.array(word, { minLength: 1, maxLength: 4 }).map((words) => words.join(" "))
    const entries = <A>(value: fc.Arbitrary<A>, minLength: number) =>
      fc
        .uniqueArray(fc.tuple(key, value), { selector: ([name]) => name, minLength, maxLength: 4 })
        .map((pairs) => Object.fromEntries(pairs))
    const value = fc.oneof(
      fc.constant(""),
      line,
      fc.array(line, { minLength: 2, maxLength: 3 }).map((lines) => lines.join("\n")),
      entries(fc.oneof(fc.constant(""), line), 1)
    )
    const sections = fc
      .uniqueArray(fc.tuple(sectionName, entries(value, 0)), { selector: ([name]) => name, maxLength: 4 })
      .map((pairs): ProfileSections => Object.fromEntries(pairs))

    it("parses printed files back to the generated sections for any valid content", () => {
      fc.assert(
        fc.property(sections, sections, sections, (profiles, ssoSessions, services) => {
          const printed = printProfileFiles({ profiles, ssoSessions, services })
          if (printed._tag === "ProfilePrintError") return assert.fail(printed.message)
          const files = parsed(parseProfileFiles(printed))
          assert.deepStrictEqual(plain(files.profiles), plain(profiles))
          assert.deepStrictEqual(plain(files.ssoSessions), plain(ssoSessions))
          assert.deepStrictEqual(plain(files.services), plain(services))
          assert.deepStrictEqual(files.warnings, [])
        }),
        { numRuns: 300 }
      )
    })
  })

  describe("parseProfileFiles (any input)", () => {
    const fragment = fc.oneof(
      fc.string({ unit: "binary", maxLength: 6 }),
      fc.constantFrom("[", "]", "=", " ", "\t", "\n", "\r\n", "\r", "#", ";", "\uFEFF", "profile ", "sso-session "),
      fc.constantFrom("services ", "default", "__proto__", "constructor", "s3 =\n", "\n  ", "a = b")
    )
    const text = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(""))

    it("returns a result or a parse error, never throws, when given arbitrary text", () => {
      fc.assert(
        fc.property(fc.option(text, { nil: undefined }), fc.option(text, { nil: undefined }), (config, credentials) => {
          const result = parseProfileFiles({ configFile: config, credentialsFile: credentials })
          if (result._tag === "ProfileParseError") {
            assert.isAbove(result.line, 0)
          } else {
            assert.strictEqual(Object.getPrototypeOf(result.profiles), null)
          }
        }),
        { numRuns: 500 }
      )
      assert.strictEqual(({} as Record<string, unknown>).polluted, undefined)
    })
  })
})
