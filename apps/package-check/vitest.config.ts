import { credkitVitest } from "@credkit/vitest-config"
import { defineConfig } from "vitest/config"

const shared = credkitVitest({ testTimeout: 300_000 })

export default defineConfig({
  ...shared,
  test: { ...shared.test, globalSetup: ["./test/globalSetup.ts"] }
})
