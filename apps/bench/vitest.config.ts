import { credkitVitest } from "@credkit/vitest-config"
import { defineConfig } from "vitest/config"

export default defineConfig(credkitVitest({ testTimeout: 300_000 }))
