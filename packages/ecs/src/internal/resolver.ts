/**
 * The host name resolver the container source checks plain-http endpoints with. It is a `Context.Reference`
 * whose default is `node:dns` `lookup` with `all: true` (the system resolver, `/etc/hosts` included), so tests swap
 * it for a table and never resolve a real name.
 */
import type * as NodeDns from "node:dns"

import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

/**
 * One address a name resolves to.
 *
 * @category models
 * @since 0.1.0
 */
export interface ResolvedAddress {
  readonly address: string
  readonly family: 4 | 6
}

/**
 * A lookup that produced no address: the name does not exist, or the resolver failed.
 *
 * @category errors
 * @since 0.1.0
 */
export class ResolverError extends Data.TaggedError("ResolverError")<{
  readonly host: string
  /** The resolver's error code (`ENOTFOUND`, `EAI_AGAIN`, ...), when it gave one. */
  readonly code?: string | undefined
  readonly cause?: unknown
}> {
  override get message(): string {
    return `could not resolve ${this.host}${this.code === undefined ? "" : ` (${this.code})`}`
  }
}

/**
 * The resolver shape: every address of a name.
 *
 * @category models
 * @since 0.1.0
 */
export interface Shape {
  readonly lookup: (host: string) => Effect.Effect<ReadonlyArray<ResolvedAddress>, ResolverError>
}

const nodeLookup = (host: string): Effect.Effect<ReadonlyArray<ResolvedAddress>, ResolverError> =>
  Effect.callback<ReadonlyArray<ResolvedAddress>, ResolverError>((resume) => {
    // Loaded on first use, as core's transport loads node:http, so importing the package costs nothing.
    const dns = process.getBuiltinModule("node:dns") as typeof NodeDns
    dns.lookup(host, { all: true }, (error, addresses) => {
      if (error !== null) return resume(Effect.fail(new ResolverError({ host, code: error.code, cause: error })))
      const found = addresses.map(
        (entry): ResolvedAddress => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 })
      )
      resume(found.length === 0 ? Effect.fail(new ResolverError({ host })) : Effect.succeed(found))
    })
  })

/**
 * The resolver in use: `node:dns` `lookup` unless a test or an application provides another.
 *
 * @category services
 * @since 0.1.0
 */
export const Resolver = Context.Reference<Shape>("@credkit/ecs/Resolver", {
  defaultValue: () => ({ lookup: nodeLookup })
})

/**
 * Every address of `host`, from the resolver in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const lookup = (host: string): Effect.Effect<ReadonlyArray<ResolvedAddress>, ResolverError> =>
  Effect.flatMap(Resolver, (resolver) => resolver.lookup(host))
