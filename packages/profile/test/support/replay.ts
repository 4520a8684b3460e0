/**
 * Replays recorded HTTP traffic (the vectors' "V0" format) as an AWS SDK request handler: the n-th request gets
 * connection n's answer. Nothing is dialled; a request for another URL than the recording's fails.
 */
import * as fs from "node:fs"

interface V0Event {
  readonly connection_id: number
  readonly action: {
    readonly Request?: { readonly request: { readonly uri: string; readonly method: string } }
    readonly Response?: {
      readonly response: {
        readonly Ok?: { readonly status: number; readonly headers: Readonly<Record<string, ReadonlyArray<string>>> }
      }
    }
    readonly Data?: { readonly data: { readonly Utf8?: string }; readonly direction: "Request" | "Response" }
  }
}

export interface Exchange {
  readonly uri: string
  readonly method: string
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** The exchanges of an `http-traffic.json`, in connection order. */
export const readTraffic = (file: string): ReadonlyArray<Exchange> => {
  const events: ReadonlyArray<V0Event> = JSON.parse(fs.readFileSync(file, "utf8")).events
  const byId = new Map<
    number,
    { uri?: string; method?: string; status?: number; headers?: Record<string, string>; body: string }
  >()
  for (const event of events) {
    const entry = byId.get(event.connection_id) ?? { body: "" }
    byId.set(event.connection_id, entry)
    const { Request, Response, Data } = event.action
    if (Request !== undefined) {
      entry.uri = Request.request.uri
      entry.method = Request.request.method
    }
    if (Response?.response.Ok !== undefined) {
      entry.status = Response.response.Ok.status
      entry.headers = Object.fromEntries(
        Object.entries(Response.response.Ok.headers)
          .filter(([name]) => name !== "content-length")
          .map(([name, values]) => [name, values.join(", ")])
      )
    }
    if (Data?.direction === "Response") entry.body += Data.data.Utf8 ?? ""
  }
  return [...byId.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, entry]) => ({
      uri: entry.uri ?? "",
      method: entry.method ?? "",
      status: entry.status ?? 0,
      headers: entry.headers ?? {},
      body: entry.body
    }))
}

interface SmithyRequest {
  readonly protocol: string
  readonly hostname: string
  readonly port?: number | undefined
  readonly path: string
  readonly method: string
  readonly query?: Readonly<Record<string, string | ReadonlyArray<string> | null>> | undefined
}

const urlOf = (request: SmithyRequest): string => {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(request.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) query.append(key, item ?? "")
  }
  const search = query.size === 0 ? "" : `?${query}`
  return `${request.protocol}//${request.hostname}${request.port === undefined ? "" : `:${request.port}`}${request.path}${search}`
}

const sortedQuery = (url: URL): string =>
  [...url.searchParams.entries()]
    .map((pair) => pair.join("="))
    .sort()
    .join("&")

/** Paths `/` and empty are one (`http://host` is recorded for `http://host/`); query parameters in any order. */
export const sameUri = (a: string, b: string): boolean => {
  const left = new URL(a)
  const right = new URL(b)
  return left.origin === right.origin && left.pathname === right.pathname && sortedQuery(left) === sortedQuery(right)
}

/** An AWS SDK `requestHandler` answering from the exchanges and recording every URL it was asked for. */
export class ReplayHandler {
  readonly metadata = { handlerProtocol: "http/1.1" }
  readonly urls: Array<string> = []

  readonly exchanges: ReadonlyArray<Exchange>

  constructor(exchanges: ReadonlyArray<Exchange>) {
    this.exchanges = exchanges
  }

  handle(request: SmithyRequest): Promise<{ readonly response: unknown }> {
    const url = urlOf(request)
    const exchange = this.exchanges[this.urls.length]
    this.urls.push(url)
    if (exchange === undefined || !sameUri(exchange.uri, url)) {
      return Promise.reject(new Error(`the replay does not expect a request to ${url}`))
    }
    const body = new TextEncoder().encode(exchange.body)
    return Promise.resolve({
      response: {
        statusCode: exchange.status,
        headers: { ...exchange.headers, "content-length": String(body.byteLength) },
        body
      }
    })
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {}
  }

  destroy(): void {}
}
