import { credkitVitest } from "@credkit/vitest-config"
import { defineConfig } from "vitest/config"

const shared = credkitVitest({ testTimeout: 180_000 })

// The soak measures the heap after garbage collection, so workers start with --expose-gc. Two workers let the soak,
// which mostly waits on sockets, run beside the other files.
export default defineConfig({ ...shared, test: { ...shared.test, execArgv: ["--expose-gc"], maxWorkers: 2 } })
