import * as fs from "node:fs"
import * as path from "node:path"

import { assert, describe, it } from "@effect/vitest"

import type { Platform, ResolveFileLocationsInput } from "../src/internal/locations.js"
import { resolveFileLocations } from "../src/internal/locations.js"

const VECTORS = path.resolve(import.meta.dirname, "../../../../shared/vectors/file-location")

interface LocationCase {
  readonly name: string
  readonly environment: Record<string, string>
  readonly languageSpecificHome?: string
  readonly platform: Platform
  readonly profile?: string
  readonly configLocation: string
  readonly credentialsLocation: string
}

const FILES = ["config-file-location-tests.json", "file-location-tests.json"]

const loadCases = (file: string): ReadonlyArray<LocationCase> =>
  JSON.parse(fs.readFileSync(path.join(VECTORS, file), "utf8")).tests

const resolve = (input: Partial<ResolveFileLocationsInput>) =>
  resolveFileLocations({ env: {}, platform: "linux", ...input })

describe("FileLocation", () => {
  for (const file of FILES) {
    describe(`resolveFileLocations (${file})`, () => {
      loadCases(file).forEach((testCase, index) => {
        it(`${file}#${index} ${testCase.name}`, () => {
          // "ignored" values are passed literally: if one were used, the path would contain "ignored".
          const home = testCase.languageSpecificHome
          const result = resolveFileLocations({
            env: testCase.environment,
            platform: testCase.platform,
            homedir: home === undefined ? undefined : () => home
          })
          assert.strictEqual(result.configFile, testCase.configLocation)
          assert.strictEqual(result.credentialsFile, testCase.credentialsLocation)
          assert.strictEqual(result.profile, testCase.profile ?? "default")
        })
      })
    })
  }

  describe("resolveFileLocations", () => {
    it("selects AWS_PROFILE, then AWS_DEFAULT_PROFILE, then default, and says which", () => {
      const pick = (env: Record<string, string>) => {
        const result = resolve({ env })
        return [result.profile, result.profileSource]
      }
      assert.deepStrictEqual(pick({ AWS_PROFILE: "a", AWS_DEFAULT_PROFILE: "b" }), ["a", "AWS_PROFILE"])
      assert.deepStrictEqual(pick({ AWS_DEFAULT_PROFILE: "b" }), ["b", "AWS_DEFAULT_PROFILE"])
      assert.deepStrictEqual(pick({ AWS_PROFILE: " ", AWS_DEFAULT_PROFILE: "b" }), ["b", "AWS_DEFAULT_PROFILE"])
      assert.deepStrictEqual(pick({ AWS_PROFILE: "", AWS_DEFAULT_PROFILE: "\t" }), ["default", "default"])
      assert.deepStrictEqual(pick({}), ["default", "default"])
    })

    it("lets an explicit profile win over the environment unless it is blank", () => {
      const env = { AWS_PROFILE: "env" }
      assert.deepStrictEqual(
        [resolve({ env, profile: "opt" }).profile, resolve({ env, profile: "opt" }).profileSource],
        ["opt", "option"]
      )
      assert.strictEqual(resolve({ env, profile: "  " }).profileSource, "AWS_PROFILE")
    })

    it("expands ~ at the start of overridden paths with the same home directory", () => {
      const env = { HOME: "/home/u", AWS_CONFIG_FILE: "~/cfg/config", AWS_SHARED_CREDENTIALS_FILE: "~" }
      const result = resolve({ env })
      assert.strictEqual(result.configFile, "/home/u/cfg/config")
      assert.strictEqual(result.configFileSource, "AWS_CONFIG_FILE")
      assert.strictEqual(result.credentialsFile, "/home/u")
      const windows = resolve({
        platform: "windows",
        env: { USERPROFILE: "C:\\Users\\u", AWS_CONFIG_FILE: "~\\aws\\config", AWS_SHARED_CREDENTIALS_FILE: "~/c" }
      })
      assert.strictEqual(windows.configFile, "C:\\Users\\u\\aws\\config")
      assert.strictEqual(windows.credentialsFile, "C:\\Users\\u\\c")
    })

    it("leaves ~user, a ~ inside a path and relative paths as written", () => {
      const env = { HOME: "/home/u", AWS_CONFIG_FILE: "~other/config", AWS_SHARED_CREDENTIALS_FILE: "a/~/credentials" }
      const result = resolve({ env })
      assert.strictEqual(result.configFile, "~other/config")
      assert.strictEqual(result.credentialsFile, "a/~/credentials")
      assert.strictEqual(resolve({ env: { HOME: "/h", AWS_CONFIG_FILE: "config" } }).configFile, "config")
    })

    it("prefers explicit file options over the environment", () => {
      const result = resolve({
        env: { HOME: "/home/u", AWS_CONFIG_FILE: "/env/config" },
        configFile: "~/opt/config",
        credentialsFile: "/opt/credentials"
      })
      assert.deepStrictEqual(
        [result.configFile, result.configFileSource, result.credentialsFile, result.credentialsFileSource],
        ["/home/u/opt/config", "option", "/opt/credentials", "option"]
      )
    })

    it("returns no default paths when no home directory can be found", () => {
      const failing = () => {
        throw new Error("no home")
      }
      const result = resolve({ env: { HOME: " " }, homedir: failing })
      assert.strictEqual(result.configFile, undefined)
      assert.strictEqual(result.credentialsFile, undefined)
      assert.strictEqual(result.home, undefined)
      const unexpanded = resolve({ env: { AWS_CONFIG_FILE: "~/config" }, homedir: () => undefined })
      assert.strictEqual(unexpanded.configFile, "~/config")
    })

    it("ignores Windows variables on other platforms and needs both HOMEDRIVE and HOMEPATH", () => {
      const linux = resolve({ env: { USERPROFILE: "C:\\u", HOMEDRIVE: "C:", HOMEPATH: "\\u" }, homedir: () => "/l" })
      assert.strictEqual(linux.configFile, "/l/.aws/config")
      const driveOnly = resolve({ platform: "win32", env: { HOMEDRIVE: "D:" }, homedir: () => "C:\\fallback" })
      assert.strictEqual(driveOnly.configFile, "C:\\fallback\\.aws\\config")
      const blankHome = resolve({ platform: "win32", env: { HOME: "", USERPROFILE: "C:\\Users\\u" } })
      assert.strictEqual(blankHome.credentialsFile, "C:\\Users\\u\\.aws\\credentials")
    })
  })
})
