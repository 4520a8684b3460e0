/**
 * The container variables, read through Effect `Config` at fetch time, and the pure decision of which endpoint they
 * name (decisions §12): relative URI over full URI, an absolute URL with a host and no userinfo, http only to the
 * allowed hosts. The only module of the package that names environment variables.
 */

import { CredentialsError, LiveConfig } from "@credkit/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

import { ALLOWED_HOSTS_TEXT, bareHost, isEcsAgent, isEksAgent, isLoopback, LOCALHOST, parseIp } from "./hosts.js"

// Set by the ECS agent in every task container with a task role.
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
export const RELATIVE_URI = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
// Set by EKS Pod Identity, Lambda SnapStart and custom endpoints (same page).
export const FULL_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
// The `Authorization` header value, given directly (Lambda SnapStart) ...
export const AUTHORIZATION_TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
// ... or as a file the agent rotates (EKS Pod Identity); the file wins.
export const AUTHORIZATION_TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
// Set by the Lambda runtime in every function; tells SnapStart apart from other loopback endpoints.
export const LAMBDA_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME"
// Where the ECS agent serves the relative URI (the ECS task-role page above).
export const DEFAULT_RELATIVE_URI_BASE = "http://169.254.170.2"

/** The variables that matter here; blank values are already `undefined`. */
export interface ContainerEnv {
  readonly relativeUri?: string | undefined
  readonly fullUri?: string | undefined
  readonly token?: Redacted.Redacted<string> | undefined
  readonly tokenFile?: string | undefined
  readonly lambdaFunctionName?: string | undefined
}

/** Which service the endpoint belongs to, as detected from the variables and the URI. */
export type Flavour = "ECS task role" | "EKS Pod Identity" | "Lambda SnapStart" | "custom endpoint"

/** An endpoint that passed the static checks. */
export interface Endpoint {
  readonly url: string
  readonly variable: string
  readonly flavour: Flavour
  /** Origin and path: what logs and messages show (no query, no userinfo). */
  readonly display: string
  /** The host without IPv6 brackets. */
  readonly host: string
  /** `https`: any host, no address check. */
  readonly secure: boolean
  /** The host is an IP literal that was checked already; otherwise a name plain http must resolve and check. */
  readonly literal: boolean
}

/** What the variables say. */
export type Resolution =
  | { readonly _tag: "NotConfigured" }
  | { readonly _tag: "Invalid"; readonly flavour: Flavour; readonly message: string; readonly hint: string }
  | { readonly _tag: "Endpoint"; readonly endpoint: Endpoint }

const blankToUndefined = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value

const NAMES = [RELATIVE_URI, FULL_URI, AUTHORIZATION_TOKEN, AUTHORIZATION_TOKEN_FILE, LAMBDA_FUNCTION_NAME] as const

// Read through core's LiveConfig rather than `effect/Config`, which would load Schema on the start-up path.
const variables = Effect.map(LiveConfig.variables(NAMES), (values) => ({
  relativeUri: values[RELATIVE_URI],
  fullUri: values[FULL_URI],
  // Redacted from the moment it is read: the token never reaches a log, an error or a span.
  token: values[AUTHORIZATION_TOKEN] === undefined ? undefined : Redacted.make(values[AUTHORIZATION_TOKEN]),
  tokenFile: values[AUTHORIZATION_TOKEN_FILE],
  lambdaFunctionName: values[LAMBDA_FUNCTION_NAME]
}))

/** Reads the container variables from the `ConfigProvider` in context, or from the process environment now. */
export const readEnv: Effect.Effect<ContainerEnv, CredentialsError> = variables.pipe(
  Effect.map((env) => ({
    relativeUri: blankToUndefined(env.relativeUri),
    fullUri: blankToUndefined(env.fullUri),
    token: env.token === undefined || Redacted.value(env.token).trim() === "" ? undefined : env.token,
    tokenFile: blankToUndefined(env.tokenFile),
    lambdaFunctionName: blankToUndefined(env.lambdaFunctionName)
  })),
  Effect.mapError((error) =>
    CredentialsError.misconfigured("container", `the container variables could not be read (${error._tag})`, {
      cause: error
    })
  )
)

