/**
 * Cached call: the default chain with credentials in environment variables, warmed up, then awaited in a loop.
 * Prints the median over a few batches of nanoseconds per `await provider()`.
 *
 * Usage: node cached-call.ts <credkit|aws> <calls per batch>
 */
import { median } from "../stats.ts"
import { defaultChain, emit, sideOf } from "./shared.ts"

const BATCHES = 5

const side = sideOf(process.argv[2])
const calls = Number(process.argv[3] ?? "40000")
const provider = await defaultChain(side)

for (let i = 0; i < calls; i++) await provider()

const perCall: Array<number> = []
for (let batch = 0; batch < BATCHES; batch++) {
  const started = performance.now()
  for (let i = 0; i < calls; i++) await provider()
  perCall.push(((performance.now() - started) * 1e6) / calls)
}
emit({ ns: median(perCall), batches: perCall })
