/**
 * The small HTTP client the metadata adapters use (IMDS, container endpoint): one request, a per-attempt timeout,
 * a bounded body, and errors that say whether any byte came back. It is a `Context.Reference` whose default
 * speaks `node:http`, so tests swap it for a fake or a recording transport without providing anything else.
 *
 * @since 0.1.0
 */
import type * as NodeDns from "node:dns"
import type * as NodeHttp from "node:http"
import type * as NodeNet from "node:net"

import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

/**
 * One request.
 *
 * @category models
 * @since 0.1.0
 */
export interface Request {
  readonly method: "GET" | "PUT"
  readonly url: string
  /** Header values that are secrets stay `Redacted` until they are written to the socket. */
  readonly headers?: Readonly<Record<string, string | Redacted.Redacted<string>>> | undefined
  /** Time allowed for the whole exchange, connect to last byte. */
  readonly timeout: Duration.Input
  /** Largest body accepted; larger answers fail with `too-large` instead of growing memory. Default 64 KiB. */
  readonly maxBodyBytes?: number | undefined
  /** Connect to this already-checked IP address instead of resolving the URL's host again. */
  readonly address?: string | undefined
}

/**
 * A response with its body read in full.
 *
 * @category models
 * @since 0.1.0
 */
export interface Response {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: Uint8Array
}

/**
 * A request that did not produce a complete response. `responded` says whether any byte of a response arrived,
 * which separates "nothing is listening here" from "the service is broken".
 *
 * @category errors
 * @since 0.1.0
 */
export class HttpTransportError extends Data.TaggedError("HttpTransportError")<{
  readonly kind: "refused" | "timeout" | "reset" | "too-large" | "other"
  readonly responded: boolean
  readonly url: string
  readonly cause?: unknown
}> {
  override get message(): string {
    const what = {
      refused: "connection refused",
      timeout: this.responded ? "timed out while reading the response" : "timed out with no response",
      reset: "connection reset",
      "too-large": "response body too large",
      other: "request failed"
    }[this.kind]
    return `${what} (${this.url})`
  }
}

/**
 * The transport shape.
 *
 * @category models
 * @since 0.1.0
 */
export interface Shape {
  readonly request: (request: Request) => Effect.Effect<Response, HttpTransportError>
}

const DEFAULT_MAX_BODY = 64 * 1024

const classify = (error: NodeJS.ErrnoException): HttpTransportError["kind"] =>
  error.code === "ECONNREFUSED"
    ? "refused"
    : error.code === "ECONNRESET" || error.code === "EPIPE"
      ? "reset"
      : error.code === "ETIMEDOUT"
        ? "timeout"
        : "other"

// Answers every lookup with the address that was already checked, so no second DNS query can change the target.
const pinnedLookup =
  (address: string): NodeNet.LookupFunction =>
  (_hostname, options, callback) => {
    const family = address.includes(":") ? 6 : 4
    if (options.all)
      (callback as unknown as (e: null, all: Array<NodeDns.LookupAddress>) => void)(null, [{ address, family }])
    else callback(null, address, family)
  }

// node:http through getBuiltinModule costs a few ms at start-up where `import` loads undici too.
const nodeRequest = (request: Request): Effect.Effect<Response, HttpTransportError> =>
  Effect.callback<Response, HttpTransportError>((resume, signal) => {
    // URL parsing and header validation throw synchronously (a CR/LF in a value, a malformed URL): those become a
    // typed failure instead of a defect.
    try {
      send(request, resume, signal)
    } catch (cause) {
      resume(Effect.fail(new HttpTransportError({ kind: "other", responded: false, url: safeUrl(request.url), cause })))
    }
  })

const safeUrl = (url: string): string => {
  const parsed = URL.parse(url)
  return parsed === null ? "<invalid URL>" : `${parsed.origin}${parsed.pathname}`
}

const send = (
  request: Request,
  resume: (effect: Effect.Effect<Response, HttpTransportError>) => void,
  signal: AbortSignal
): void => {
  const url = new URL(request.url)
  const http = process.getBuiltinModule(url.protocol === "https:" ? "node:https" : "node:http") as typeof NodeHttp
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    headers[name] = Redacted.isRedacted(value) ? Redacted.value(value) : value
  }
  const maxBody = request.maxBodyBytes ?? DEFAULT_MAX_BODY
  const where = `${request.method} ${url.origin}${url.pathname}`
  let responded = false
  let settled = false
  const fail = (kind: HttpTransportError["kind"], cause?: unknown) => {
    if (settled) return
    settled = true
    clearTimeout(timer)
    req.destroy()
    resume(Effect.fail(new HttpTransportError({ kind, responded, url: where, cause })))
  }
  const address = request.address
  const req = http.request(url, {
    method: request.method,
    headers,
    agent: false,
    ...(address !== undefined ? { lookup: pinnedLookup(address) } : {})
  })
  const timer = setTimeout(() => fail("timeout"), Duration.toMillis(Duration.fromInputUnsafe(request.timeout)))
  req.on("error", (error: NodeJS.ErrnoException) => fail(classify(error), error))
  req.on("response", (res) => {
    responded = true
    const chunks: Array<Buffer> = []
    let size = 0
    res.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBody) return fail("too-large")
      chunks.push(chunk)
    })
    res.on("error", (error: NodeJS.ErrnoException) => fail(classify(error), error))
    res.on("aborted", () => fail("reset"))
    res.on("end", () => {
      if (settled) return
      if (!res.complete) return fail("reset")
      settled = true
      clearTimeout(timer)
      const responseHeaders: Record<string, string | undefined> = {}
      for (const [name, value] of Object.entries(res.headers)) {
        responseHeaders[name] = Array.isArray(value) ? value.join(", ") : value
      }
      resume(Effect.succeed({ status: res.statusCode ?? 0, headers: responseHeaders, body: Buffer.concat(chunks) }))
    })
  })
  signal.addEventListener("abort", () => {
    settled = true
    clearTimeout(timer)
    req.destroy()
  })
  req.end()
}

/**
 * The transport in use: `node:http`/`node:https` unless a test or an application provides another.
 *
 * @category services
 * @since 0.1.0
 */
export const HttpTransport = Context.Reference<Shape>("@credkit/core/HttpTransport", {
  defaultValue: () => ({ request: nodeRequest })
})

/**
 * Sends a request through the transport in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const request = (req: Request): Effect.Effect<Response, HttpTransportError> =>
  Effect.flatMap(HttpTransport, (transport) => transport.request(req))

/**
 * Decodes a body as strict UTF-8: `undefined` when it holds bytes that are not UTF-8. Credential documents go
 * through this one, since a replaced byte in a secret key would sign every request wrong.
 *
 * @category models
 * @since 0.1.0
 */
export const utf8 = (response: Response): string | undefined => {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(response.body)
  } catch {
    return undefined
  }
}

/**
 * Decodes a body as UTF-8, replacing invalid bytes; for text shown in messages, never for credentials.
 *
 * @category models
 * @since 0.1.0
 */
export const text = (response: Response): string => new TextDecoder("utf-8").decode(response.body)
