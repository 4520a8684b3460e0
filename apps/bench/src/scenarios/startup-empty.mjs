// Baseline: an empty program, timed and measured like the start-up scenarios.
const ms = performance.now()
const result = { ms, maxRssKb: process.resourceUsage().maxRSS }
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0))
