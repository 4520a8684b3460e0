/**
 * A TCP proxy on 127.0.0.1 that slows what clients send (a slow uplink), so an upload lasts long enough for
 * short-lived credentials to expire during it. It passes bytes unchanged: signatures still verify.
 */
import * as Net from "node:net"

export interface SlowProxy {
  readonly url: string
  readonly close: () => Promise<void>
}

/** Forwards to `127.0.0.1:targetPort`, at most `bytesPerSecond` per connection towards the target. */
export const startSlowProxy = async (targetPort: number, bytesPerSecond: number): Promise<SlowProxy> => {
  const sockets = new Set<Net.Socket>()
  const server = Net.createServer((client) => {
    const upstream = Net.connect(targetPort, "127.0.0.1")
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.once("close", () => sockets.delete(socket))
      socket.once("error", () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk)
      client.pause()
      setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000)
    })
    client.once("end", () => upstream.end())
    upstream.pipe(client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const { port } = server.address() as Net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
