import { defineConfig } from "tsdown"

export default defineConfig({
  entry: {
    cli: "src/cli.ts",
    demo: "src/demo/main.ts",
    localS3: "src/localS3/index.ts"
  },
  format: ["esm"],
  dts: false,
  sourcemap: true,
  clean: true,
  platform: "node",
  target: "node22"
})
