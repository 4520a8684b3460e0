import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net"

import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

import { HttpTransport } from "../src/index.js"

const listen = async (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
  const sockets = new Set<Socket>()
  const server: Server = createServer(handler)
  server.on("connection", (socket) => sockets.add(socket))
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(Effect.result(effect))

describe("HttpTransport", () => {
  describe("request", () => {
    it("returns status, headers and body, and sends redacted header values in clear", async () => {
      let seen: string | undefined
      const server = await listen((req, res) => {
        seen = req.headers["x-secret"] as string
        res.writeHead(200, { "x-answer": "42" })
        res.end("body")
      })
      try {
        const result = await run(
          HttpTransport.request({
            method: "GET",
            url: `${server.url}/path`,
            headers: { "x-secret": Redacted.make("value") },
            timeout: "1 second"
          })
        )
        assert.strictEqual(result._tag, "Success")
        if (result._tag !== "Success") return
        assert.strictEqual(result.success.status, 200)
        assert.strictEqual(result.success.headers["x-answer"], "42")
        assert.strictEqual(HttpTransport.text(result.success), "body")
        assert.strictEqual(seen, "value")
      } finally {
        await server.close()
      }
    })

    it("fails with refused and no response when nothing listens", async () => {
      const server = await listen((_req, res) => res.end())
      const port = server.port
      await server.close()
      const result = await run(
        HttpTransport.request({ method: "GET", url: `http://127.0.0.1:${port}/`, timeout: 1000 })
      )
      assert.strictEqual(result._tag, "Failure")
      if (result._tag !== "Failure") return
      assert.strictEqual(result.failure.kind, "refused")
      assert.isFalse(result.failure.responded)
    })

    it("fails with timeout and no response when the server accepts and never answers", async () => {
      const sockets: Array<Socket> = []
      const blackhole = createNetServer((socket) => sockets.push(socket))
      await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve))
      const { port } = blackhole.address() as AddressInfo
      try {
        const result = await run(
          HttpTransport.request({ method: "GET", url: `http://127.0.0.1:${port}/`, timeout: 100 })
        )
        assert.strictEqual(result._tag, "Failure")
        if (result._tag !== "Failure") return
        assert.strictEqual(result.failure.kind, "timeout")
        assert.isFalse(result.failure.responded)
      } finally {
        for (const socket of sockets) socket.destroy()
        await new Promise<void>((resolve) => blackhole.close(() => resolve()))
      }
    })

    it("fails with timeout after a response started when the body stalls", async () => {
      const server = await listen((_req, res) => {
        res.writeHead(200, { "content-length": "100" })
        res.write("partial")
      })
      try {
        const result = await run(HttpTransport.request({ method: "GET", url: server.url, timeout: 150 }))
        assert.strictEqual(result._tag, "Failure")
        if (result._tag !== "Failure") return
        assert.strictEqual(result.failure.kind, "timeout")
        assert.isTrue(result.failure.responded)
      } finally {
        await server.close()
      }
    })

    it("fails with reset when the connection drops mid-body", async () => {
      const server = await listen((req, res) => {
        res.writeHead(200, { "content-length": "100" })
        res.write("partial", () => req.socket.destroy())
      })
      try {
        const result = await run(HttpTransport.request({ method: "GET", url: server.url, timeout: 1000 }))
        assert.strictEqual(result._tag, "Failure")
        if (result._tag !== "Failure") return
        assert.strictEqual(result.failure.kind, "reset")
      } finally {
        await server.close()
      }
    })

    it("stops reading a body larger than the limit", async () => {
      const server = await listen((_req, res) => {
        res.writeHead(200)
        res.end(Buffer.alloc(1024 * 1024, 97))
      })
      try {
        const result = await run(
          HttpTransport.request({ method: "GET", url: server.url, timeout: 1000, maxBodyBytes: 1024 })
        )
        assert.strictEqual(result._tag, "Failure")
        if (result._tag !== "Failure") return
        assert.strictEqual(result.failure.kind, "too-large")
      } finally {
        await server.close()
      }
    })

    it("fails with other instead of throwing on a header value with a line break", async () => {
      const result = await run(
        HttpTransport.request({
          method: "GET",
          url: "http://127.0.0.1:9/",
          headers: { authorization: Redacted.make("token\r\nx-injected: 1") },
          timeout: 1000
        })
      )
      assert.strictEqual(result._tag, "Failure")
      if (result._tag !== "Failure") return
      assert.strictEqual(result.failure.kind, "other")
      assert.notInclude(result.failure.message, "token")
    })

    it("connects to the pinned address without resolving the host name", async () => {
      let host: string | undefined
      const server = await listen((req, res) => {
        host = req.headers.host
        res.end("ok")
      })
      try {
        const result = await run(
          HttpTransport.request({
            method: "GET",
            url: `http://credkit-test.invalid:${server.port}/`,
            timeout: 1000,
            address: "127.0.0.1"
          })
        )
        assert.strictEqual(result._tag, "Success")
        assert.strictEqual(host, `credkit-test.invalid:${server.port}`)
      } finally {
        await server.close()
      }
    })
  })
})
