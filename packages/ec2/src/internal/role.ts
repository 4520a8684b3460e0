/**
 * Role discovery and the credentials request (decisions §6, §8–9): the extended path first, the legacy path after
 * a 404 there; the discovered role name cached and rediscovered once when its credentials path answers 404; a
 * configured name used as given and never rediscovered.
 */

import { type AwsCredentials, CredentialsError } from "@credkit/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

import { exchange, type NoResponse, TOKEN_HEADER } from "./client.js"
import { decodeDocument } from "./decode.js"
import * as Session from "./session.js"
import * as Token from "./token.js"

// Instance profile and role names: letters, digits and + = , . @ _ - (IAM naming rules), at most 128 characters.
const ROLE_NAME = /^[\w+=,.@-]{1,128}$/

const NO_ROLE_HINT = "attach an IAM role (instance profile) to this instance, or configure credentials another way"

/** A GET with the session token; a 401 drops the token and retries once (decisions §6). */
const get = Effect.fnUntraced(function* (resolution: Session.Resolution, path: string) {
  for (let retried = false; ; retried = true) {
    const token = yield* Token.current(resolution)
    const response = yield* exchange(resolution, {
      method: "GET",
      path,
      headers: token === undefined ? undefined : { [TOKEN_HEADER]: token }
    })
    if (response.status !== 401) return response
    if (retried) {
      return yield* CredentialsError.transport(
        "ec2",
        "status",
        `IMDS at ${resolution.settings.endpoint} answered 401 to GET ${path} even with a new session token`,
        { hint: "check for a proxy or firewall between here and IMDS that alters requests" }
      )
    }
    yield* Effect.logDebug(`IMDS GET ${path} answered 401; fetching a new session token`)
    yield* Token.drop(resolution)
  }
})

const unexpected = (resolution: Session.Resolution, path: string, status: number) =>
  status === 403
    ? CredentialsError.misconfigured(
        "ec2",
        `IMDS is turned off for this instance (GET ${path} at ${resolution.settings.endpoint} answered 403)`,
        { hint: "enable the metadata service, or set AWS_EC2_METADATA_DISABLED=true to skip it" }
      )
    : CredentialsError.transport(
        "ec2",
        "status",
        `IMDS at ${resolution.settings.endpoint} answered ${status} to GET ${path}`
      )

// Limitation: once the legacy path is in use it stays for the provider's life (decisions §8), so an IMDS that gains
// the extended path later serves credentials without AccountId until the provider is built again (a restart).
// Probing the extended path again after a long interval would lift this.
/**
 * GET on the path the provider uses; when the path is still unknown and the extended one answers 404, the legacy
 * one is tried and, if it answers 200, kept for the provider's life (decisions §8).
 */
const getOnPath = Effect.fnUntraced(function* (resolution: Session.Resolution, suffix: string) {
  const state = yield* Session.get(resolution)
  const first = state.path === "legacy" ? Session.LEGACY_PATH : Session.EXTENDED_PATH
  const response = yield* get(resolution, first + suffix)
  if (response.status === 200) {
    if (state.path === "unknown") yield* Session.set(resolution, { path: "extended" })
    return { response, path: first + suffix }
  }
  if (response.status !== 404 || state.path !== "unknown") return { response, path: first + suffix }
  const legacy = yield* get(resolution, Session.LEGACY_PATH + suffix)
  if (legacy.status === 200) {
    yield* Effect.logDebug("IMDS has no extended credentials path; using the legacy path from now on")
    yield* Session.set(resolution, { path: "legacy" })
  }
  return { response: legacy, path: Session.LEGACY_PATH + suffix }
})

const discover = Effect.fn("Ec2Credentials.discoverRole")(function* (resolution: Session.Resolution) {
  const endpoint = resolution.settings.endpoint
  const { response, path } = yield* getOnPath(resolution, "")
  if (response.status !== 200 && response.status !== 404) return yield* unexpected(resolution, path, response.status)
  const listed =
    response.status === 404
      ? ""
      : (new TextDecoder("utf-8", { fatal: false }).decode(response.body).split("\n")[0] ?? "").trim()
  if (listed === "") {
    return yield* CredentialsError.unavailable(
      "ec2",
      `no IAM role is attached to this instance (GET ${path} at ${endpoint} answered ${response.status === 404 ? "404" : "an empty list"})`,
      { hint: NO_ROLE_HINT }
    )
  }
  if (!ROLE_NAME.test(listed)) {
    return yield* CredentialsError.invalidResponse(
      "ec2",
      `IMDS at ${endpoint} answered GET ${path} with a malformed role name`
    )
  }
  yield* Session.set(resolution, { role: listed })
  return listed
})

