/**
 * Sends an answer, or the misbehaving version of it that a fault asks for. Emulators describe answers as plain
 * `Reply` values, so every fault kind works the same way on every path.
 */
import type * as Http from "node:http"

import type { Fault } from "./faults.ts"
import { faultKind } from "./faults.ts"
import type { LogEntry } from "./requestLog.ts"
import type { Schedule } from "./server.ts"

/** An HTTP answer before it is written. */
export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array
}

/** One request being answered. */
export interface Exchange {
  readonly req: Http.IncomingMessage
  readonly res: Http.ServerResponse
  readonly entry: LogEntry
  readonly schedule: Schedule
}

/** How an emulator answers: its normal reply, its error replies and its content type. */
export interface Responder {
  readonly normal: () => Reply
  readonly failure: (status: number, body?: string) => Reply
  readonly contentType: string
}

// A body that is not JSON although it starts like a credentials document.
const MALFORMED_BODY = '{"Code" : "Success", "AccessKeyId" : ASIA-unquoted, }'
const HUGE_FILL = "x"

const gone = (ex: Exchange): boolean => ex.res.destroyed || ex.req.socket.destroyed

const bytesOf = (body: string | Uint8Array): Buffer =>
  typeof body === "string" ? Buffer.from(body) : Buffer.from(body)

const writeHead = (ex: Exchange, reply: Reply, length: number): void => {
  ex.entry.status = reply.status
  ex.res.writeHead(reply.status, { ...reply.headers, "content-length": String(length) })
}

/** Writes a reply in one piece, unless the client is already gone. */
export const send = (ex: Exchange, reply: Reply): void => {
  if (gone(ex)) return
  const body = bytesOf(reply.body)
  writeHead(ex, reply, body.length)
  ex.res.end(body)
}

// Headers promise the whole body; half of it is written, then the connection is cut.
const resetMidBody = (ex: Exchange, reply: Reply): void => {
  const body = bytesOf(reply.body)
  writeHead(ex, reply, body.length)
  ex.res.write(body.subarray(0, Math.floor(body.length / 2)), () => ex.req.socket.destroy())
}

const drip = (ex: Exchange, reply: Reply, everyMs: number): void => {
  const body = bytesOf(reply.body)
  writeHead(ex, reply, body.length)
  const next = (offset: number): void => {
    if (gone(ex)) return
    if (offset >= body.length) {
      ex.res.end()
      return
    }
    ex.res.write(body.subarray(offset, offset + 1))
    ex.schedule(everyMs, () => next(offset + 1))
  }
  next(0)
}

const ok = (responder: Responder, body: string | Uint8Array): Reply => ({
  status: 200,
  headers: { "content-type": responder.contentType },
  body
})

const withBody = (responder: Responder, body: string): Reply => {
  if (body === "malformed") return ok(responder, MALFORMED_BODY)
  if (body !== "partial") return ok(responder, body)
  const normal = responder.normal()
  const full = bytesOf(normal.body)
  return { ...normal, body: full.subarray(0, Math.floor(full.length / 2)) }
}

/** Answers an exchange normally, or as `fault` says. */
export const deliver = (ex: Exchange, fault: Fault | undefined, responder: Responder): void => {
  if (fault !== undefined) ex.entry.fault = faultKind(fault)
  if (fault === undefined) send(ex, responder.normal())
  else if ("status" in fault) send(ex, responder.failure(fault.status, fault.body))
  else if ("throttle" in fault) send(ex, responder.failure(429))
  else if ("delay" in fault) ex.schedule(fault.delay, () => send(ex, responder.normal()))
  else if ("reset" in fault) {
    if (fault.reset === true) ex.req.socket.destroy()
    else resetMidBody(ex, responder.normal())
  } else if ("drip" in fault) drip(ex, responder.normal(), fault.drip)
  else if ("huge" in fault) send(ex, ok(responder, Buffer.alloc(fault.huge, HUGE_FILL)))
  else if ("bytes" in fault) send(ex, ok(responder, fault.bytes))
  else if ("body" in fault) send(ex, withBody(responder, fault.body))
  // A hung exchange gets no answer at all; closing the emulator destroys its socket.
}
