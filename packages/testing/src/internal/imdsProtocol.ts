/**
 * The EC2 instance metadata protocol as the emulator speaks it: session tokens, the IMDSv1/v2 modes, the role
 * list and credential documents on the legacy and extended paths, and the XHTML error pages of the real service.
 */
import * as Http from "node:http"

import type { CredentialSource } from "./credentials.ts"
import { isoSeconds, randomBase64 } from "./credentials.ts"
import type { Reply } from "./deliver.ts"

// IMDSv2 session token endpoint and headers:
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
export const TOKEN_PATH = "/latest/api/token"
export const TOKEN_HEADER = "x-aws-ec2-metadata-token"
export const TOKEN_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds"
// IMDS refuses token requests that went through a proxy (they carry X-Forwarded-For) with 403.
export const FORWARDED_FOR_HEADER = "x-forwarded-for"
// Role list and credential documents, legacy and extended (the extended one adds AccountId).
export const LEGACY_PATH = "/latest/meta-data/iam/security-credentials/"
export const EXTENDED_PATH = "/latest/meta-data/iam/security-credentials-extended/"
// Token TTL bounds in seconds, from the IMDSv2 documentation.
const MIN_TOKEN_TTL = 1
const MAX_TOKEN_TTL = 21600
// IMDS answers every metadata item, JSON documents included, as text/plain.
export const IMDS_CONTENT_TYPE = "text/plain"

/**
 * How the emulated IMDS treats session tokens: `"optional"` (v1 and v2), `"v2-only"` (token required),
 * `"v1-only"` (no token endpoint, as an old IMDS) or `"off"` (every request gets 403).
 *
 * @category configuration
 * @since 0.1.0
 */
export type Mode = "optional" | "v2-only" | "v1-only" | "off"

/** The mutable state an IMDS emulator answers from. */
export interface ImdsState {
  mode: Mode
  extendedPath: boolean
  role: string | undefined
  readonly accountId: string
  readonly credentials: CredentialSource
  readonly now: () => number
  /** Issued session tokens and the time (ms) each one expires. */
  readonly tokens: Map<string, number>
}

/** The XHTML error page IMDS sends with every error status. */
export const errorReply = (status: number, body?: string): Reply => {
  const title = `${status} - ${Http.STATUS_CODES[status] ?? "Error"}`
  const page = `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>${title}</title>
 </head>
 <body>
  <h1>${title}</h1>
 </body>
</html>
`
  return {
    status,
    headers: { "content-type": body === undefined ? "text/html" : IMDS_CONTENT_TYPE },
    body: body ?? page
  }
}

const text = (body: string, headers: Record<string, string> = {}): Reply => ({
  status: 200,
  headers: { "content-type": IMDS_CONTENT_TYPE, ...headers },
  body
})

// IMDS pretty-prints its documents with two-space indents and " : " between key and value.
const document = (fields: ReadonlyArray<readonly [string, string]>): string =>
  `{\n${fields.map(([key, value]) => `  ${JSON.stringify(key)} : ${JSON.stringify(value)}`).join(",\n")}\n}`

/** The document IMDS serves when it cannot get credentials for the role (`Code` other than `Success`). */
export const failureDocument = (state: ImdsState, code: string, message: string | undefined): string =>
  document([
    ["Code", code],
    ["Message", message ?? `EC2 cannot assume the role ${state.role ?? ""}.`],
    ["LastUpdated", isoSeconds(new Date(state.now()))]
  ])

const credentialDocument = (state: ImdsState, extended: boolean): string => {
  const served = state.credentials.current()
  return document([
    ["Code", "Success"],
    ["LastUpdated", isoSeconds(served.issuedAt)],
    ["Type", "AWS-HMAC"],
    ["AccessKeyId", served.accessKeyId],
    ["SecretAccessKey", served.secretAccessKey],
    ["Token", served.sessionToken],
    ["Expiration", isoSeconds(served.expiration)],
    ...(extended ? [["AccountId", state.accountId] as const] : [])
  ])
}

const issueToken = (state: ImdsState, req: Http.IncomingMessage): Reply => {
  if (state.mode === "v1-only") return errorReply(404)
  if (req.headers[FORWARDED_FOR_HEADER] !== undefined) return errorReply(403)
  const ttl = req.headers[TOKEN_TTL_HEADER]
  const seconds = typeof ttl === "string" && /^\d+$/.test(ttl) ? Number(ttl) : Number.NaN
  if (!(seconds >= MIN_TOKEN_TTL && seconds <= MAX_TOKEN_TTL)) return errorReply(400)
  const token = `AQAEA${randomBase64(40)}`
  state.tokens.set(token, state.now() + seconds * 1000)
  return text(token, { [TOKEN_TTL_HEADER]: String(seconds) })
}

const authorized = (state: ImdsState, req: Http.IncomingMessage): boolean => {
  if (state.mode === "v1-only") return true
  const token = req.headers[TOKEN_HEADER]
  if (token === undefined) return state.mode !== "v2-only"
  const expiresAt = typeof token === "string" ? state.tokens.get(token) : undefined
  return expiresAt !== undefined && expiresAt > state.now()
}

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** Whether `path` names a credential document (a role under either path) rather than a role list. */
export const isCredentialDocument = (path: string): boolean =>
  [LEGACY_PATH, EXTENDED_PATH].some((prefix) => path.startsWith(prefix) && path.length > prefix.length)

// Limitation: only the IAM credential paths are served; other metadata (instance-id, placement/region,
// user-data) answers 404, so code that reads them sees "not found". Serving a configurable map of extra
// paths would lift it.
const metadata = (state: ImdsState, path: string): Reply => {
  const prefix = [LEGACY_PATH, EXTENDED_PATH].find((candidate) => path.startsWith(candidate))
  if (prefix === undefined || (prefix === EXTENDED_PATH && !state.extendedPath)) return errorReply(404)
  if (state.role === undefined) return errorReply(404)
  const name = decode(path.slice(prefix.length))
  // The role list is the bare role name, without a trailing newline, as IMDS sends it.
  if (name === "") return text(state.role)
  return name === state.role ? text(credentialDocument(state, prefix === EXTENDED_PATH)) : errorReply(404)
}

/** The normal answer of the emulated IMDS to a request. */
export const answer = (state: ImdsState, req: Http.IncomingMessage, path: string): Reply => {
  if (state.mode === "off") return errorReply(403)
  if (path === TOKEN_PATH) return req.method === "PUT" ? issueToken(state, req) : errorReply(405)
  if (req.method !== "GET") return errorReply(405)
  if (!authorized(state, req)) return errorReply(401)
  return metadata(state, path)
}
