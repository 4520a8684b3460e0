import { defineConfig } from "tsdown"

export default defineConfig({
  entry: ["src/localS3/index.ts"],
  format: ["esm"],
  dts: false,
  sourcemap: true,
  clean: true,
  platform: "node",
  target: "node22"
})
