/**
 * The network boundary of the suite. `guardedTransport` is core's real node:http transport behind a check that
 * dials 127.0.0.1 and ::1 only: any other target is recorded as a violation and dies, so no test can send a packet
 * elsewhere. `tableResolver` answers name lookups from a script and never asks a real resolver.
 * `stalledListener` is a loopback port whose accept queue is full, where a connect really times out.
 */
import { spawn } from "node:child_process"
import * as Http from "node:http"
import * as Net from "node:net"
import { HttpTransport } from "@credkit/core"
import { ContainerCredentials } from "@credkit/ecs"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const LOOPBACK = new Set(["127.0.0.1", "::1"])

/** Rule breaks collected across a test file; each file asserts the list is empty after every test. */
export const violations: Array<string> = []

/** Where a request would really connect: the pinned address, else the URL's host without brackets. */
export const targetOf = (request: HttpTransport.Request): string => {
  if (request.address !== undefined) return request.address
  const url = URL.parse(request.url)
  if (url === null) return "<invalid URL>"
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname
}

/** A request as the guard saw it, headers unwrapped so a test can see what went on the wire. */
export interface Seen {
  readonly method: string
  readonly url: string
  readonly target: string
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Core's node:http transport, refusing any target but 127.0.0.1 and ::1. `onResponse` sees each response, so a
 * test can learn the IMDS token the emulator issued.
 */
export const guardedTransport = (
  onResponse?: (request: HttpTransport.Request, response: HttpTransport.Response) => void
) => {
  const real = HttpTransport.HttpTransport.defaultValue()
  const seen: Array<Seen> = []
  const shape: HttpTransport.Shape = {
    request: (request) =>
      Effect.suspend(() => {
        const target = targetOf(request)
        const headers = Object.fromEntries(
          Object.entries(request.headers ?? {}).map(([name, value]) => [
            name,
            Redacted.isRedacted(value) ? Redacted.value(value) : value
          ])
        )
        seen.push({ method: request.method, url: request.url, target, headers })
        if (!LOOPBACK.has(target)) {
          violations.push(`a request to ${target} (${request.method} ${request.url}) was attempted`)
          return Effect.die(new Error(`the guarded transport refuses ${target}`))
        }
        return real.request(request).pipe(Effect.tap((response) => Effect.sync(() => onResponse?.(request, response))))
      })
  }
  return { shape, seen }
}

/**
 * A resolver answering from `answers`: each lookup of a name takes its next answer (the last one repeats); a name
 * without answers fails with ENOTFOUND. Lookups are recorded.
 */
export const tableResolver = (answers: Readonly<Record<string, ReadonlyArray<ReadonlyArray<string>>>>) => {
  const lookups: Array<string> = []
  const counts = new Map<string, number>()
  const shape: ContainerCredentials.ResolverShape = {
    lookup: (host) =>
      Effect.suspend(() => {
        lookups.push(host)
        const script = answers[host.toLowerCase()]
        if (script === undefined || script.length === 0)
          return Effect.fail(new ContainerCredentials.ResolverError({ host, code: "ENOTFOUND" }))
        const index = counts.get(host) ?? 0
        counts.set(host, index + 1)
        const addresses = script[Math.min(index, script.length - 1)] ?? []
        return Effect.succeed(
          addresses.map(
            (address): ContainerCredentials.ResolvedAddress => ({
              address,
              family: address.includes(":") ? 6 : 4
            })
          )
        )
      })
  }
  return { shape, lookups }
}

// The child accepts nothing: its event loop is blocked right after listen, so the kernel's accept queue (backlog
// 1) fills with the first connections and later SYNs are dropped.
const STALLED_CHILD = `
const net = require("node:net")
const server = net.createServer()
server.listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => {
  process.stdout.write(server.address().port + "\\n")
  setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 20)
})
`

const connectsWithin = (port: number, ms: number, sockets: Array<Net.Socket>): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = Net.connect(port, "127.0.0.1")
    sockets.push(socket)
    const timer = setTimeout(() => resolve(false), ms)
    socket.once("connect", () => {
      clearTimeout(timer)
      resolve(true)
    })
    socket.once("error", () => {
      clearTimeout(timer)
      resolve(false)
    })
  })

/**
 * A loopback port where a TCP connect never completes (a real connect timeout), held by a child process. Throws
 * when the platform completes every connect anyway.
 */
export const stalledListener = async (): Promise<{ readonly url: string; readonly close: () => Promise<void> }> => {
  const child = spawn(process.execPath, ["-e", STALLED_CHILD], { stdio: ["ignore", "pipe", "ignore"] })
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject)
    child.stdout.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim())))
  })
  child.stdout.destroy()
  const sockets: Array<Net.Socket> = []
  const close = async () => {
    for (const socket of sockets) socket.destroy()
    if (child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
      child.kill("SIGKILL")
      await exited
    }
  }
  // Give the child time to block, then fill the accept queue until a connect stays pending.
  await new Promise((resolve) => setTimeout(resolve, 100))
  for (let filled = 0; filled < 16; filled++) {
    if (!(await connectsWithin(port, 150, sockets))) return { url: `http://127.0.0.1:${port}`, close }
  }
  await close()
  throw new Error("every connect completed: cannot stage a connect timeout on this platform")
}

/**
 * A recording proxy on 127.0.0.1 in front of an IMDS emulator, for code whose transport cannot be injected (the
 * Promise API): it forwards every request and keeps the session tokens IMDS issued, so a test can search for them.
 */
export const tokenTap = async (
  target: string
): Promise<{ readonly url: string; readonly tokens: Array<string>; readonly close: () => Promise<void> }> => {
  const tokens: Array<string> = []
  const server = Http.createServer((req, res) => {
    const upstream = Http.request(
      `${target}${req.url ?? "/"}`,
      { method: req.method, headers: req.headers, agent: false },
      (answer) => {
        const chunks: Array<Buffer> = []
        answer.on("data", (chunk: Buffer) => chunks.push(chunk))
        answer.on("end", () => {
          const body = Buffer.concat(chunks)
          if (req.method === "PUT" && answer.statusCode === 200) tokens.push(body.toString("utf8").trim())
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          res.end(body)
        })
      }
    )
    upstream.on("error", () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const { port } = server.address() as Net.AddressInfo
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  return { url: `http://127.0.0.1:${port}`, tokens, close }
}
