/**
 * @credkit/credentials: the default AWS credentials chain, one import for EC2, ECS, EKS, Lambda and a laptop.
 * Bundlers load this entry; Node.js loads `index.node`, which defers the Effect API until it is used.
 *
 * @since 0.1.0
 */
export * as DefaultCredentials from "./DefaultCredentials.js"
export { type DefaultChainOptions, explain, fromDefaultChain, type Report } from "./fromDefaultChain.js"
