/**
 * Credentials with 4 minutes left: the harness's IMDS emulator serves a fixed set expiring 4 min ahead, and the
 * default chain is called 100 times, 20 ms apart. The harness counts fetch sequences in the emulator's log.
 *
 * Usage: node near-expiry.ts <credkit|aws>   (AWS_EC2_METADATA_SERVICE_ENDPOINT set by the harness)
 */
import { defaultChain, emit, sideOf, sleep } from "./shared.ts"

const CALLS = 100
const INTERVAL_MS = 20
// Time for a refresh still in flight after the last call to reach the emulator.
const SETTLE_MS = 200

const side = sideOf(process.argv[2])
const provider = await defaultChain(side)

let served = 0
for (let i = 0; i < CALLS; i++) {
  await provider()
  served++
  await sleep(INTERVAL_MS)
}
await sleep(SETTLE_MS)
emit({ served })
