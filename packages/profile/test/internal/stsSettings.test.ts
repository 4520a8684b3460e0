import { assert, describe, it } from "@effect/vitest"

import type { Environment } from "../../src/internal/config.js"
import { parseProfileFiles } from "../../src/internal/parser.js"
import { stsSettings } from "../../src/internal/stsSettings.js"

const CONFIG = `[default]
region = eu-west-1
services = overrides
endpoint_url = http://profile.example
use_dualstack_endpoint = TRUE

[services overrides]
sts =
  endpoint_url = http://services.example
`

const settingsFor = (
  env: Partial<Environment>,
  extra: { region?: string; roleProfileRegion?: string } = {},
  config = CONFIG
) => {
  const files = parseProfileFiles({ configFile: config })
  if (files._tag !== "ProfileFiles") return assert.fail(files.message)
  return stsSettings({
    env: env as Environment,
    profileName: "default",
    profile: files.profiles.default,
    services: files.services,
    ...extra
  })
}

describe("stsSettings", () => {
  describe("stsSettings", () => {
    it("orders regions: code, AWS_REGION, AWS_DEFAULT_REGION, the role's profile, the selected profile, us-east-1", () => {
      const region = (env: Partial<Environment>, extra = {}, config?: string) => {
        const settings = settingsFor(env, extra, config)
        return "problem" in settings ? settings.problem : settings.region
      }
      const env = { AWS_REGION: "us-west-1", AWS_DEFAULT_REGION: "us-west-2" }
      assert.strictEqual(region(env, { region: "ap-south-1", roleProfileRegion: "sa-east-1" }), "ap-south-1")
      assert.strictEqual(region(env, { roleProfileRegion: "sa-east-1" }), "us-west-1")
      assert.strictEqual(region({ AWS_DEFAULT_REGION: "us-west-2", AWS_REGION: " " }), "us-west-2")
      assert.strictEqual(region({}, { roleProfileRegion: "sa-east-1" }), "sa-east-1")
      assert.strictEqual(region({}), "eu-west-1")
      assert.strictEqual(region({}, {}, "[default]\n"), "us-east-1")
    })

    it("orders endpoints: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the services entry, the profile's endpoint_url", () => {
      const endpoint = (env: Partial<Environment>, config?: string) => {
        const settings = settingsFor(env, {}, config)
        return "problem" in settings ? settings.problem : settings.endpoint
      }
      assert.strictEqual(
        endpoint({ AWS_ENDPOINT_URL_STS: "http://sts.example", AWS_ENDPOINT_URL: "http://global.example" }),
        "http://sts.example"
      )
      assert.strictEqual(endpoint({ AWS_ENDPOINT_URL: "http://global.example" }), "http://global.example")
      assert.strictEqual(endpoint({}), "http://services.example")
      assert.strictEqual(endpoint({}, "[default]\nendpoint_url = http://profile.example\n"), "http://profile.example")
      assert.isUndefined(
        endpoint({ AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true", AWS_ENDPOINT_URL: "http://x.example" })
      )
    })

    it("reads FIPS and dual-stack flags case-insensitively and names a malformed one", () => {
      const settings = settingsFor({ AWS_USE_FIPS_ENDPOINT: "True" })
      assert.deepStrictEqual(
        "problem" in settings ? settings : [settings.useFipsEndpoint, settings.useDualstackEndpoint],
        [true, true]
      )
      assert.deepStrictEqual(settingsFor({ AWS_USE_DUALSTACK_ENDPOINT: "yes" }), {
        problem: "AWS_USE_DUALSTACK_ENDPOINT must be true or false"
      })
    })
  })
})
