/**
 * The workspace as the checks see it: every folder of `packages/` whose manifest is not private is a published
 * package, whatever is there at the time of the run; `apps/` and `tooling/` hold private workspaces only.
 */
import * as fs from "node:fs"
import * as path from "node:path"

import { exec } from "./exec.js"
import type { Manifest } from "./tarball.js"

export const WORKSPACE_ROOT = path.resolve(import.meta.dirname, "../../..")

export interface Workspace {
  /** The folder name, e.g. `env`. */
  readonly folder: string
  readonly dir: string
  readonly manifest: Manifest
}

const readWorkspaces = (group: string): Array<Workspace> => {
  const groupDir = path.join(WORKSPACE_ROOT, group)
  if (!fs.existsSync(groupDir)) return []
  return fs
    .readdirSync(groupDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(groupDir, entry.name, "package.json")))
    .map((entry) => {
      const dir = path.join(groupDir, entry.name)
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest
      return { folder: entry.name, dir, manifest }
    })
    .sort((a, b) => a.folder.localeCompare(b.folder))
}

/** The packages that get published: `packages/*` with a manifest that is not private. */
export const publishedPackages = (): Array<Workspace> =>
  readWorkspaces("packages").filter((workspace) => workspace.manifest.private !== true)

/** Every workspace that is meant to stay private: apps and tooling. */
export const privateWorkspaces = (): Array<Workspace> => [...readWorkspaces("apps"), ...readWorkspaces("tooling")]

/** The file name `pnpm pack` gives a package's tarball. */
export const tarballName = (manifest: Manifest): string =>
  `${manifest.name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`

export interface Packed {
  readonly name: string
  readonly folder: string
  /** The tarball, or `undefined` when packing failed. */
  readonly tarball: string | undefined
  /** What pnpm printed when packing failed. */
  readonly error: string | undefined
}

/** Packs one package with pnpm, which replaces `workspace:` and `catalog:` ranges as publishing does. */
export const pack = async (workspace: Workspace, destination: string): Promise<Packed> => {
  const result = await exec("pnpm", ["pack", "--pack-destination", destination], { cwd: workspace.dir })
  const tarball = path.join(destination, tarballName(workspace.manifest))
  const ok = result.code === 0 && fs.existsSync(tarball)
  return {
    name: workspace.manifest.name,
    folder: workspace.folder,
    tarball: ok ? tarball : undefined,
    error: ok ? undefined : `pnpm pack exited with ${result.code}\n${result.stdout}\n${result.stderr}`.trim()
  }
}

/** A version pinned in the catalog of pnpm-workspace.yaml, so the consumer project uses what the workspace tests. */
export const catalogVersion = (name: string): string => {
  const text = fs.readFileSync(path.join(WORKSPACE_ROOT, "pnpm-workspace.yaml"), "utf8")
  const catalog = text.slice(text.search(/^catalog:\s*$/m))
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
  const match = new RegExp(`^\\s+"?${escaped}"?:\\s*"?([^"\\s]+)"?\\s*$`, "m").exec(catalog)
  if (match?.[1] === undefined) throw new Error(`${name} is not in the catalog of pnpm-workspace.yaml`)
  return match[1]
}
