/**
 * The Promise API of @credkit/credentials alone: `fromDefaultChain` and `explain`, with nothing of the Effect API
 * reachable at start-up. The package root exports the same functions; bundled Lambda handlers that use only these
 * import `@credkit/credentials/promise`, so a bundler's code splitting keeps Effect out of the start-up chunk.
 *
 * @since 0.1.0
 */
export { type DefaultChainOptions, explain, fromDefaultChain, type Report } from "./fromDefaultChain.js"
