/**
 * IMDS requests per resolution: the default chain against the emulator, counting the requests of the first
 * resolution and of one later refresh (`forceRefresh`).
 *
 * Usage: node imds-requests.ts <credkit|aws>
 */
import { ImdsEmulator } from "@credkit/testing"

import { credentialFetches, defaultChain, emit, sideOf, useImds } from "./shared.ts"

const side = sideOf(process.argv[2])
const imds = await ImdsEmulator.start()
useImds(imds.url)
const provider = await defaultChain(side)

await provider()
const first = imds.control.requests()
imds.control.clearRequests()
await provider({ forceRefresh: true })
const refresh = imds.control.requests()
await imds.close()

emit({
  first: first.length,
  refresh: refresh.length,
  firstFetches: credentialFetches(first),
  refreshFetches: credentialFetches(refresh),
  paths: [...first, ...refresh].map((request) => `${request.method} ${request.path} ${request.status}`)
})
