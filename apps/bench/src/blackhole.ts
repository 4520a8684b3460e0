/**
 * A TCP server on 127.0.0.1 that accepts connections and never answers: an IMDS endpoint that hangs, as a
 * firewall that drops packets would (decisions §10). Open sockets are destroyed on `close`.
 */
import * as Net from "node:net"

export interface Blackhole {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  readonly close: () => Promise<void>
}

export const startBlackhole = (): Promise<Blackhole> =>
  new Promise((resolve, reject) => {
    const sockets = new Set<Net.Socket>()
    const server = Net.createServer((socket) => {
      sockets.add(socket)
      socket.on("error", () => sockets.delete(socket))
      socket.on("close", () => sockets.delete(socket))
    })
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as Net.AddressInfo
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })
