/**
 * Replays the recorded HTTP traffic of a default-chain scenario (the vectors' "V0" format). One replay serves both
 * wires credkit speaks: the metadata transport (`HttpTransport`, for IMDS and the container endpoint) and the AWS SDK
 * `requestHandler` of the STS clients. The n-th request of either kind gets connection n's answer; nothing is dialled.
 * A request the recording does not expect is refused and kept as a violation for the test to report.
 */
import * as fs from "node:fs"

import { HttpTransport } from "@credkit/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

interface V0Event {
  readonly connection_id: number
  readonly action: {
    readonly Request?: {
      readonly request: {
        readonly uri: string
        readonly method: string
        readonly headers: Readonly<Record<string, ReadonlyArray<string>>>
      }
    }
    readonly Response?: {
      readonly response: {
        readonly Ok?: { readonly status: number; readonly headers: Readonly<Record<string, ReadonlyArray<string>>> }
      }
    }
    readonly Data?: { readonly data: { readonly Utf8?: string }; readonly direction: "Request" | "Response" }
  }
}

/** One recorded request and the answer to give it. */
export interface Exchange {
  readonly uri: string
  readonly method: string
  /** Recorded request headers, lower-case names, values joined. */
  readonly requestHeaders: Readonly<Record<string, string>>
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** The exchanges of an `http-traffic.json`, in connection order. */
export const readTraffic = (file: string): ReadonlyArray<Exchange> => {
  const events: ReadonlyArray<V0Event> = JSON.parse(fs.readFileSync(file, "utf8")).events
  const byId = new Map<number, { -readonly [K in keyof Exchange]?: Exchange[K] } & { body: string }>()
  const join = (headers: Readonly<Record<string, ReadonlyArray<string>>>) =>
    Object.fromEntries(Object.entries(headers).map(([name, values]) => [name.toLowerCase(), values.join(", ")]))
  for (const event of events) {
    const entry = byId.get(event.connection_id) ?? { body: "" }
    byId.set(event.connection_id, entry)
    const { Request, Response, Data } = event.action
    if (Request !== undefined) {
      entry.uri = Request.request.uri
      entry.method = Request.request.method
      entry.requestHeaders = join(Request.request.headers)
    }
    if (Response?.response.Ok !== undefined) {
      // Content-Length is computed from the body we send, never replayed (vectors README §6).
      const { "content-length": _, ...headers } = join(Response.response.Ok.headers)
      entry.status = Response.response.Ok.status
      entry.headers = headers
    }
    if (Data?.direction === "Response") entry.body += Data.data.Utf8 ?? ""
  }
  return [...byId.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, entry]) => ({
      uri: entry.uri ?? "",
      method: entry.method ?? "",
      requestHeaders: entry.requestHeaders ?? {},
      status: entry.status ?? 0,
      headers: entry.headers ?? {},
      body: entry.body
    }))
}

const sortedQuery = (url: URL): string =>
  [...url.searchParams.entries()]
    .map((pair) => pair.join("="))
    .sort()
    .join("&")

/** Same origin, same path (`/` and empty are one), same query parameters in any order. */
export const sameUri = (a: string, b: string): boolean => {
  const left = new URL(a)
  const right = new URL(b)
  return left.origin === right.origin && left.pathname === right.pathname && sortedQuery(left) === sortedQuery(right)
}

// The headers the upstream runner compares where recorded (vectors README §6); SigV4 headers are stale.
const CHECKED_HEADERS = ["content-type", "x-aws-ec2-metadata-token"] as const

// decisions §8: the recordings predate the extended role path; a replay answers it 404 when the recording has none.
const EXTENDED_PATH = "/latest/meta-data/iam/security-credentials-extended/"

interface SmithyRequest {
  readonly protocol: string
  readonly hostname: string
  readonly port?: number | undefined
  readonly path: string
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly query?: Readonly<Record<string, string | ReadonlyArray<string> | null>> | undefined
}

const urlOf = (request: SmithyRequest): string => {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(request.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) query.append(key, item ?? "")
  }
  const search = query.size === 0 ? "" : `?${query}`
  const port = request.port === undefined ? "" : `:${request.port}`
  return `${request.protocol}//${request.hostname}${port}${request.path}${search}`
}

/** A request as it was sent: URL, method and headers (secrets unwrapped only inside the test). */
export interface Sent {
  readonly url: string
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  /** True for the extended-path requests the replay answered 404 on its own. */
  readonly synthetic: boolean
}

/** A replay of `exchanges` for both transports, with the log of what was sent and every mismatch. */
export const makeReplay = (exchanges: ReadonlyArray<Exchange>) => {
  const sent: Array<Sent> = []
  const violations: Array<string> = []
  let next = 0

  const answer = (url: string, method: string, headers: Readonly<Record<string, string>>): Exchange | undefined => {
    if (new URL(url).pathname.startsWith(EXTENDED_PATH) && !exchanges.some((e) => e.uri.includes(EXTENDED_PATH))) {
      sent.push({ url, method, headers, synthetic: true })
      return { uri: url, method, requestHeaders: {}, status: 404, headers: {}, body: "" }
    }
    sent.push({ url, method, headers, synthetic: false })
    const expected = exchanges[next]
    if (expected === undefined) {
      violations.push(`request ${next} ${method} ${url}: the recording has no more requests`)
      return undefined
    }
    if (!sameUri(expected.uri, url) || expected.method !== method) {
      violations.push(`request ${next}: expected ${expected.method} ${expected.uri}, got ${method} ${url}`)
      return undefined
    }
    for (const name of CHECKED_HEADERS) {
      const recorded = expected.requestHeaders[name]
      if (recorded !== undefined && headers[name] !== recorded) {
        violations.push(`request ${next} (${url}): header ${name} differs from the recording`)
      }
    }
    next++
    return expected
  }

  const transport: HttpTransport.Shape = {
    request: (request) =>
      Effect.suspend(() => {
        const headers = Object.fromEntries(
          Object.entries(request.headers ?? {}).map(([name, value]) => [
            name.toLowerCase(),
            Redacted.isRedacted(value) ? Redacted.value(value) : value
          ])
        )
        const exchange = answer(request.url, request.method, headers)
        if (exchange === undefined) {
          return Effect.fail(
            new HttpTransport.HttpTransportError({ kind: "refused", responded: false, url: request.url })
          )
        }
        return Effect.succeed({
          status: exchange.status,
          headers: exchange.headers,
          body: new TextEncoder().encode(exchange.body)
        })
      })
  }

  /** An AWS SDK v3 `requestHandler`; the response is the plain shape smithy's `HttpResponse.isInstance` accepts. */
  const requestHandler = {
    metadata: { handlerProtocol: "http/1.1" },
    handle: (request: SmithyRequest) => {
      const url = urlOf(request)
      const headers = Object.fromEntries(Object.entries(request.headers).map(([n, v]) => [n.toLowerCase(), v]))
      const exchange = answer(url, request.method, headers)
      if (exchange === undefined) return Promise.reject(new Error(`the replay refused ${request.method} ${url}`))
      const body = new TextEncoder().encode(exchange.body)
      return Promise.resolve({
        response: {
          statusCode: exchange.status,
          headers: { ...exchange.headers, "content-length": String(body.byteLength) },
          body
        }
      })
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
    destroy: () => {}
  }

  return {
    transport,
    requestHandler,
    sent,
    violations,
    /** How many recorded exchanges were answered. */
    answered: () => next
  }
}
