import { defineConfig } from "tsdown"

export default defineConfig({
  entry: ["src/index.ts", "src/bin/imds.ts", "src/bin/container.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  platform: "node",
  target: "node22"
})
