/**
 * A local S3 endpoint that checks credentials the way S3 does. s3rver stores the data but accepts any SigV4
 * signature, so a front server on 127.0.0.1 verifies every request's signature against the registered credentials
 * and answers S3's error codes itself (`SignatureDoesNotMatch`, `InvalidAccessKeyId`, `ExpiredToken`, …). Only
 * requests that pass reach s3rver, so each successful upload proves that the credentials in use were right and
 * still valid.
 */
import * as Fs from "node:fs/promises"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import S3rver from "s3rver"

import { abortTarget, abortUpload, sendAborted } from "./internal/abortUpload.js"
import { authorize } from "./internal/authorize.js"
import { prepareBody } from "./internal/payload.js"
import { forward, type Upstream, upstreamPath } from "./internal/proxy.js"
import * as RequestLog from "./internal/requestLog.js"
import { type Rejection, reject, sendRejection, statusOf } from "./internal/s3Error.js"
import { decodeQuery, splitUrl } from "./internal/url.js"
import * as KeyRegistry from "./KeyRegistry.js"

// Both servers bind loopback only.
const LOOPBACK_HOST = "127.0.0.1"
const TEMP_PREFIX = "credkit-local-s3-"

export interface Options {
  /** Where s3rver keeps buckets; default a new temporary directory, removed by `close()`. */
  readonly directory?: string
  /** Buckets to create at start. */
  readonly buckets?: ReadonlyArray<string>
  /** Port of the front server; default a free port. */
  readonly port?: number
  /** The clock for expiry and request-time checks, in epoch ms; default the system clock. */
  readonly now?: () => number
  /** When set, requests must be signed for this region (else `AuthorizationHeaderMalformed`); default any region. */
  readonly region?: string
  /** Consulted for access key ids that are not registered; `undefined` means unknown (`InvalidAccessKeyId`). */
  readonly resolveUnknown?: KeyRegistry.ResolveUnknown
}

export interface LocalS3 {
  /** `http://127.0.0.1:PORT` of the front server: the `endpoint` for S3 clients (with `forcePathStyle: true`). */
  readonly url: string
  readonly port: number
  readonly keys: KeyRegistry.KeyRegistry
  readonly stats: RequestLog.LocalS3Stats
  /** Recent requests, oldest first (the last 10,000). */
  readonly requests: () => ReadonlyArray<RequestLog.RequestRecord>
  /** Stops both servers and removes the temporary directories; later calls return the same promise. */
  readonly close: () => Promise<void>
}

const listen = (server: Http.Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, LOOPBACK_HOST, () => {
      server.off("error", reject)
      resolve((server.address() as AddressInfo).port)
    })
  })

export const startLocalS3 = async (options: Options = {}): Promise<LocalS3> => {
  const now = options.now ?? (() => Date.now())
  const workDir = await Fs.mkdtemp(Path.join(Os.tmpdir(), TEMP_PREFIX))
  const directory = options.directory ?? Path.join(workDir, "s3rver")
  const spool = Path.join(workDir, "spool")
  await Fs.mkdir(spool, { recursive: true })
  const { registry, lookup } = KeyRegistry.make(options.resolveUnknown)
  const log = RequestLog.make()

  const s3rver = new S3rver({
    address: LOOPBACK_HOST,
    port: 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name, configs: [] }))
  })
  const backend = await s3rver.run().catch(async (error: unknown) => {
    await Fs.rm(workDir, { recursive: true, force: true })
    throw error
  })
  const upstream: Upstream = { port: backend.port, agent: new Http.Agent({ keepAlive: true }) }

  const handle = async (req: Http.IncomingMessage, res: Http.ServerResponse, expectsContinue: boolean) => {
    const { rawPath, rawQuery } = splitUrl(req.url ?? "/")
    const method = req.method ?? "GET"
    const query = decodeQuery(rawQuery)
    const entry = (accessKeyId: string | undefined, outcome: RequestLog.Outcome, status: number) =>
      log.record({ method, path: rawPath, accessKeyIdSuffix: RequestLog.keySuffix(accessKeyId), outcome, status })
    const refuse = (rejection: Rejection, accessKeyId: string | undefined, bodyUnread: boolean) => {
      if (bodyUnread && !expectsContinue) req.resume()
      sendRejection(res, rejection, bodyUnread && expectsContinue)
      entry(accessKeyId, rejection.code, statusOf(rejection.code))
    }

    const decision = await authorize(
      { method, rawPath, query, headers: req.headersDistinct },
      { lookup, now, region: options.region }
    )
    if (!decision.ok) return refuse(decision.rejection, decision.accessKeyId, true)
    const { accessKeyId, payloadHash } = decision.params
    if (expectsContinue) res.writeContinue()

    const abort = abortTarget(method, rawPath, query)
    if (abort !== undefined) {
      req.resume()
      const missing = await abortUpload(directory, abort)
      if (missing === undefined) sendAborted(res)
      else sendRejection(res, missing, false)
      return entry(accessKeyId, "Accepted", missing === undefined ? 204 : statusOf(missing.code))
    }

    // A client that breaks off while its body is read gets IncompleteBody (if it still listens).
    const body = await prepareBody(req, payloadHash, spool).catch(() => reject("IncompleteBody"))
    if ("code" in body) return refuse(body, accessKeyId, false)
    const forwarded = await forward(upstream, req, res, body, upstreamPath(rawPath, rawQuery)).finally(body.dispose)
    entry(accessKeyId, forwarded.outcome, forwarded.status)
  }

  // An unexpected failure (say, a throwing `resolveUnknown`) is answered and counted as S3's InternalError.
  const serve = (expectsContinue: boolean) => (req: Http.IncomingMessage, res: Http.ServerResponse) => {
    handle(req, res, expectsContinue).catch(() => {
      const path = splitUrl(req.url ?? "/").rawPath
      log.record({
        method: req.method ?? "GET",
        path,
        accessKeyIdSuffix: undefined,
        outcome: "InternalError",
        status: 500
      })
      if (res.headersSent || res.destroyed) return res.destroy()
      sendRejection(res, reject("InternalError"), true)
    })
  }
  const front = Http.createServer(serve(false))
  // Answer `Expect: 100-continue` only after the signature checks, so a refused upload is never sent.
  front.on("checkContinue", serve(true))
  const port = await listen(front, options.port ?? 0).catch(async (error: unknown) => {
    await s3rver.close()
    await Fs.rm(workDir, { recursive: true, force: true })
    throw error
  })

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => front.close(() => resolve()))
      front.closeAllConnections()
      await stopped
      upstream.agent.destroy()
      await s3rver.close()
      await Fs.rm(workDir, { recursive: true, force: true })
    })()
    return closing
  }

  return {
    url: `http://${LOOPBACK_HOST}:${port}`,
    port,
    keys: registry,
    stats: log.stats,
    requests: log.requests,
    close
  }
}
