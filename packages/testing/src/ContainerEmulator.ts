/**
 * A loopback container credentials endpoint for tests: the ECS task role endpoint, the EKS Pod Identity agent or
 * Lambda SnapStart. It serves rotating credentials, checks an optional authorization token (also written to a
 * token file), and lets a test inject faults. Point `AWS_CONTAINER_CREDENTIALS_FULL_URI` at its `url`.
 *
 * @since 0.1.0
 */
import { randomBytes } from "node:crypto"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Path from "node:path"

import type { Credentials, FixedCredentials } from "./internal/credentials.ts"
import { isoSeconds, makeCredentialSource, randomBase64 } from "./internal/credentials.ts"
import type { Reply } from "./internal/deliver.ts"
import { deliver } from "./internal/deliver.ts"
import type { Fault } from "./internal/faults.ts"
import { makeFaultTable } from "./internal/faults.ts"
import type { RequestRecord } from "./internal/requestLog.ts"
import { AUTHORIZATION_HEADER, makeRequestLog, USER_AGENT_HEADER } from "./internal/requestLog.ts"
import { listen, pathOf } from "./internal/server.ts"

export type { Credentials, Fault, FixedCredentials, RequestRecord }

/**
 * Options of `start`; every one is optional.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface Options {
  /** Port on 127.0.0.1; default 0, a free port. */
  readonly port?: number
  /** Path of the credentials endpoint; default `"/v1/credentials"`. */
  readonly path?: string
  /** Required `Authorization` header value; default none (no check), or a random one when `tokenFile` is set. */
  readonly token?: string
  /** File the emulator writes the token to, as the EKS Pod Identity agent does. */
  readonly tokenFile?: string
  /** Role name used in the default `RoleArn`; default `"credkit-role"`. */
  readonly roleName?: string
  /** `AccountId` in the document; default `"123456789012"`; `null` leaves it out. */
  readonly accountId?: string | null
  /** `RoleArn` in the document; default built from account and role; `null` leaves it out. */
  readonly roleArn?: string | null
  /** Lifetime of each credential set in ms; default six hours. */
  readonly lifetime?: number
  /** A new set is issued when less than this many ms are left; default a quarter of the lifetime. */
  readonly rotateBefore?: number
  /** Keys to serve instead of generated ones. */
  readonly credentials?: FixedCredentials
  /** Clock for credential rotation, in epoch ms; default `Date.now`. */
  readonly now?: () => number
}

/**
 * What a test can change or inspect on a running emulator.
 *
 * @category services
 * @since 0.1.0
 */
export interface Control {
  /** Issues a new credential set now and returns it. */
  readonly rotate: () => Credentials
  /** The credentials the next answer will carry. */
  readonly current: () => Credentials
  /** Lifetime in ms of the sets issued from now on; `rotate()` applies it at once. */
  readonly setLifetime: (ms: number) => void
  /** Replaces the required token (random when omitted), rewrites the token file and returns the new token. */
  readonly rotateToken: (newToken?: string) => string
  /** The token currently required, or `undefined` when requests are not checked. */
  readonly token: () => string | undefined
  /** Applies `fault` to requests whose path starts with `pathPattern` (or to all, with `"*"`). */
  readonly fault: (pathPattern: string, fault: Fault) => void
  readonly clearFaults: () => void
  /** Requests received so far, with the authorization header redacted. */
  readonly requests: () => ReadonlyArray<RequestRecord>
  readonly clearRequests: () => void
}

/**
 * A running emulator: the full credentials URL, its parts, its control and `close`, which is safe to call twice.
 *
 * @category models
 * @since 0.1.0
 */
export interface ContainerEmulator {
  /** The full credentials URL, the value for `AWS_CONTAINER_CREDENTIALS_FULL_URI`. */
  readonly url: string
  /** `http://127.0.0.1:PORT`. */
  readonly baseUrl: string
  /** The path of the credentials endpoint. */
  readonly relativeUri: string
  readonly control: Control
  readonly close: () => Promise<void>
}

