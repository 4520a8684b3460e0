/**
 * The Node.js entry of @credkit/credentials. `fromDefaultChain` answers from environment variables without loading
 * Effect (a Lambda cold start pays ~100 ms per unbundled Effect load), so `DefaultCredentials` is a facade that
 * loads the Effect implementation synchronously (require of an ES module, Node.js ≥ 22.12) the first time one of
 * its functions is called. Bundlers take `index` instead, where tree shaking does the same job.
 *
 * @since 0.1.0
 */
import type * as Implementation from "./DefaultCredentials.js"

export { type DefaultChainOptions, explain, fromDefaultChain, type Report } from "./fromDefaultChain.js"

let implementation: typeof Implementation | undefined

const load = (): typeof Implementation => {
  if (implementation === undefined) {
    const { createRequire } = process.getBuiltinModule("node:module")
    implementation = createRequire(import.meta.url)("./DefaultCredentials.mjs") as typeof Implementation
  }
  return implementation
}

/**
 * The default chain as Effect layers: `layer`, `layerConfig`, `source`, `sources` and `explain`.
 *
 * @category layers
 * @since 0.1.0
 */
export const DefaultCredentials: typeof Implementation = {
  layer: (options) => load().layer(options),
  layerConfig: (config) => load().layerConfig(config),
  source: (options) => load().source(options),
  sources: (options) => load().sources(options),
  explain: (options) => load().explain(options)
}
