/**
 * One fetch from the container endpoint (decisions §12–13): the host of a plain-http URL is resolved and every
 * address checked before each attempt, the request goes to a checked address, 4xx and redirects stop at once,
 * 5xx, I/O failures and unusable 200s are retried with jittered exponential backoff.
 */

import { type AwsCredentials, CredentialsError, HttpTransport } from "@credkit/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type * as Redacted from "effect/Redacted"

import { AUTHORIZATION_TOKEN, type Endpoint, type Flavour, FULL_URI, RELATIVE_URI } from "./config.js"
import { decodeCredentials, decodeServerError, describeServerError } from "./decode.js"
import { ALLOWED_HOSTS_TEXT, isAllowedAddress } from "./hosts.js"
import * as Resolver from "./resolver.js"

/** What one fetch needs. */
export interface Plan {
  readonly endpoint: Endpoint
  readonly token: Redacted.Redacted<string> | undefined
  readonly timeout: Duration.Duration
  readonly maxAttempts: number
}

/** The source label of container credentials and their errors (api.md). */
export const SOURCE = "container"
// The agents read the token from this header, verbatim (no scheme prefix).
const AUTHORIZATION_HEADER = "authorization"
// Backoff between attempts: 100 ms doubling, capped at 1 s, each delay jittered down by up to half.
const BACKOFF_BASE = Duration.millis(100)
const BACKOFF_CAP = Duration.seconds(1)

const HINTS: Readonly<Record<Flavour, { readonly unreachable: string; readonly denied: string }>> = {
  "ECS task role": {
    unreachable: `the ECS agent answers only inside an ECS task; outside one, unset ${RELATIVE_URI}`,
    denied: "check the task role of the task definition"
  },
  "EKS Pod Identity": {
    unreachable: "check that the EKS Pod Identity agent runs on this node",
    denied: "check the pod identity association of the service account and the token file"
  },
  "Lambda SnapStart": {
    unreachable: "the Lambda runtime serves this endpoint only inside the function",
    denied: `check ${AUTHORIZATION_TOKEN} of the function`
  },
  "custom endpoint": {
    unreachable: `check that the server named by ${FULL_URI} is running`,
    denied: "check the authorization token the endpoint expects"
  }
}

// "EKS Pod Identity endpoint http://169.254.170.23/v1/credentials", "custom endpoint http://127.0.0.1:8080/creds".
const describe = (endpoint: Endpoint): string =>
  `${endpoint.flavour === "custom endpoint" ? endpoint.flavour : `${endpoint.flavour} endpoint`} ${endpoint.display}`

/** Transport failures and unusable answers are worth another attempt; configuration and authorization are not. */
export const isRetryable = (error: CredentialsError): boolean =>
  error.reason._tag === "Transport" || error.reason._tag === "InvalidResponse"

// Which addresses the request may go to. https needs no check; plain http to a name resolves it now, on every
// attempt, and every address must be allowed: a name that changes its answer is caught on the next fetch.
const targets = Effect.fn("ContainerCredentials.checkHost")(function* (endpoint: Endpoint, timeout: Duration.Duration) {
  if (endpoint.secure) return [undefined]
  if (endpoint.literal) return [endpoint.host]
  const addresses = yield* Resolver.lookup(endpoint.host).pipe(
    Effect.timeoutOrElse({
      duration: timeout,
      orElse: () => Effect.fail(new Resolver.ResolverError({ host: endpoint.host, code: "ETIMEOUT" }))
    }),
    // A resolution failure is a network failure and is reported as one, never as a refused host.
    Effect.mapError((error) =>
      CredentialsError.transport(
        SOURCE,
        error.code === "ETIMEOUT" ? "timeout" : "other",
        `${describe(endpoint)}: ${error.message}`,
        { hint: HINTS[endpoint.flavour].unreachable, cause: error }
      )
    )
  )
  const forbidden = addresses.filter((entry) => !isAllowedAddress(entry.address)).map((entry) => entry.address)
  if (forbidden.length > 0)
    return yield* Effect.fail(
      CredentialsError.misconfigured(
        SOURCE,
        `${describe(endpoint)}: ${endpoint.host} resolves to ${forbidden.join(", ")}, where plain http is not allowed`,
        { hint: `plain http may go only to ${ALLOWED_HOSTS_TEXT}; use https for any other host` }
      )
    )
  return addresses.map((entry) => entry.address)
})

const transportFailure = (endpoint: Endpoint, error: HttpTransport.HttpTransportError, timeout: Duration.Duration) => {
  if (error.kind === "too-large")
    return CredentialsError.invalidResponse(SOURCE, `${describe(endpoint)} answered with an oversized body`)
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code
  const what = {
    refused: "connection refused",
    timeout: error.responded
      ? "timed out while reading the response"
      : `no response within ${Duration.format(timeout)}`,
    reset: "connection reset",
    other: `request failed${code === undefined ? "" : ` (${code})`}`
  }[error.kind]
  return CredentialsError.transport(SOURCE, error.kind, `${describe(endpoint)}: ${what}`, {
    hint: HINTS[endpoint.flavour].unreachable,
    cause: error
  })
}

