import { libraryBuild } from "@credkit/tsdown-config"
import { defineConfig } from "tsdown"

export default defineConfig(libraryBuild(["src/index.ts", "src/index.node.ts", "src/DefaultCredentials.ts"]))
