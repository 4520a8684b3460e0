/**
 * The loopback HTTP server under both emulators. It tracks open sockets and pending timers, so `close` ends
 * hanging and dripping exchanges instead of waiting for them.
 */
import * as Http from "node:http"
import type { AddressInfo, Socket } from "node:net"

// Every emulator binds loopback only: nothing here may listen on, or answer from, another interface.
// Limitation: IPv4 loopback only; a client set to the IPv6 endpoint mode (`[fd00:ec2::254]`) cannot be pointed at
// an emulator by mode alone and needs an explicit endpoint URL. Listening on `::1` as an option would lift it.
const LOOPBACK_HOST = "127.0.0.1"

/** Runs `task` after `ms` milliseconds, unless the server closes first. */
export type Schedule = (ms: number, task: () => void) => void

/** What a request handler receives besides the request and response. */
export type Handler = (req: Http.IncomingMessage, res: Http.ServerResponse, schedule: Schedule) => void

/** A listening loopback server. */
export interface LoopbackServer {
  readonly port: number
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly baseUrl: string
  /** Stops listening, destroys open sockets and cancels pending timers; later calls return the same promise. */
  readonly close: () => Promise<void>
}

/** Starts a server on 127.0.0.1 (port 0 picks a free port) and resolves once it listens. */
export const listen = (port: number, handler: Handler): Promise<LoopbackServer> => {
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  let closing: Promise<void> | undefined

  const schedule: Schedule = (ms, task) => {
    if (closing !== undefined) return
    const timer = setTimeout(() => {
      timers.delete(timer)
      task()
    }, ms)
    timers.add(timer)
  }

  const server = Http.createServer((req, res) => handler(req, res, schedule))
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })

  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      server.close(() => resolve())
      for (const socket of sockets) socket.destroy()
    })
    return closing
  }

  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, LOOPBACK_HOST, () => {
      server.off("error", reject)
      const address = server.address() as AddressInfo
      resolve({ port: address.port, baseUrl: `http://${LOOPBACK_HOST}:${address.port}`, close })
    })
  })
}

/** The path of a request URL, without the query string. */
export const pathOf = (req: Http.IncomingMessage): string => {
  const url = req.url ?? "/"
  const query = url.indexOf("?")
  return query === -1 ? url : url.slice(0, query)
}