// Tries the checked addresses in order; only "connection refused" moves on to the next one (localhost often
// resolves to ::1 and 127.0.0.1 while a server listens on one of them).
// Limitation: a checked address that drops packets is not raced against the others, so a name whose first address
// is silent fails each attempt with a timeout; pinning one address per connection (core's `address`) is what
// rules it out, and a transport that races several pinned addresses would lift it.
const send = (
  plan: Plan,
  addresses: ReadonlyArray<string | undefined>,
  index = 0
): Effect.Effect<HttpTransport.Response, CredentialsError> =>
  HttpTransport.request({
    method: "GET",
    url: plan.endpoint.url,
    headers: plan.token === undefined ? {} : { [AUTHORIZATION_HEADER]: plan.token },
    timeout: plan.timeout,
    address: addresses[index]
  }).pipe(
    Effect.catch((error) =>
      error.kind === "refused" && index + 1 < addresses.length
        ? send(plan, addresses, index + 1)
        : Effect.fail(transportFailure(plan.endpoint, error, plan.timeout))
    )
  )

const statusFailure = (endpoint: Endpoint, response: HttpTransport.Response): CredentialsError => {
  const status = response.status
  if (status >= 300 && status < 400)
    return CredentialsError.misconfigured(
      SOURCE,
      `${describe(endpoint)} answered ${status}: redirects are not followed`,
      {
        hint: "point the variable at the credentials URL itself"
      }
    )
  const server = decodeServerError(HttpTransport.text(response))
  const detail = describeServerError(server)
  const message = `${describe(endpoint)} answered ${status}${detail === undefined ? "" : ` (${detail})`}`
  if (status === 401 || status === 403)
    return CredentialsError.unauthorized(SOURCE, message, {
      hint: HINTS[endpoint.flavour].denied,
      ...(server.code !== undefined ? { code: server.code } : {})
    })
  // Limitation: 429 (throttling) is terminal like every 4xx (decisions §13): a throttled agent fails the fetch at
  // once, and the cache repeats that error for 5 s instead of serving its cached credentials; treating 429 like a
  // 5xx would lift it.
  if (status >= 400 && status < 500)
    return CredentialsError.misconfigured(SOURCE, message, { hint: "check the URI the container variables name" })
  if (status >= 500)
    return CredentialsError.transport(SOURCE, "status", message, { hint: HINTS[endpoint.flavour].unreachable })
  return CredentialsError.invalidResponse(SOURCE, `${describe(endpoint)} answered ${status} instead of 200`)
}

const attempt = Effect.fn("ContainerCredentials.attempt")(function* (plan: Plan) {
  const addresses = yield* targets(plan.endpoint, plan.timeout)
  const response = yield* send(plan, addresses)
  if (response.status !== 200) return yield* Effect.fail(statusFailure(plan.endpoint, response))
  const text = HttpTransport.utf8(response)
  if (text === undefined)
    return yield* Effect.fail(
      CredentialsError.invalidResponse(SOURCE, `${describe(plan.endpoint)} answered 200 with a body that is not UTF-8`)
    )
  const decoded = decodeCredentials(text, SOURCE)
  if (decoded._tag === "Invalid")
    return yield* Effect.fail(
      CredentialsError.invalidResponse(SOURCE, `${describe(plan.endpoint)} answered 200, but ${decoded.problem}`, {
        hint: "the endpoint must answer with AccessKeyId, SecretAccessKey, Token and Expiration"
      })
    )
  return decoded.credentials
})

const backoff = (attemptNumber: number) =>
  Effect.map(Random.next, (random) => {
    const full = Duration.min(Duration.times(BACKOFF_BASE, 2 ** (attemptNumber - 1)), BACKOFF_CAP)
    return Duration.millis(Math.round(Duration.toMillis(full) * (0.5 + random / 2)))
  })

// The last failure, saying how many attempts were made when there was more than one.
const afterAttempts = (error: CredentialsError, attempts: number): CredentialsError => {
  const reason = error.reason
  if (attempts === 1) return error
  const message = `${reason.message} (${attempts} attempts)`
  if (reason._tag === "Transport")
    return CredentialsError.transport(error.source, reason.kind, message, { hint: reason.hint, cause: reason.cause })
  if (reason._tag === "InvalidResponse")
    return CredentialsError.invalidResponse(error.source, message, { hint: reason.hint, cause: reason.cause })
  return error
}

/** Fetches credentials, retrying as the plan allows. */
export const fetchCredentials = (plan: Plan): Effect.Effect<AwsCredentials.AwsCredentials, CredentialsError> => {
  const loop = (attemptNumber: number): Effect.Effect<AwsCredentials.AwsCredentials, CredentialsError> =>
    Effect.gen(function* () {
      yield* Effect.logDebug(
        `GET ${describe(plan.endpoint)}, attempt ${attemptNumber} of ${plan.maxAttempts}${plan.token === undefined ? "" : ", with an authorization token"}`
      )
      const result = yield* Effect.result(attempt(plan))
      if (result._tag === "Success") return result.success
      const error = result.failure
      if (!isRetryable(error) || attemptNumber >= plan.maxAttempts)
        return yield* Effect.fail(afterAttempts(error, attemptNumber))
      const delay = yield* backoff(attemptNumber)
      yield* Effect.logDebug(
        `attempt ${attemptNumber} failed (${error.reason._tag}); next attempt in ${Duration.format(delay)}`
      )
      yield* Effect.sleep(delay)
      return yield* loop(attemptNumber + 1)
    })
  return loop(1)
}
