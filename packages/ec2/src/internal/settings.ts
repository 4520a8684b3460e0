/**
 * Pure resolution of the IMDS settings: which of option, environment variable and profile key wins, how each raw
 * value is validated, and which endpoint a configuration selects. No Effect here, so the vector runner and the
 * configuration module call the same functions.
 */
import * as Duration from "effect/Duration"

/** A raw value and where it came from (`option endpoint`, an env var name, `profile key …`), for messages. */
export interface Setting<A> {
  readonly value: A
  readonly origin: string
}

/** A validated value, or the message that says what is wrong with it. */
export type Checked<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly message: string }

// The two built-in IMDS addresses: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
export const IPV4_ENDPOINT = "http://169.254.169.254"
export const IPV6_ENDPOINT = "http://[fd00:ec2::254]"

const ok = <A>(value: A): Checked<A> => ({ ok: true, value })
const bad = <A>(message: string): Checked<A> => ({ ok: false, message })

/** The first setting with a non-blank value, in precedence order (option > env var > profile key). */
export const pick = (...candidates: ReadonlyArray<Setting<string | undefined> | undefined>) => {
  for (const candidate of candidates) {
    const value = candidate?.value?.trim()
    if (candidate !== undefined && value !== undefined && value !== "") return { value, origin: candidate.origin }
  }
  return undefined
}

/** `true`/`false`, case-insensitive; anything else is a configuration error naming the origin. */
export const parseBoolean = (setting: Setting<string>): Checked<boolean> => {
  const lower = setting.value.toLowerCase()
  if (lower === "true") return ok(true)
  if (lower === "false") return ok(false)
  return bad(`${setting.origin} must be true or false, got "${setting.value.slice(0, 40)}"`)
}

/** A timeout in seconds (`AWS_METADATA_SERVICE_TIMEOUT`, decimals allowed) that must be above zero. */
export const parseSeconds = (setting: Setting<string>): Checked<Duration.Duration> => {
  const seconds = /^\d+(\.\d+)?$/.test(setting.value) ? Number(setting.value) : Number.NaN
  return seconds > 0
    ? ok(Duration.millis(Math.round(seconds * 1000)))
    : bad(`${setting.origin} must be a number of seconds above zero, got "${setting.value.slice(0, 40)}"`)
}

/** A whole number of attempts, at least 1. */
export const parseAttempts = (setting: Setting<string>): Checked<number> => {
  const attempts = /^\d+$/.test(setting.value) ? Number(setting.value) : Number.NaN
  return attempts >= 1 && Number.isSafeInteger(attempts)
    ? ok(attempts)
    : bad(`${setting.origin} must be a whole number of attempts of at least 1, got "${setting.value.slice(0, 40)}"`)
}

/** A timeout given as an option (`Duration.Input`); it must be finite and above zero. */
export const checkDuration = (input: Duration.Input, origin: string): Checked<Duration.Duration> => {
  const duration = Duration.fromInput(input)
  if (duration._tag === "Some" && Duration.isFinite(duration.value) && Duration.toMillis(duration.value) > 0) {
    return ok(duration.value)
  }
  return bad(`${origin} must be a finite duration above zero`)
}

/** A number of attempts given as an option. */
export const checkAttempts = (attempts: number, origin: string): Checked<number> =>
  Number.isSafeInteger(attempts) && attempts >= 1 ? ok(attempts) : bad(`${origin} must be a whole number of at least 1`)

/**
 * Validates an endpoint URL and returns its origin (`http://host:port`, IPv6 hosts in brackets). A path other than
 * `/`, a query, a fragment or user credentials are rejected: the client appends the IMDS paths itself, and a
 * silently dropped path prefix would send requests somewhere the user did not intend.
 */
export const parseEndpoint = (setting: Setting<string>): Checked<string> => {
  const where = `${setting.origin} ("${setting.value.slice(0, 200)}")`
  if (!URL.canParse(setting.value)) {
    return bad(`${where} is not a valid URL; write it as http://host[:port], with IPv6 addresses in brackets`)
  }
  const url = new URL(setting.value)
  if (url.protocol !== "http:" && url.protocol !== "https:") return bad(`${where} must use http or https`)
  if (url.username !== "" || url.password !== "") {
    // The value itself is not repeated here: it carries credentials.
    return bad(`${setting.origin} contains user credentials (user:password@), which IMDS never takes; remove them`)
  }
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "") {
    return bad(`${where} must not have a path, query or fragment; give only scheme, host and port`)
  }
  return ok(`${url.protocol}//${url.host}`)
}

/** `IPv4` or `IPv6`, case-insensitive, mapped to the built-in endpoint. */
export const parseEndpointMode = (setting: Setting<string>): Checked<string> => {
  const lower = setting.value.toLowerCase()
  if (lower === "ipv4") return ok(IPV4_ENDPOINT)
  if (lower === "ipv6") return ok(IPV6_ENDPOINT)
  return bad(`\`${setting.value.slice(0, 40)}\` is not a valid endpoint mode (${setting.origin}); use IPv4 or IPv6`)
}

/**
 * The endpoint a configuration selects (decisions §11): an explicit endpoint from any origin beats every endpoint
 * mode; without one the mode decides, IPv4 by default. Candidates come in precedence order.
 */
export const resolveEndpoint = (input: {
  readonly endpoint?: Setting<string> | undefined
  readonly mode?: Setting<string> | undefined
}): Checked<string> => {
  if (input.endpoint !== undefined) return parseEndpoint(input.endpoint)
  if (input.mode !== undefined) return parseEndpointMode(input.mode)
  return ok(IPV4_ENDPOINT)
}
