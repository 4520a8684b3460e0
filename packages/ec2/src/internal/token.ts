/**
 * The IMDSv2 session token (decisions §6–7): fetched with a six-hour TTL, reused until two minutes before it ends,
 * dropped on a 401. The token endpoint's status decides between IMDSv2, the IMDSv1 fallback and an error; a token
 * request that gets no answer while a plain GET does is diagnosed as a hop limit.
 */

import { CredentialsError } from "@credkit/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

import { exchange } from "./client.js"
import * as Session from "./session.js"

// IMDSv2 token endpoint and TTL header: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
export const TOKEN_PATH = "/latest/api/token"
export const TOKEN_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds"
// decisions §6: the longest TTL IMDS grants, and renewal two minutes before it ends.
const TOKEN_TTL = Duration.seconds(21600)
const RENEW_BEFORE = Duration.seconds(120)
// decisions §7: a hop-limited IMDS answers GETs at once, so the probe needs little time.
const PROBE_BUDGET = Duration.millis(250)

export const HOP_LIMIT_HINT =
  "token request timed out but metadata answered: raise the hop limit to 2 for containers " +
  "(aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2)"
const TURNED_OFF_HINT =
  "enable the metadata service (aws ec2 modify-instance-metadata-options --http-endpoint enabled), " +
  "or set AWS_EC2_METADATA_DISABLED=true to skip it"

const decodeToken = (body: Uint8Array): string | undefined => {
  const text = new TextDecoder("utf-8").decode(body).trim()
  // A token is printable ASCII; anything else would break the header it is sent in.
  return /^[\x21-\x7e]+$/.test(text) ? text : undefined
}

const ttlOf = (headers: Readonly<Record<string, string | undefined>>): Duration.Duration => {
  const seconds = Number(headers[TOKEN_TTL_HEADER])
  return Number.isSafeInteger(seconds) && seconds > 0 && seconds <= 21600 ? Duration.seconds(seconds) : TOKEN_TTL
}

const useV1 = Effect.fnUntraced(function* (resolution: Session.Resolution, why: string, hint?: string) {
  const disabled = resolution.settings.v1Disabled
  if (disabled !== undefined) {
    return yield* CredentialsError.misconfigured(
      "ec2",
      `${why}, and the IMDSv1 fallback is turned off by ${disabled.origin}`,
      { hint: hint ?? "turn on IMDSv2 tokens for this instance, or allow the IMDSv1 fallback" }
    )
  }
  yield* Session.set(resolution, { v1: true, token: undefined })
  yield* Effect.logWarning(
    `${why}; using IMDSv1 (no session token) for the life of this provider, until IMDS asks for a token again` +
      (hint === undefined ? "" : `. Hint: ${hint}`)
  )
  return undefined
})

// decisions §7: the token PUT got no answer; one GET with a short budget tells a hop limit from a dead endpoint.
const probe = Effect.fnUntraced(function* (resolution: Session.Resolution) {
  const budget = Duration.min(resolution.settings.timeout, PROBE_BUDGET)
  const response = yield* exchange(resolution, {
    method: "GET",
    path: Session.LEGACY_PATH,
    timeout: budget,
    attempts: 1
  })
  const why = `IMDS at ${resolution.settings.endpoint} did not answer PUT ${TOKEN_PATH} within ${Duration.format(resolution.settings.timeout)} but answered a GET at once`
  if (response.status === 401) {
    // A token-only IMDS: IMDSv1 cannot help, only a larger hop limit can.
    return yield* CredentialsError.misconfigured("ec2", `${why} with 401 (tokens required)`, { hint: HOP_LIMIT_HINT })
  }
  return yield* useV1(resolution, why, HOP_LIMIT_HINT)
})

const fetchToken = Effect.fn("Ec2Credentials.fetchToken")(function* (resolution: Session.Resolution) {
  const endpoint = resolution.settings.endpoint
  const response = yield* exchange(resolution, {
    method: "PUT",
    path: TOKEN_PATH,
    headers: { [TOKEN_TTL_HEADER]: String(Duration.toSeconds(TOKEN_TTL)) }
  }).pipe(
    Effect.catchTag("NoResponse", (error) =>
      error.kind === "timeout" ? Effect.as(probe(resolution), undefined) : Effect.fail(error)
    )
  )
  if (response === undefined) return undefined

  const status = response.status
  if (status === 200) {
    const value = decodeToken(response.body)
    if (value === undefined) {
      return yield* CredentialsError.invalidResponse(
        "ec2",
        `IMDS at ${endpoint} answered PUT ${TOKEN_PATH} with a malformed token`
      )
    }
    const now = yield* Clock.currentTimeMillis
    const renewAt = now + Duration.toMillis(ttlOf(response.headers)) - Duration.toMillis(RENEW_BEFORE)
    const token = { value: Redacted.make(value), renewAt }
    yield* Session.set(resolution, { token })
    return token.value
  }
  if (status === 403) {
    return yield* CredentialsError.misconfigured(
      "ec2",
      `IMDS is turned off for this instance (PUT ${TOKEN_PATH} at ${endpoint} answered 403)`,
      { hint: TURNED_OFF_HINT }
    )
  }
  if (status === 404 || status === 405) {
    return yield* useV1(resolution, `IMDS at ${endpoint} has no token endpoint (PUT ${TOKEN_PATH} answered ${status})`)
  }
  return yield* CredentialsError.transport(
    "ec2",
    "status",
    `IMDS at ${endpoint} answered ${status} to PUT ${TOKEN_PATH}`,
    {
      hint:
        status === 400
          ? "the token request was rejected as malformed; check for a proxy between here and IMDS"
          : undefined
    }
  )
})

/** The token to send, fetching one when none is cached or it is due for renewal; `undefined` in IMDSv1 mode. */
export const current = Effect.fnUntraced(function* (resolution: Session.Resolution) {
  const state = yield* Session.get(resolution)
  if (state.v1) return undefined
  const now = yield* Clock.currentTimeMillis
  if (state.token !== undefined && now < state.token.renewAt) return state.token.value
  return yield* fetchToken(resolution)
})

/** decisions §6: after a 401, forget the token (and IMDSv1 mode: IMDS now wants a token) before the one retry. */
export const drop = (resolution: Session.Resolution): Effect.Effect<void> =>
  Session.set(resolution, { token: undefined, v1: false })