/** The flavour a full URI points at, from its host and the Lambda variables. */
export const flavourOf = (env: ContainerEnv, url: URL): Flavour => {
  const host = bareHost(url.hostname)
  const ip = parseIp(host)
  if (ip !== undefined && isEksAgent(ip)) return "EKS Pod Identity"
  if (ip !== undefined && isEcsAgent(ip)) return "ECS task role"
  const loopback = ip === undefined ? host.toLowerCase() === LOCALHOST : isLoopback(ip)
  return loopback && env.token !== undefined && env.lambdaFunctionName !== undefined
    ? "Lambda SnapStart"
    : "custom endpoint"
}

// A URL for messages: userinfo removed (it may hold a password), no query string.
const displayOf = (url: URL): string => `${url.protocol}//${url.host}${url.pathname}`

const parseUrl = (text: string): URL | undefined => (URL.canParse(text) ? new URL(text) : undefined)

const invalid = (flavour: Flavour, message: string, hint: string): Resolution => ({
  _tag: "Invalid",
  flavour,
  message,
  hint
})

// The checks both variables share once the URL is known (decisions §12).
const check = (url: URL, variable: string, flavour: Flavour): Resolution => {
  const display = displayOf(url)
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return invalid(flavour, `${variable} names ${display}, which is not an http or https URL`, "use http or https")
  if (url.hostname === "")
    return invalid(flavour, `${variable} did not specify a host`, "give an absolute URL such as http://127.0.0.1/creds")
  if (url.username !== "" || url.password !== "")
    return invalid(
      flavour,
      `${variable} names ${display} with userinfo (user:password@), which is not allowed`,
      `remove the userinfo; send a token with ${AUTHORIZATION_TOKEN_FILE} or ${AUTHORIZATION_TOKEN} instead`
    )
  const host = bareHost(url.hostname)
  const ip = parseIp(host)
  const secure = url.protocol === "https:"
  if (!secure && ip !== undefined && !isLoopback(ip) && !isEcsAgent(ip) && !isEksAgent(ip))
    return invalid(
      flavour,
      `${variable} names ${display}: plain http to ${host} is not allowed`,
      `plain http may go only to ${ALLOWED_HOSTS_TEXT}; use https for any other host`
    )
  return {
    _tag: "Endpoint",
    endpoint: { url: url.href, variable, flavour, display, host, secure, literal: ip !== undefined }
  }
}

/**
 * Decides which endpoint the variables name, without any I/O. Host names behind plain http still need resolving
 * and checking (`literal: false`).
 */
export const resolveEndpoint = (env: ContainerEnv, relativeUriBase: string = DEFAULT_RELATIVE_URI_BASE): Resolution => {
  if (env.relativeUri !== undefined) {
    const flavour: Flavour = "ECS task role"
    if (!env.relativeUri.startsWith("/"))
      return invalid(flavour, `${RELATIVE_URI} must be a path starting with "/"`, "the ECS agent sets it; unset it")
    const base = parseUrl(relativeUriBase)
    if (base === undefined || base.search !== "" || base.hash !== "")
      return invalid(flavour, "relativeUriBase is not an absolute URL", `use a URL like ${DEFAULT_RELATIVE_URI_BASE}`)
    const url = parseUrl(base.href.replace(/\/+$/, "") + env.relativeUri)
    // The relative part may only add a path and query: it can never move the request to another origin.
    if (url === undefined || url.origin !== base.origin)
      return invalid(flavour, `${RELATIVE_URI} does not form a URL under ${displayOf(base)}`, "check its value")
    return check(url, RELATIVE_URI, flavour)
  }
  if (env.fullUri !== undefined) {
    const url = parseUrl(env.fullUri)
    if (url === undefined)
      return invalid(
        "custom endpoint",
        `${FULL_URI} is not an absolute URL: the URI did not specify a host`,
        "give an absolute URL such as http://127.0.0.1:8080/credentials"
      )
    return check(url, FULL_URI, flavourOf(env, url))
  }
  return { _tag: "NotConfigured" }
}
