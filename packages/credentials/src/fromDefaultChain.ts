/**
 * `fromDefaultChain()` and `explain()`: the default chain as an AWS SDK v3 credentials provider. This module loads
 * no Effect code: credentials in environment variables (Lambda) are answered by a pure reader, and the rest of the
 * chain (profile, web identity, container, EC2) is imported only when the environment holds none.
 *
 * @since 0.1.0
 */
import type { AwsLogger, CredentialIdentity, CredentialIdentityProvider } from "@credkit/core"
import { type EnvProvider, fromEnv, readEnvCredentials } from "@credkit/env/fromEnv"

import type { Report } from "./internal/report.js"
import { AWS_PROFILE, claimShadowingWarning, explicitProfileOf, shadowingMessage } from "./internal/shadowing.js"
import { shareKey } from "./internal/share.js"

/**
 * Options of `fromDefaultChain` and `explain`. Times are milliseconds.
 *
 * @category configuration
 * @since 0.1.0
 */
export interface DefaultChainOptions {
  /** The profile to use instead of `AWS_PROFILE` / `AWS_DEFAULT_PROFILE` / `default`. */
  readonly profile?: string | undefined
  /** Deadline for one resolution through the whole chain, in milliseconds. */
  readonly timeout?: number | undefined
  readonly logger?: AwsLogger.AwsLogger | undefined
  /** Options of the EC2 instance metadata source (as `fromInstanceMetadata`). */
  readonly ec2?:
    | {
        readonly endpoint?: string | undefined
        readonly endpointMode?: string | undefined
        readonly timeout?: number | undefined
        readonly maxAttempts?: number | undefined
        readonly roleName?: string | undefined
        readonly v1Fallback?: boolean | undefined
      }
    | undefined
  /** Options of the container endpoint source (as `fromContainerMetadata`). */
  readonly ecs?:
    | {
        readonly timeout?: number | undefined
        readonly maxAttempts?: number | undefined
        readonly relativeUriBase?: string | undefined
      }
    | undefined
}

interface Shared {
  env?: EnvProvider
  chain?: CredentialIdentityProvider
  settled?: { readonly identity: CredentialIdentity; readonly promise: Promise<CredentialIdentity> }
}

// One entry per distinct options value, for the life of the process (api.md: "share one cache per process").
// Limitation: entries are never dropped, so a program that builds providers with ever new options (a new logger
// function per request, say) keeps one cache and one Effect runtime per value until it exits. Reuse one options
// object (or one provider); a registry that lets unreferenced entries go (WeakRef per provider) would lift this.
const registry = new Map<string, Shared>()

const loadChain = () => import("./internal/promiseChain.js")

// decisions §4: a set AWS_PROFILE that env keys shadow gets one warning per process (shared with the Effect chain),
// through the logger when there is one, as the AWS SDK bridge does.
const warnShadowing = (options: DefaultChainOptions, value: string | undefined) => {
  const profile = explicitProfileOf(value)
  if (profile === undefined || !claimShadowingWarning()) return
  const text = `[credkit] ${shadowingMessage(profile)}`
  if (options.logger?.warn !== undefined) options.logger.warn(text)
  else process.emitWarning(text, "CredkitWarning")
}

/**
 * The default chain: environment variables → profile files → web identity → container endpoint → EC2 instance
 * metadata, behind one cache. Providers made with equal options share that cache, so building many clients never
 * multiplies metadata traffic.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromDefaultChain = (options: DefaultChainOptions = {}): CredentialIdentityProvider => {
  const key = shareKey(options)
  let shared = registry.get(key)
  if (shared === undefined) {
    shared = {}
    registry.set(key, shared)
  }
  const state = shared
  return (props) => {
    if (state.chain !== undefined) return state.chain(props)
    // Cached environment credentials answer at once: no environment read, no promise chain (a hot path).
    if (props?.forceRefresh !== true) {
      const kept = state.env?.peek()
      if (kept !== undefined) {
        // One settled promise per identity: handing it out again costs no allocation on this hot path.
        if (state.settled?.identity !== kept) state.settled = { identity: kept, promise: Promise.resolve(kept) }
        return state.settled.promise
      }
    }
    // The Promise facade reads process.env itself on this path (STYLE §12): no Effect for Lambda's common case.
    const reading = readEnvCredentials(process.env)
    if (reading._tag !== "Absent") {
      if (reading._tag === "Found" && options.profile === undefined) warnShadowing(options, process.env[AWS_PROFILE])
      state.env ??= fromEnv({ logger: options.logger })
      return state.env(props)
    }
    return loadChain().then((chain) => {
      state.chain ??= chain.makeProvider(options)
      return state.chain(props)
    })
  }
}

/**
 * Runs the default chain and says what each source did, without secrets. Never rejects for "nothing found".
 *
 * @category constructors
 * @since 0.1.0
 */
export const explain = (options: DefaultChainOptions = {}): Promise<Report> =>
  loadChain().then((chain) => chain.explain(options))

export type { Report } from "./internal/report.js"
