/**
 * A Lambda handler as users write one: the default chain, built once per cold start, answers every invocation.
 * The package check bundles it with esbuild and runs the bundle under plain `node` with environment credentials.
 */
import { fromDefaultChain } from "@credkit/credentials"

const credentials = fromDefaultChain()

export interface HandlerResult {
  readonly source: string
  /** The last four characters of the access key id: the most of it that may be shown. */
  readonly accessKeyIdSuffix: string
}

export const handler = async (): Promise<HandlerResult> => {
  const identity = await credentials()
  return { source: identity.source, accessKeyIdSuffix: identity.accessKeyId.slice(-4) }
}
