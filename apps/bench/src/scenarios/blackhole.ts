/**
 * No credentials anywhere and an IMDS endpoint that accepts connections and never answers (the parent's
 * blackhole server). Times the first failure of the default chain, then the failure of a new provider made
 * right after (well within 60 s), from the call to the rejection.
 *
 * Usage: node blackhole.ts <credkit|aws>
 */
import { defaultChain, emit, type Provider, sideOf } from "./shared.ts"

const side = sideOf(process.argv[2])

const timeFailure = async (provider: Provider) => {
  const started = performance.now()
  const failed = await provider().then(
    () => false,
    () => true
  )
  return { ms: performance.now() - started, failed }
}

const first = await timeFailure(await defaultChain(side))
const second = await timeFailure(await defaultChain(side))
emit({ firstMs: first.ms, secondMs: second.ms, firstFailed: first.failed, secondFailed: second.failed })
