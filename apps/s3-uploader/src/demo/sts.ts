/**
 * A loopback stand-in for STS `AssumeRole`: it checks the request's SigV4 signature against the source profile's
 * keys it was given (as STS would), issues fresh session credentials, hands them to `onIssue` (to register with the
 * local S3 endpoint) and answers with STS's XML. Everything else gets an STS error document.
 */
import { createHash, randomBytes } from "node:crypto"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

import { constantTimeEqual, expectedSignature } from "../localS3/internal/signature.js"

const LOOPBACK_HOST = "127.0.0.1"
// From the STS API reference: the XML namespace of every response.
const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

export interface IssuedCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
  readonly expiration: Date
}

export interface StsOptions {
  /** Key ids and secrets allowed to call AssumeRole. */
  readonly callers: ReadonlyMap<string, string>
  /** Lifetime of issued credentials in ms; default 15 minutes. */
  readonly lifetime?: number
  readonly accountId?: string
  readonly onIssue: (credentials: IssuedCredentials) => void
}

export interface StsStandIn {
  readonly url: string
  /** How many AssumeRole calls succeeded. */
  readonly issued: () => number
  /** How many requests were refused. */
  readonly refused: () => number
  readonly close: () => Promise<void>
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

const errorXml = (code: string, message: string) =>
  `<ErrorResponse xmlns="${STS_NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code>` +
  `<Message>${escapeXml(message)}</Message></Error><RequestId>${randomBytes(8).toString("hex")}</RequestId></ErrorResponse>`

const randomId = (prefix: string) => prefix + Array.from(randomBytes(16), (b) => ALPHABET[b % 32]).join("")

const readBody = (req: Http.IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.once("end", () => resolve(Buffer.concat(chunks)))
    req.once("error", reject)
  })

// `20240102T030405Z` → Date.
const parseAmzDate = (text: string | undefined): Date | undefined => {
  const m = text === undefined ? null : /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text)
  return m === null ? undefined : new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`)
}

const verify = async (req: Http.IncomingMessage, body: Buffer, callers: ReadonlyMap<string, string>) => {
  const auth = AUTH_PATTERN.exec(req.headers.authorization ?? "")
  const signingDate = parseAmzDate(req.headers["x-amz-date"] as string | undefined)
  if (auth === null || signingDate === undefined) return "the request is not signed with SigV4"
  const [, accessKeyId = "", , region = "", service = "", signed = "", signature = ""] = auth
  const secret = callers.get(accessKeyId)
  if (secret === undefined) return "the security token included in the request is invalid"
  const params = {
    kind: "header" as const,
    accessKeyId,
    region,
    service,
    signedHeaders: signed.split(";"),
    signature,
    signingDate,
    sessionToken: undefined,
    payloadHash: createHash("sha256").update(body).digest("hex"),
    expiresSeconds: undefined
  }
  const [rawPath = "/", rawQuery = ""] = (req.url ?? "/").split("?")
  const query = [...new URLSearchParams(rawQuery)] as Array<[string, string]>
  const expected = await expectedSignature(
    { method: req.method ?? "POST", rawPath, query, headers: req.headersDistinct },
    params,
    secret
  )
  return constantTimeEqual(expected, signature) ? undefined : "the request signature does not match"
}

export const startStsStandIn = async (options: StsOptions): Promise<StsStandIn> => {
  const lifetime = options.lifetime ?? 15 * 60_000
  const accountId = options.accountId ?? "123456789012"
  let issued = 0
  let refused = 0

  const answer = async (req: Http.IncomingMessage, res: Http.ServerResponse) => {
    const body = await readBody(req)
    const send = (status: number, xml: string) => {
      if (status !== 200) refused++
      res.writeHead(status, { "content-type": "text/xml" }).end(xml)
    }
    const form = new URLSearchParams(body.toString("utf8"))
    if (req.method !== "POST" || form.get("Action") !== "AssumeRole") {
      return send(400, errorXml("InvalidAction", "only AssumeRole is served here"))
    }
    const problem = await verify(req, body, options.callers)
    if (problem !== undefined) return send(403, errorXml("SignatureDoesNotMatch", problem))
    const session = form.get("RoleSessionName") ?? "session"
    const roleName = (form.get("RoleArn") ?? "").split("/").pop() || "role"
    const credentials: IssuedCredentials = {
      accessKeyId: randomId("ASIA"),
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(300).toString("base64")}`,
      expiration: new Date(Math.floor((Date.now() + lifetime) / 1000) * 1000)
    }
    options.onIssue(credentials)
    issued++
    send(
      200,
      `<AssumeRoleResponse xmlns="${STS_NAMESPACE}"><AssumeRoleResult><Credentials>` +
        `<AccessKeyId>${credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>` +
        `<SessionToken>${credentials.sessionToken}</SessionToken><Expiration>${credentials.expiration.toISOString()}</Expiration>` +
        `</Credentials><AssumedRoleUser><Arn>arn:aws:sts::${accountId}:assumed-role/${escapeXml(roleName)}/${escapeXml(session)}</Arn>` +
        `<AssumedRoleId>AROA${randomId("")}:${escapeXml(session)}</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>` +
        `<ResponseMetadata><RequestId>${randomBytes(8).toString("hex")}</RequestId></ResponseMetadata></AssumeRoleResponse>`
    )
  }

  const server = Http.createServer((req, res) => {
    answer(req, res).catch(() => {
      refused++
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/xml" })
      res.end(errorXml("InternalFailure", "the stand-in failed"))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, LOOPBACK_HOST, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://${LOOPBACK_HOST}:${port}`,
    issued: () => issued,
    refused: () => refused,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    }
  }
}
