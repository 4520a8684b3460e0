/**
 * The bare module specifiers a published file imports, so a check can prove each one is a declared dependency:
 * npm's flat `node_modules` lets an undeclared import work by accident in one project and fail in the next.
 */
import { builtinModules } from "node:module"

const STATIC = /(?:^|[\s;})])(?:import|export)\s*(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s*)?["']([^"'\n]+)["']/g
const DYNAMIC = /\b(?:import|require)\s*\(\s*["']([^"'\n]+)["']\s*\)/g
const BLOCK_COMMENT = /\/\*[\s\S]*?\*\//g
const LINE_COMMENT = /^\s*\/\/.*$/gm

/** Every module specifier in a JavaScript or declaration file, comments left out. */
export const moduleSpecifiers = (source: string): Set<string> => {
  const code = source.replace(BLOCK_COMMENT, "").replace(LINE_COMMENT, "")
  const found = new Set<string>()
  for (const pattern of [STATIC, DYNAMIC]) for (const match of code.matchAll(pattern)) found.add(match[1]!)
  return found
}

const builtins = new Set(builtinModules)

/** The package a bare specifier names, or `undefined` for relative paths and Node.js built-ins. */
export const packageOf = (specifier: string): string | undefined => {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:")) return undefined
  if (builtins.has(specifier) || builtins.has(specifier.split("/")[0]!)) return undefined
  const parts = specifier.split("/")
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]
}
