// Start-up scenario, AWS SDK side: the same program as startup-credkit.mjs with the AWS SDK v3 default chain.
import { defaultProvider } from "@aws-sdk/credential-provider-node"

const credentials = await defaultProvider()()
const ms = performance.now()
const result = { ms, maxRssKb: process.resourceUsage().maxRSS, keySuffix: credentials.accessKeyId.slice(-4) }
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0))
