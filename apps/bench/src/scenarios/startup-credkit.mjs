// Start-up scenario, credkit side: what a Lambda handler or an EC2 service runs first. The time printed is
// performance.now() when the credentials arrive, i.e. milliseconds since the process started, module loading
// included. The bench runs this file as it is (unbundled) and as an esbuild bundle.
// The entry credkit documents for Promise-only handlers; unbundled it resolves like the package root.
import { fromDefaultChain } from "@credkit/credentials/promise"

const credentials = await fromDefaultChain()()
const ms = performance.now()
const result = { ms, maxRssKb: process.resourceUsage().maxRSS, keySuffix: credentials.accessKeyId.slice(-4) }
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0))
