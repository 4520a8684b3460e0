/**
 * IMDS down after the credentials expired: the default chain gets credentials that expire about 2 s later, the
 * emulator stops (connections refused), and once the credentials have expired the chain is called again.
 * Prints "serves (extended)", "serves (expired)" or "throws".
 *
 * Usage: node imds-down.ts <credkit|aws>
 */
import { ImdsEmulator } from "@credkit/testing"

import { defaultChain, emit, fixedCredentials, sideOf, sleep, useImds, wholeSecondAfter } from "./shared.ts"

const LIFETIME_MS = 2_000
// Lets a background refresh started by the first call finish while IMDS is still up.
const SETTLE_MS = 200
const PAST_EXPIRY_MS = 1_000

const side = sideOf(process.argv[2])
const expiration = wholeSecondAfter(LIFETIME_MS)
const imds = await ImdsEmulator.start({ credentials: fixedCredentials(expiration) })
useImds(imds.url)
const provider = await defaultChain(side)

await provider()
await sleep(SETTLE_MS)
await imds.close()
await sleep(expiration.getTime() - Date.now() + PAST_EXPIRY_MS)

const outcome = await provider().then(
  (credentials) =>
    credentials.expiration !== undefined && credentials.expiration.getTime() > Date.now()
      ? "serves (extended)"
      : "serves (expired)",
  () => "throws"
)
emit({ outcome })
