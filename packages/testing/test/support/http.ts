/**
 * A small HTTP client for the emulator tests, on node:http so that every byte, chunk and broken connection is
 * visible: the answer carries the body read so far and, when the connection broke mid-body, the error.
 */
import * as Http from "node:http"

export interface Answer {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly body: Buffer
  readonly text: string
  /** How many pieces the body arrived in. */
  readonly chunks: number
  /** Set when the connection broke after the headers arrived. */
  readonly error: Error | undefined
}

export interface Options {
  readonly method?: string
  readonly headers?: Record<string, string>
  /** Abort when no answer has completed after this many ms. */
  readonly timeoutMs?: number
}

/** Sends one request on a fresh connection; rejects when no response head arrives. */
export const request = (url: string, options: Options = {}): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const target = new URL(url)
    if (target.hostname !== "127.0.0.1") return reject(new Error(`refusing to dial ${target.hostname}`))
    const req = Http.request(url, { method: options.method ?? "GET", headers: options.headers ?? {}, agent: false })
    if (options.timeoutMs !== undefined) {
      req.setTimeout(options.timeoutMs, () => req.destroy(new Error("timed out")))
    }
    req.on("error", reject)
    req.on("response", (res) => {
      const pieces: Array<Buffer> = []
      const finish = (error: Error | undefined) => {
        const body = Buffer.concat(pieces)
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          text: body.toString(),
          chunks: pieces.length,
          error
        })
      }
      res.on("data", (piece: Buffer) => pieces.push(piece))
      res.on("end", () => finish(undefined))
      res.on("error", (error) => finish(error))
      res.on("aborted", () => finish(new Error("aborted")))
    })
    req.end()
  })

/** Polls `probe` until it returns true, up to about two seconds. */
export const waitUntil = async (probe: () => boolean): Promise<void> => {
  for (let attempt = 0; attempt < 400; attempt++) {
    if (probe()) return
    await new Promise((resume) => setTimeout(resume, 5))
  }
  throw new Error("condition not reached")
}
