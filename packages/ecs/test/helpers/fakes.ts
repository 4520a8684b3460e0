/**
 * Boundary fakes for the container tests: transports and resolvers that record what they are asked and refuse any
 * target other than 127.0.0.1 or ::1, a test environment, and a log capture.
 */

import { HttpTransport } from "@credkit/core"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"

import { ContainerCredentials } from "../../src/index.js"

/** What a transport was asked for, with header values unwrapped so tests can check what went on the wire. */
export interface Call {
  readonly url: string
  readonly address: string | undefined
  readonly headers: Readonly<Record<string, string>>
}

const LOOPBACK = new Set(["127.0.0.1", "::1"])

/** A record of rule breaks a test must end without: dialling a non-loopback target, an unexpected lookup. */
export const violations: Array<string> = []

const unwrapHeaders = (request: HttpTransport.Request): Record<string, string> =>
  Object.fromEntries(
    Object.entries(request.headers ?? {}).map(([name, value]) => [
      name,
      Redacted.isRedacted(value) ? Redacted.value(value) : value
    ])
  )

/** An answer for a fake transport. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpTransport.Response => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body))
})

/** A transport that never dials: it records each call and answers with `answer(call, index)`. */
export const fakeTransport = (
  answer: (
    call: Call,
    index: number
  ) => HttpTransport.Response | HttpTransport.HttpTransportError | Effect.Effect<HttpTransport.Response, never>
) => {
  const calls: Array<Call> = []
  const shape: HttpTransport.Shape = {
    request: (request) =>
      Effect.suspend(() => {
        const call = { url: request.url, address: request.address, headers: unwrapHeaders(request) }
        calls.push(call)
        const result = answer(call, calls.length - 1)
        if (result instanceof HttpTransport.HttpTransportError) return Effect.fail(result)
        return Effect.isEffect(result) ? result : Effect.succeed(result)
      })
  }
  return { calls, shape }
}

/** A transport that must not be called at all: every call is a violation. */
export const refusingTransport = () => {
  const calls: Array<Call> = []
  const shape: HttpTransport.Shape = {
    request: (request) =>
      Effect.suspend(() => {
        calls.push({ url: request.url, address: request.address, headers: unwrapHeaders(request) })
        violations.push(`transport called for ${request.url} (address ${request.address ?? "none"})`)
        return Effect.fail(new HttpTransport.HttpTransportError({ kind: "other", responded: false, url: request.url }))
      })
  }
  return { calls, shape }
}

/**
 * Core's real node:http transport behind a guard that dials 127.0.0.1 and ::1 only. `routes` maps a URL host (with
 * port, as `URL.host` writes it) to a loopback `host:port`, e.g. the EKS agent address to an emulator.
 */
export const loopbackTransport = (routes: Readonly<Record<string, string>> = {}) => {
  const real = HttpTransport.HttpTransport.defaultValue()
  const calls: Array<Call> = []
  const shape: HttpTransport.Shape = {
    request: (request) =>
      Effect.suspend(() => {
        const url = new URL(request.url)
        const route = routes[url.host]
        const target = route === undefined ? url : new URL(`${url.pathname}${url.search}`, `http://${route}`)
        const address = route === undefined ? request.address : undefined
        const dialled = address ?? target.hostname.replace(/^\[|\]$/g, "")
        calls.push({ url: request.url, address: request.address, headers: unwrapHeaders(request) })
        if (!LOOPBACK.has(dialled)) {
          violations.push(`refused to dial ${dialled} for ${request.url}`)
          return Effect.fail(
            new HttpTransport.HttpTransportError({ kind: "other", responded: false, url: request.url })
          )
        }
        return real.request({ ...request, url: target.href, address })
      })
  }
  return { calls, shape }
}

/** A resolver answering from a table; each entry may change per lookup. Unknown names are violations. */
export const tableResolver = (
  table: Readonly<Record<string, ReadonlyArray<string> | ((n: number) => ReadonlyArray<string>)>>
) => {
  const lookups: Array<string> = []
  const shape: ContainerCredentials.ResolverShape = {
    lookup: (host) =>
      Effect.suspend(() => {
        lookups.push(host)
        const entry = table[host]
        if (entry === undefined) {
          violations.push(`unexpected lookup of ${host}`)
          return Effect.fail(new ContainerCredentials.ResolverError({ host, code: "ENOTFOUND" }))
        }
        const addresses = typeof entry === "function" ? entry(lookups.filter((name) => name === host).length) : entry
        return Effect.succeed(addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }) as const))
      })
  }
  return { lookups, shape }
}

/** Provides an environment, a transport and a resolver to an effect. */
export const withBoundary =
  (
    env: Record<string, string>,
    transport: HttpTransport.Shape,
    resolver: ContainerCredentials.ResolverShape = tableResolver({}).shape
  ) =>
  <A, E, R>(self: Effect.Effect<A, E, R>) =>
    self.pipe(
      Effect.provideService(HttpTransport.HttpTransport, transport),
      Effect.provideService(ContainerCredentials.Resolver, resolver),
      Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))
    )

/** The same boundary as a layer, for building providers. */
export const boundaryLayer = (
  env: Record<string, string>,
  transport: HttpTransport.Shape,
  resolver: ContainerCredentials.ResolverShape = tableResolver({}).shape
) =>
  Layer.mergeAll(
    Layer.succeed(HttpTransport.HttpTransport, transport),
    Layer.succeed(ContainerCredentials.Resolver, resolver),
    ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))
  )

const render = (message: unknown): string =>
  (Array.isArray(message) ? message : [message])
    .map((part) => (typeof part === "string" ? part : JSON.stringify(part)))
    .join(" ")

/** Captures every log line at Debug and above, with its annotations and cause. */
export const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make((options) => {
    const annotations = options.fiber.getRef(References.CurrentLogAnnotations)
    const cause = options.cause.reasons.length === 0 ? "" : ` ${Cause.pretty(options.cause)}`
    lines.push(`${options.logLevel} ${render(options.message)} ${JSON.stringify(annotations)}${cause}`)
  })
  const layer = Layer.merge(Logger.layer([logger]), Layer.succeed(References.MinimumLogLevel, "Debug"))
  return { lines, layer }
}
