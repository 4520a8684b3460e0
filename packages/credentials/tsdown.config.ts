import { defineConfig } from "tsdown"

export default defineConfig({
  entry: ["src/index.ts", "src/index.node.ts", "src/DefaultCredentials.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  platform: "node",
  target: "node22"
})