/** The credentials document of `role`, or `undefined` when IMDS has none under that name (404). */
const fetchDocument = Effect.fn("Ec2Credentials.fetchCredentials")(function* (
  resolution: Session.Resolution,
  role: string
) {
  // Role names are checked against ROLE_NAME, whose characters are all valid in a URL path as they are.
  const { response, path } = yield* getOnPath(resolution, role)
  if (response.status === 404) return undefined
  if (response.status !== 200) return yield* unexpected(resolution, path, response.status)
  // The document holds the secret key and token: it leaves this traced function only as a Redacted value, so a
  // tracer that records span results never sees it.
  return Redacted.make(response.body)
})

const decode = (resolution: Session.Resolution, body: Redacted.Redacted<Uint8Array>, role: string) => {
  const decoded = decodeDocument(Redacted.value(body), role)
  const source = `ec2:${role}`
  const what = `the credentials document IMDS at ${resolution.settings.endpoint} served for role ${role}`
  if (decoded._tag === "Ok") return Effect.succeed(decoded.credentials)
  if (decoded._tag === "Invalid")
    return Effect.fail(CredentialsError.invalidResponse(source, `${what} ${decoded.message}`))
  return Effect.fail(
    CredentialsError.unauthorized(
      source,
      `IMDS could not get credentials for role ${role}: ${decoded.code}${decoded.message === "" ? "" : `: ${decoded.message}`}`,
      {
        code: decoded.code,
        hint:
          decoded.code === "AssumeRoleUnauthorizedAccess"
            ? `role trust policy does not allow EC2: add ec2.amazonaws.com as a trusted principal of role ${role}`
            : "check the instance profile and its role in IAM"
      }
    )
  )
}

/** Resolves the instance role's credentials (decisions §8). */
export const credentials: (
  resolution: Session.Resolution
) => Effect.Effect<AwsCredentials.AwsCredentials, CredentialsError | NoResponse> = Effect.fnUntraced(function* (
  resolution: Session.Resolution
) {
  const configured = resolution.settings.roleName
  if (configured !== undefined) {
    if (!ROLE_NAME.test(configured.value)) {
      return yield* CredentialsError.misconfigured(
        "ec2",
        `${configured.origin} is not a valid role name (letters, digits and + = , . @ _ -, at most 128)`,
        { hint: `set ${configured.origin} to the name of the instance profile's role, or unset it` }
      )
    }
    const body = yield* fetchDocument(resolution, configured.value)
    if (body === undefined) {
      return yield* CredentialsError.misconfigured(
        `ec2:${configured.value}`,
        `role ${configured.value} (from ${configured.origin}) has no credentials on this instance: IMDS at ${resolution.settings.endpoint} answered 404`,
        {
          hint: `attach an instance profile with role ${configured.value}, or unset ${configured.origin} to use the attached one`
        }
      )
    }
    return yield* decode(resolution, body, configured.value)
  }

  const cached = (yield* Session.get(resolution)).role
  const role = cached ?? (yield* discover(resolution))
  const body = yield* fetchDocument(resolution, role)
  if (body !== undefined) return yield* decode(resolution, body, role)

  // The role was renamed or replaced since it was discovered: look it up again, once.
  yield* Effect.logDebug(`IMDS has no credentials for role ${role} any more; discovering the role again`)
  yield* Session.set(resolution, { role: undefined })
  const renamed = yield* discover(resolution)
  const retried = yield* fetchDocument(resolution, renamed)
  if (retried !== undefined) return yield* decode(resolution, retried, renamed)
  return yield* CredentialsError.transport(
    `ec2:${renamed}`,
    "status",
    `IMDS at ${resolution.settings.endpoint} lists role ${renamed} but answered 404 for its credentials`,
    { hint: "the role is changing right now; the next refresh tries again" }
  )
})
