/**
 * Test helpers: an IMDS emulator tied to the test's scope and clock, a configuration from a plain record, a log
 * capture, and fake transports that refuse any address but the ones a test names.
 */
import * as Net from "node:net"
import { HttpTransport } from "@credkit/core"
import { ImdsEmulator } from "@credkit/testing"
import * as Clock from "effect/Clock"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"

/** Starts an emulator for the test's scope. With `clock: true` it tells time by the test's `Clock` (TestClock). */
export const emulator = (options: ImdsEmulator.Options & { readonly clock?: boolean } = {}) =>
  Effect.gen(function* () {
    const clock = yield* Clock.Clock
    const { clock: useClock, ...rest } = options
    const start = useClock === true ? { ...rest, now: () => clock.currentTimeMillisUnsafe() } : rest
    return yield* Effect.acquireRelease(
      Effect.promise(() => ImdsEmulator.start(start)),
      (emu) => Effect.promise(() => emu.close())
    )
  })

/** The configuration a test sets, instead of the process environment. */
export const withEnv =
  (env: Record<string, string>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.provideService(self, ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))

/** Every log line (as JSON, with annotations and cause) of the effects it is provided to, Debug and up. */
export const captureLogs = () => {
  const lines: Array<string> = []
  const layer = Layer.merge(
    Logger.layer([
      Logger.map(Logger.formatJson, (line) => {
        lines.push(line)
      })
    ]),
    Layer.succeed(References.MinimumLogLevel, "Debug")
  )
  return { lines, layer, warnings: () => lines.filter((line) => line.includes('"level":"WARN"')) }
}

/** The paths the emulator saw, as `METHOD path status`. */
export const seen = (emu: ImdsEmulator.ImdsEmulator): Array<string> =>
  emu.control.requests().map((request) => `${request.method} ${request.path} ${request.status ?? "-"}`)

/** A scripted answer of a fake transport. */
export type Answer = HttpTransport.Response | HttpTransport.HttpTransportError

/** A response with a text body. */
export const reply = (status: number, body = "", headers: Record<string, string> = {}): HttpTransport.Response => ({
  status,
  headers,
  body: new TextEncoder().encode(body)
})

/** A transport failure where nothing answered. */
export const silence = (kind: HttpTransport.HttpTransportError["kind"], url = "fake") =>
  new HttpTransport.HttpTransportError({ kind, responded: false, url })

/**
 * A fake transport for `base`: answers each request from `script` in order, records the requests, and dies on a
 * request to any other address, so no test can send a packet elsewhere.
 */
export const fakeTransport = (base: string, script: (request: HttpTransport.Request, index: number) => Answer) => {
  const requests: Array<HttpTransport.Request> = []
  const transport: HttpTransport.Shape = {
    request: (request) =>
      Effect.suspend(() => {
        if (!request.url.startsWith(`${base}/`))
          return Effect.die(new Error(`request to a foreign address ${request.url}`))
        requests.push(request)
        const answer = script(request, requests.length - 1)
        return answer instanceof HttpTransport.HttpTransportError ? Effect.fail(answer) : Effect.succeed(answer)
      })
  }
  return {
    transport,
    requests,
    paths: () => requests.map((request) => `${request.method} ${new URL(request.url).pathname}`)
  }
}

/** Fixture secrets that must never appear in any output. */
export const SECRETS = {
  accessKeyId: "ASIAFIXTUREKEY000001",
  secretAccessKey: "fixture-secret-wJalrXUtnFEMI-K7MDENG-bPxRfiCY",
  sessionToken: "fixture-session-token-IQoJb3JpZ2luX2VjEXAMPLE-0123456789"
} as const

/**
 * A transport that never dials: it records the URL it was asked for and answers "connection refused", for tests of
 * which endpoint a configuration selects (169.254.169.254 and fd00:ec2::254 are never contacted).
 */
export const recorder = () => {
  const urls: Array<string> = []
  const transport: HttpTransport.Shape = {
    request: (request) =>
      Effect.suspend(() => {
        urls.push(request.url)
        return Effect.fail(silence("refused", request.url))
      })
  }
  return { transport, urls }
}

/** A TCP server on 127.0.0.1 that accepts connections and never answers; it counts the connections. */
export const blackhole = Effect.acquireRelease(
  Effect.promise(async () => {
    const sockets = new Set<Net.Socket>()
    let connections = 0
    const server = Net.createServer((socket) => {
      connections++
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const port = (server.address() as Net.AddressInfo).port
    return {
      url: `http://127.0.0.1:${port}`,
      connections: () => connections,
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy()
          server.close(() => resolve())
        })
    }
  }),
  (hole) => Effect.promise(() => hole.close())
)
