import * as fs from "node:fs"
import * as path from "node:path"

import { assert, describe, it } from "@effect/vitest"

import type { ChainPlan, ChainPlanErrorTag, ProfileChain, ProfileMap } from "../src/internal/chainPlan.js"
import { describeChain, planProfileChain } from "../src/internal/chainPlan.js"
import { parseProfileFiles } from "../src/internal/parser.js"

const VECTORS = path.resolve(import.meta.dirname, "../../../../shared/vectors")
const FILE = "assume-role-tests.json"

interface ChainCase {
  readonly docs: string
  readonly input: {
    readonly profiles: ProfileMap
    readonly selected_profile: string
    readonly sso_sessions?: ProfileMap
  }
  readonly output: { readonly ProfileChain?: ReadonlyArray<unknown>; readonly Error?: string }
}

const CASES: ReadonlyArray<ChainCase> = JSON.parse(
  fs.readFileSync(path.join(VECTORS, "assume-role-chain", FILE), "utf8")
)

/**
 * Error cases: the vectors carry the Rust SDK's wording, ours differs, so each case lists our tag
 * and a substring of our message (vectors README, "Rules that apply to every runner" #2).
 */
const ERRORS: Readonly<Record<number, readonly [ChainPlanErrorTag, string]>> = {
  6: ["InvalidConfiguration", `profile "A" sets role_arn but neither source_profile nor credential_source`],
  7: ["InvalidConfiguration", `profile "A" sets both source_profile and credential_source`],
  8: ["InvalidConfiguration", `profile "B" has partial static keys: aws_secret_access_key is missing`],
  9: ["InvalidConfiguration", `profile "B" has partial static keys: aws_access_key_id is missing`],
  10: ["InvalidConfiguration", `profile "B" has no credentials`],
  11: ["NoCredentials", `profile "A" has no credentials`],
  12: ["SourceProfileNotFound", `source_profile "B" named by profile "A" was not found`],
  13: ["ProfileNotFound", `profile "A" was not found (no profiles are defined)`],
  16: ["CredentialLoop", "infinite loop: profile A → B → A"],
  17: ["CredentialLoop", "infinite loop: profile A → B → A"],
  20: ["InvalidConfiguration", `profile "A" sets web_identity_token_file but no role_arn`],
  23: ["InvalidConfiguration", `profile "A" sets sso_role_name but not sso_account_id`],
  24: ["InvalidConfiguration", `profile "A" sets sso_account_id but not sso_role_name`],
  25: ["InvalidConfiguration", `profile "A" sets sso_region, which belongs in [sso-session A]`],
  27: ["InvalidConfiguration", `sso-session "oops" named by profile "A" was not found`]
}

