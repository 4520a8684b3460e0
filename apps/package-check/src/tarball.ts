/**
 * Reads a `.tgz` as published: the files under `package/` with their contents. A small ustar reader (with pax
 * path records) is enough for the tarballs `pnpm pack` writes, and keeps the check free of extra dependencies.
 */
import * as fs from "node:fs"
import * as zlib from "node:zlib"

const BLOCK = 512

const readString = (block: Buffer, offset: number, length: number): string => {
  const raw = block.subarray(offset, offset + length)
  const end = raw.indexOf(0)
  return raw.subarray(0, end === -1 ? length : end).toString("utf8")
}

const readPaxPath = (body: Buffer): string | undefined => {
  for (const record of body.toString("utf8").split("\n")) {
    const match = /^\d+ path=(.*)$/.exec(record)
    if (match?.[1] !== undefined) return match[1]
  }
  return undefined
}

/** Every regular file of the tarball, keyed by its path with the leading `package/` removed. */
export const readTarball = (file: string): Map<string, Buffer> => {
  const data = zlib.gunzipSync(fs.readFileSync(file))
  const files = new Map<string, Buffer>()
  let offset = 0
  let paxPath: string | undefined
  while (offset + BLOCK <= data.length) {
    const header = data.subarray(offset, offset + BLOCK)
    if (header.every((byte) => byte === 0)) break
    const name = readString(header, 0, 100)
    const prefix = readString(header, 345, 155)
    const size = Number.parseInt(readString(header, 124, 12).trim() || "0", 8)
    const type = String.fromCharCode(header[156] ?? 0)
    const body = data.subarray(offset + BLOCK, offset + BLOCK + size)
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK
    if (type === "x") {
      paxPath = readPaxPath(body)
      continue
    }
    const fullName = paxPath ?? (prefix === "" ? name : `${prefix}/${name}`)
    paxPath = undefined
    if (type === "0" || type === "\0") files.set(fullName.replace(/^[^/]+\//, ""), Buffer.from(body))
  }
  return files
}

/** The `package.json` inside a tarball. */
export const readTarballManifest = (file: string): Manifest => {
  const text = readTarball(file).get("package.json")
  if (text === undefined) throw new Error(`${file} holds no package.json`)
  return JSON.parse(text.toString("utf8")) as Manifest
}

/** The fields of a package manifest the checks read. */
export interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly description?: string
  readonly license?: string
  readonly repository?: { readonly type?: string; readonly url?: string; readonly directory?: string } | string
  readonly keywords?: ReadonlyArray<string>
  readonly engines?: Readonly<Record<string, string>>
  readonly type?: string
  readonly sideEffects?: boolean | ReadonlyArray<string>
  readonly exports?: Readonly<Record<string, unknown>>
  readonly main?: string
  readonly types?: string
  readonly files?: ReadonlyArray<string>
  readonly bin?: Readonly<Record<string, string>> | string
  readonly publishConfig?: Readonly<Record<string, unknown>>
  readonly dependencies?: Readonly<Record<string, string>>
  readonly devDependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
  readonly optionalDependencies?: Readonly<Record<string, string>>
}
