/**
 * The build every credkit library shares: ESM with `.d.mts` types and source maps, for Node.js 22 and later.
 *
 * @param {string[]} [entry] entry points, `src/index.ts` unless given
 */
export const libraryBuild = (entry = ["src/index.ts"]) => ({
  entry,
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  platform: "node",
  target: "node22"
})
