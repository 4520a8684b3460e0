import { libraryBuild } from "@credkit/tsdown-config"
import { defineConfig } from "tsdown"

// One output file per source module, so the Effect-free entries (`index.node`, `promise`) never share a chunk
// with the Effect API.
export default defineConfig({
  ...libraryBuild(["src/index.ts", "src/index.node.ts", "src/promise.ts", "src/DefaultCredentials.ts"]),
  unbundle: true
})