// The path the ECS agent serves task credentials on (ECS adds the task id after it).
// Limitation: one plain-http path on 127.0.0.1; `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` always means host
// 169.254.170.2, so tests use the full URI (or a client option for the relative URI's base) instead. An https
// listener would be needed to test the full URI's https branch against a non-loopback name.
const DEFAULT_PATH = "/v1/credentials"
const DEFAULT_ROLE_NAME = "credkit-role"
const DEFAULT_ACCOUNT_ID = "123456789012"
const JSON_CONTENT_TYPE = "application/json"
// The SDKs send the container token as the whole Authorization header value, without a scheme.
const LOGGED_HEADERS = [USER_AGENT_HEADER]
// Readable by the owner only, as a token file should be.
const TOKEN_FILE_MODE = 0o600
// The EKS Pod Identity agent answers 4xx and 5xx with a JSON body of this shape, with these codes.
const ERROR_CODES: Readonly<Record<number, string>> = {
  400: "InvalidParameter",
  401: "AccessDenied",
  403: "AccessDenied",
  404: "NotFound",
  405: "MethodNotAllowed",
  429: "ThrottlingException",
  500: "InternalServerError",
  503: "ServiceUnavailable"
}

// The token file is replaced the way the EKS Pod Identity agent's projected token is: a temporary file in the same
// directory renamed over the old one, so a reader never sees half a token.
const writeTokenFile = (file: string, token: string): void => {
  const temp = Path.join(Path.dirname(file), `.${Path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`)
  Fs.writeFileSync(temp, token, { mode: TOKEN_FILE_MODE })
  try {
    Fs.renameSync(temp, file)
  } catch (error) {
    Fs.rmSync(temp, { force: true })
    throw error
  }
}

const errorReply = (status: number, body?: string, message?: string): Reply => ({
  status,
  headers: { "content-type": JSON_CONTENT_TYPE },
  body:
    body ??
    JSON.stringify({ code: ERROR_CODES[status] ?? "Error", message: message ?? Http.STATUS_CODES[status] ?? "Error" })
})

/**
 * Starts a container credentials endpoint on 127.0.0.1 and resolves once it listens.
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = async (options: Options = {}): Promise<ContainerEmulator> => {
  const now = options.now ?? Date.now
  const relativeUri = options.path ?? DEFAULT_PATH
  if (!relativeUri.startsWith("/")) throw new RangeError(`path must start with "/", got ${relativeUri}`)
  const accountId = options.accountId === undefined ? DEFAULT_ACCOUNT_ID : options.accountId
  const roleArn =
    options.roleArn === undefined
      ? `arn:aws:iam::${accountId ?? DEFAULT_ACCOUNT_ID}:role/${options.roleName ?? DEFAULT_ROLE_NAME}`
      : options.roleArn
  const credentials = makeCredentialSource({
    now,
    lifetime: options.lifetime,
    rotateBefore: options.rotateBefore,
    fixed: options.credentials
  })
  let token = options.token ?? (options.tokenFile === undefined ? undefined : randomBase64(32))
  if (options.tokenFile !== undefined && token !== undefined) writeTokenFile(options.tokenFile, token)
  const faults = makeFaultTable<Fault>()
  const log = makeRequestLog(LOGGED_HEADERS, [AUTHORIZATION_HEADER])

  const answer = (req: Http.IncomingMessage, path: string): Reply => {
    if (path !== relativeUri) return errorReply(404)
    if (req.method !== "GET") return errorReply(405)
    if (token !== undefined && req.headers[AUTHORIZATION_HEADER] !== token) {
      return errorReply(401, undefined, "The authorization token is missing or does not match")
    }
    const served = credentials.current()
    const document = {
      AccessKeyId: served.accessKeyId,
      SecretAccessKey: served.secretAccessKey,
      Token: served.sessionToken,
      Expiration: isoSeconds(served.expiration),
      ...(accountId === null ? {} : { AccountId: accountId }),
      ...(roleArn === null ? {} : { RoleArn: roleArn })
    }
    return { status: 200, headers: { "content-type": JSON_CONTENT_TYPE }, body: JSON.stringify(document) }
  }

  const server = await listen(options.port ?? 0, (req, res, schedule) => {
    const path = pathOf(req)
    const entry = log.open(req, path)
    deliver(
      { req, res, schedule, entry },
      faults.take(path, () => true),
      {
        normal: () => answer(req, path),
        failure: errorReply,
        contentType: JSON_CONTENT_TYPE
      }
    )
  })

  const control: Control = {
    rotate: credentials.rotate,
    current: credentials.current,
    setLifetime: credentials.setLifetime,
    rotateToken: (newToken) => {
      const next = newToken ?? randomBase64(32)
      if (options.tokenFile !== undefined) writeTokenFile(options.tokenFile, next)
      token = next
      return next
    },
    token: () => token,
    fault: faults.add,
    clearFaults: faults.clear,
    requests: log.list,
    clearRequests: log.clear
  }
  return { url: server.baseUrl + relativeUri, baseUrl: server.baseUrl, relativeUri, control, close: server.close }
}
