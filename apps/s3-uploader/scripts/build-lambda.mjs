// Bundles the Lambda handler into one ES module, dist/lambda/handler.mjs, and reports its size raw and gzipped.
import { readFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { build } from "esbuild"

const app = join(dirname(fileURLToPath(import.meta.url)), "..")
const outfile = join(app, "dist/lambda/handler.mjs")

await build({
  entryPoints: [join(app, "src/handler.ts")],
  outfile,
  bundle: true,
  minify: true,
  platform: "node",
  format: "esm",
  target: "node22",
  legalComments: "none",
  // Some bundled AWS SDK modules are CommonJS and call require() for Node built-ins.
  banner: {
    js: 'import{createRequire as __credkitRequire}from"node:module";const require=__credkitRequire(import.meta.url);'
  },
  logLevel: "warning"
})

const bytes = readFileSync(outfile)
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`
console.log(`${relative(app, outfile)}: ${kib(bytes.length)} raw, ${kib(gzipSync(bytes).length)} gzip`)
