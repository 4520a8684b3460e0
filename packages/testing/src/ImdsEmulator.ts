/**
 * A loopback EC2 instance metadata service for tests. It speaks IMDSv1 and IMDSv2 like the real service, serves
 * rotating role credentials on the legacy and extended paths, and lets a test rename or remove the role, switch
 * modes and inject faults. Start one with `ImdsEmulator.start()` and point `AWS_EC2_METADATA_SERVICE_ENDPOINT` at it.
 *
 * @since 0.1.0
 */
import type { Credentials, FixedCredentials } from "./internal/credentials.ts"
import { makeCredentialSource } from "./internal/credentials.ts"
import type { Exchange, Responder } from "./internal/deliver.ts"
import { deliver, send } from "./internal/deliver.ts"
import type { Fault as CommonFault } from "./internal/faults.ts"
import { makeFaultTable } from "./internal/faults.ts"
import type { ImdsState, Mode } from "./internal/imdsProtocol.ts"
import * as Protocol from "./internal/imdsProtocol.ts"
import type { RequestRecord } from "./internal/requestLog.ts"
import { AUTHORIZATION_HEADER, makeRequestLog, USER_AGENT_HEADER } from "./internal/requestLog.ts"
import { listen, pathOf } from "./internal/server.ts"

export type { Credentials, FixedCredentials, Mode, RequestRecord }

/**
 * A fault to inject: any common fault, or a credential document whose `Code` is not `Success` (applied to
 * credential documents only).
 *
 * @category errors
 * @since 0.1.0
 */
export type Fault = CommonFault | { readonly code: string; readonly message?: string; readonly times?: number }

/**
 * Options of `start`; every one is optional.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface Options {
  /** Port on 127.0.0.1; default 0, a free port. */
  readonly port?: number
  /** Role attached to the instance; default `"credkit-role"`. */
  readonly roleName?: string
  /** Account id served on the extended path; default `"123456789012"`. */
  readonly accountId?: string
  /** Lifetime of each credential set in ms; default six hours. */
  readonly lifetime?: number
  /** A new set is issued when less than this many ms are left; default a quarter of the lifetime. */
  readonly rotateBefore?: number
  /** Keys to serve instead of generated ones. */
  readonly credentials?: FixedCredentials
  /** Token handling; default `"optional"`. */
  readonly mode?: Mode
  /** Whether the extended credential path answers; default `true`. */
  readonly extendedPath?: boolean
  /** Clock for token TTLs and credential rotation, in epoch ms; default `Date.now`. */
  readonly now?: () => number
}

/**
 * What a test can change or inspect on a running emulator.
 *
 * @category services
 * @since 0.1.0
 */
export interface Control {
  /** Keeps the served credentials under a new role name; throws when no role is attached. */
  readonly renameRole: (newName: string) => void
  /** Detaches the role: the role list and credential documents answer 404. */
  readonly removeRole: () => void
  /** Attaches role `name` with a fresh credential set. */
  readonly setRole: (name: string) => void
  /** Issues a new credential set now and returns it. */
  readonly rotate: () => Credentials
  /** The credentials the next credential document will carry, with the account id. */
  readonly current: () => Credentials & { readonly accountId: string }
  readonly setMode: (mode: Mode) => void
  readonly setExtendedPath: (enabled: boolean) => void
  /** Lifetime in ms of the sets issued from now on; `rotate()` applies it at once. */
  readonly setLifetime: (ms: number) => void
  /** Applies `fault` to requests whose path starts with `pathPattern` (or to all, with `"*"`). */
  readonly fault: (pathPattern: string, fault: Fault) => void
  readonly clearFaults: () => void
  /** Requests received so far, with token and authorization headers redacted. */
  readonly requests: () => ReadonlyArray<RequestRecord>
  readonly clearRequests: () => void
  /** Invalidates every issued session token: requests carrying one get 401. */
  readonly expireTokens: () => void
}

/**
 * A running emulator: its base URL, its control and `close`, which ends open exchanges and is safe to call twice.
 *
 * @category models
 * @since 0.1.0
 */
export interface ImdsEmulator {
  /** `http://127.0.0.1:PORT`, the value for `AWS_EC2_METADATA_SERVICE_ENDPOINT`. */
  readonly url: string
  readonly control: Control
  readonly close: () => Promise<void>
}

const DEFAULT_ROLE_NAME = "credkit-role"
const DEFAULT_ACCOUNT_ID = "123456789012"
const LOGGED_HEADERS = [Protocol.TOKEN_TTL_HEADER, Protocol.FORWARDED_FOR_HEADER, USER_AGENT_HEADER]
const SECRET_HEADERS = [Protocol.TOKEN_HEADER, AUTHORIZATION_HEADER]

const isCodeFault = (fault: Fault): fault is Extract<Fault, { code: string }> => "code" in fault

/**
 * Starts an IMDS emulator on 127.0.0.1 and resolves once it listens.
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = async (options: Options = {}): Promise<ImdsEmulator> => {
  const now = options.now ?? Date.now
  const credentials = makeCredentialSource({
    now,
    lifetime: options.lifetime,
    rotateBefore: options.rotateBefore,
    fixed: options.credentials
  })
  const state: ImdsState = {
    mode: options.mode ?? "optional",
    extendedPath: options.extendedPath ?? true,
    role: options.roleName ?? DEFAULT_ROLE_NAME,
    accountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
    credentials,
    now,
    tokens: new Map()
  }
  const faults = makeFaultTable<Fault>()
  const log = makeRequestLog(LOGGED_HEADERS, SECRET_HEADERS)

  const respond = (ex: Exchange, path: string): void => {
    const fault = faults.take(path, (candidate) => !isCodeFault(candidate) || Protocol.isCredentialDocument(path))
    const normal = () => Protocol.answer(state, ex.req, path)
    const responder: Responder = { normal, failure: Protocol.errorReply, contentType: Protocol.IMDS_CONTENT_TYPE }
    if (fault === undefined || !isCodeFault(fault)) {
      deliver(ex, fault, responder)
      return
    }
    // The failure document replaces a successful answer only: a bad token still gets its 401 first.
    ex.entry.fault = "code"
    const reply = normal()
    send(
      ex,
      reply.status === 200 ? { ...reply, body: Protocol.failureDocument(state, fault.code, fault.message) } : reply
    )
  }

  const server = await listen(options.port ?? 0, (req, res, schedule) => {
    const path = pathOf(req)
    respond({ req, res, schedule, entry: log.open(req, path) }, path)
  })

  const control: Control = {
    renameRole: (newName) => {
      if (state.role === undefined) throw new Error("no role is attached: use setRole")
      state.role = newName
    },
    removeRole: () => {
      state.role = undefined
    },
    setRole: (name) => {
      state.role = name
      credentials.rotate()
    },
    rotate: credentials.rotate,
    current: () => ({ ...credentials.current(), accountId: state.accountId }),
    setMode: (mode) => {
      state.mode = mode
    },
    setExtendedPath: (enabled) => {
      state.extendedPath = enabled
    },
    setLifetime: credentials.setLifetime,
    fault: faults.add,
    clearFaults: faults.clear,
    requests: log.list,
    clearRequests: log.clear,
    expireTokens: () => state.tokens.clear()
  }
  return { url: server.baseUrl, control, close: server.close }
}
