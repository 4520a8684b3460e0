import { libraryBuild } from "@credkit/tsdown-config"
import { defineConfig } from "tsdown"

// One output file per source module: the bundler entry then re-exports the Effect API as a plain namespace
// re-export, which bundlers drop when a handler only uses fromDefaultChain (a namespace object built at load
// time would keep Effect on the start-up path).
export default defineConfig({
  ...libraryBuild(["src/index.ts", "src/index.node.ts", "src/DefaultCredentials.ts"]),
  unbundle: true
})