const snake = (fields: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(fields)
      .filter(([key]) => key !== "kind" && key !== "profile")
      .map(([key, value]) => [key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`), value])
  )

/** Our plan in the vectors' shape (`{ AccessKey: { access_key_id, ... } }`, `{ NamedSource: "..." }`). */
const toVectorShape = (chain: ProfileChain): ReadonlyArray<unknown> =>
  chain.map((element) =>
    element.kind === "NamedSource" ? { NamedSource: element.source } : { [element.kind]: snake({ ...element }) }
  )

const chainOf = (plan: ChainPlan): ProfileChain => {
  if (!plan.ok) return assert.fail(`unexpected error: ${plan.error.message}`)
  return plan.chain
}

const errorOf = (plan: ChainPlan) => {
  if (plan.ok) return assert.fail(`unexpected chain: ${describeChain(plan.chain)}`)
  return plan.error
}

describe("AssumeRoleChain", () => {
  describe(`planProfileChain (${FILE})`, () => {
    CASES.forEach((testCase, index) => {
      it(`${FILE}#${index} ${testCase.docs}`, () => {
        const { profiles, selected_profile, sso_sessions } = testCase.input
        const plan = planProfileChain(profiles, selected_profile, sso_sessions)
        if (testCase.output.ProfileChain !== undefined) {
          assert.deepStrictEqual(toVectorShape(chainOf(plan)), testCase.output.ProfileChain)
          return
        }
        const expected = ERRORS[index]
        if (expected === undefined) return assert.fail("error case without an entry in ERRORS")
        const error = errorOf(plan)
        assert.strictEqual(error._tag, expected[0])
        assert.include(error.message, expected[1])
      })
    })

    it("has an ERRORS entry for exactly the error cases", () => {
      const errorCases = CASES.flatMap((testCase, index) => (testCase.output.Error === undefined ? [] : [index]))
      assert.deepStrictEqual(errorCases, Object.keys(ERRORS).map(Number))
    })
  })

  describe("planProfileChain", () => {
    it("uses credential_process as the base and ignores source_profile without role_arn", () => {
      const home = path.join(VECTORS, "profile-provider/credential_process/fs/home/.aws")
      const files = parseProfileFiles({
        configFile: fs.readFileSync(path.join(home, "config"), "utf8"),
        credentialsFile: fs.readFileSync(path.join(home, "credentials"), "utf8")
      })
      if (files._tag === "ProfileParseError") return assert.fail(files.message)
      const chain = chainOf(planProfileChain(files.profiles, "default"))
      assert.strictEqual(chain.length, 1)
      assert.deepInclude(chain[0], { kind: "CredentialProcess", profile: "default", accountId: "123456789001" })
      assert.strictEqual(describeChain(chain), "credential_process (profile default)")
    })

    it("keeps role settings and profile names in each step when a role is chained", () => {
      const profiles = {
        A: {
          role_arn: "arn:aws:iam::1:role/A",
          source_profile: "B",
          duration_seconds: "3600",
          mfa_serial: "arn:aws:iam::1:mfa/u",
          region: "eu-west-1",
          external_id: "x"
        },
        B: { role_arn: "arn:aws:iam::1:role/B", credential_source: "EcsContainer" }
      }
      const chain = chainOf(planProfileChain(profiles, "A"))
      assert.deepStrictEqual(chain, [
        { kind: "NamedSource", profile: "B", source: "EcsContainer" },
        { kind: "AssumeRole", profile: "B", roleArn: "arn:aws:iam::1:role/B" },
        {
          kind: "AssumeRole",
          profile: "A",
          roleArn: "arn:aws:iam::1:role/A",
          externalId: "x",
          durationSeconds: 3600,
          mfaSerial: "arn:aws:iam::1:mfa/u",
          region: "eu-west-1"
        }
      ])
      assert.strictEqual(
        describeChain(chain),
        "credential_source EcsContainer (profile B) → assume role arn:aws:iam::1:role/B (profile B) → " +
          "assume role arn:aws:iam::1:role/A (profile A)"
      )
    })

    it("fails with InvalidConfiguration when credential_source or duration_seconds is not valid", () => {
      const unknown = errorOf(planProfileChain({ A: { role_arn: "r", credential_source: "Ec2" } }, "A"))
      assert.strictEqual(unknown._tag, "InvalidConfiguration")
      assert.include(unknown.message, "must be one of Environment, Ec2InstanceMetadata, EcsContainer")
      for (const duration of ["60", "1h", "50000", "900.5"]) {
        const profiles = { A: { role_arn: "r", credential_source: "Environment", duration_seconds: duration } }
        assert.include(errorOf(planProfileChain(profiles, "A")).message, "duration_seconds")
      }
    })

    it("names the whole path when a later hop forms a loop", () => {
      const profiles = {
        A: { role_arn: "a", source_profile: "B" },
        B: { role_arn: "b", source_profile: "C" },
        C: { role_arn: "c", source_profile: "B" }
      }
      const error = errorOf(planProfileChain(profiles, "A"))
      assert.strictEqual(error._tag, "CredentialLoop")
      assert.include(error.message, "profile A → B → C → B")
    })

    it("fails with InvalidConfiguration when a self-referencing profile has no keys", () => {
      const error = errorOf(planProfileChain({ A: { role_arn: "a", source_profile: "A" } }, "A"))
      assert.strictEqual(error._tag, "InvalidConfiguration")
    })

    it("does not treat credential_source without role_arn as a source", () => {
      const error = errorOf(planProfileChain({ A: { credential_source: "Environment" } }, "A"))
      assert.strictEqual(error._tag, "NoCredentials")
      assert.include(error.message, "credential_source is only used together with role_arn")
    })

    it("fails with ProfileNotFound when the name exists only on Object.prototype", () => {
      for (const name of ["constructor", "toString", "__proto__"]) {
        assert.strictEqual(errorOf(planProfileChain({ A: {} }, name))._tag, "ProfileNotFound")
      }
      const viaSource = errorOf(planProfileChain({ A: { role_arn: "a", source_profile: "constructor" } }, "A"))
      assert.strictEqual(viaSource._tag, "SourceProfileNotFound")
    })

    it("fails with InvalidConfiguration when a key the planner reads has sub-properties", () => {
      const error = errorOf(planProfileChain({ A: { role_arn: { x: "y" }, source_profile: "B" } }, "A"))
      assert.strictEqual(error._tag, "InvalidConfiguration")
      assert.include(error.message, `role_arn in profile "A" has sub-properties`)
    })

    it("plans SSO from the profile alone or from its sso-session, and checks the session", () => {
      const legacy = { sso_start_url: "https://s", sso_region: "r", sso_account_id: "1", sso_role_name: "n" }
      assert.deepInclude(chainOf(planProfileChain({ A: legacy }, "A"))[0], { kind: "Sso", ssoStartUrl: "https://s" })
      const partial = errorOf(planProfileChain({ A: { sso_start_url: "https://s" } }, "A"))
      assert.include(partial.message, "lacks sso_region, sso_account_id, sso_role_name")
      const sessions = { s: { sso_start_url: "https://s" } }
      const noRegion = errorOf(planProfileChain({ A: { sso_session: "s" } }, "A", sessions))
      assert.include(noRegion.message, '[sso-session s] (named by profile "A") lacks sso_region')
    })

    it("never puts a key, secret or token in errors or labels", () => {
      const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFIXTURESECRET"
      const token = "IQoJb3JpZ2luX2VjFIXTURETOKEN"
      const plans = [
        planProfileChain({ A: { aws_secret_access_key: secret, aws_session_token: token } }, "A"),
        planProfileChain({ A: { role_arn: "a", source_profile: "B" }, B: { aws_secret_access_key: secret } }, "A"),
        planProfileChain(
          { A: { aws_access_key_id: "AKID", aws_secret_access_key: secret, aws_session_token: token } },
          "A"
        ),
        planProfileChain(
          {
            A: { role_arn: "a", source_profile: "B", aws_secret_access_key: secret },
            B: { role_arn: "b", source_profile: "A" }
          },
          "A"
        )
      ]
      const visible = plans.map((plan) => (plan.ok ? describeChain(plan.chain) : JSON.stringify(plan.error)))
      assert.strictEqual(visible.length, 4)
      for (const text of visible) {
        assert.notInclude(text, secret)
        assert.notInclude(text, token)
      }
      assert.strictEqual(visible[2], "static keys (profile A)")
    })
  })
})
