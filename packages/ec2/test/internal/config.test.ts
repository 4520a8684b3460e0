import * as Fs from "node:fs"
import * as Path from "node:path"
import { HttpTransport } from "@credkit/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { beforeEach } from "vitest"

import { Ec2Credentials } from "../../src/index.js"
import { recorder, withEnv } from "../support.js"

const VECTORS = Path.resolve(import.meta.dirname, "../../../../../shared/vectors")
const FILE = "imds-endpoint-tests.json"

interface Case {
  readonly docs: string
  readonly env: Record<string, string>
  readonly fs: Record<string, string>
  readonly endpoint_override?: string
  readonly mode_override?: string
  readonly result: { readonly Ok?: string; readonly Err?: string }
}

const cases = (JSON.parse(Fs.readFileSync(Path.join(VECTORS, "imds-endpoint", FILE), "utf8")) as { tests: Array<Case> })
  .tests

// The suite's error texts come from the Rust SDK. The mode messages copy its wording; the URL one does not.
const OUR_WORDING: Record<string, string> = {
  "invalid uri character": "is not a valid URL"
}

// The profile file belongs to @credkit/profile, which passes these keys in; this reads the `[default]` section of
// the one-section files the suite uses.
const profileSettings = (testCase: Case): Ec2Credentials.ProfileSettings => {
  const file = testCase.env.AWS_CONFIG_FILE
  const text = file === undefined ? undefined : testCase.fs[file]
  const keys: Record<string, string> = {}
  let inDefault = false
  for (const line of (text ?? "").split("\n")) {
    const section = /^\s*\[(.+)\]\s*$/.exec(line)
    if (section !== null) inDefault = section[1]?.trim() === "default"
    const property = /^\s*([\w-]+)\s*=\s*(.*?)\s*$/.exec(line)
    if (inDefault && property !== null && property[1] !== undefined) keys[property[1]] = property[2] ?? ""
  }
  return { endpoint: keys.ec2_metadata_service_endpoint, endpointMode: keys.ec2_metadata_service_endpoint_mode }
}

describe("config", () => {
  beforeEach(() => {
    Ec2Credentials.clearUnreachableMemory()
  })

  describe(`vectors/imds-endpoint/${FILE}`, () => {
    it("has the cases the runner expects", () => {
      assert.lengthOf(cases, 14)
    })

    cases.forEach((testCase, index) => {
      it.effect(`${FILE}#${index} ${testCase.docs}`, () =>
        Effect.gen(function* () {
          const wire = recorder()
          const source = Ec2Credentials.source({
            endpoint: testCase.endpoint_override,
            endpointMode: testCase.mode_override,
            profileSettings: profileSettings(testCase)
          })
          const error = yield* Effect.flip(
            source.resolve.pipe(
              withEnv(testCase.env),
              Effect.provideService(HttpTransport.HttpTransport, wire.transport)
            )
          )

          if (testCase.result.Ok !== undefined) {
            assert.deepStrictEqual(wire.urls, [testCase.result.Ok])
            return
          }
          const expected = testCase.result.Err ?? ""
          assert.strictEqual(error.reason._tag, "Misconfigured")
          assert.include(error.message, OUR_WORDING[expected] ?? expected)
          assert.lengthOf(wire.urls, 0)
        })
      )
    })
  })
})
