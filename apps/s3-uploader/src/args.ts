/**
 * The command line: `s3-uploader <file-or-dir>... s3://bucket[/prefix] [options]`, parsed with node:util
 * `parseArgs`. Pure: it returns what to do, or the usage error to print.
 */
import { parseArgs } from "node:util"

const S3_SCHEME = "s3://"
const MIB = 1024 * 1024
// lib-storage refuses parts under 5 MiB (S3's minimum for every part but the last).
const MIN_PART_MIB = 5
const MAX_CONCURRENCY = 64

export const USAGE = `Usage: s3-uploader <file-or-dir>... s3://bucket[/prefix] [options]

Uploads files and directories (recursively) to S3, checks each object with SHA-256 and reads it back to verify.
Credentials come from the default chain (environment, profile, web identity, container endpoint, EC2 instance
metadata).

Options:
  --concurrency <n>   files uploaded in parallel (default 4)
  --part-size <MiB>   multipart part size, at least 5 (default 5); larger files are sent in parts
  --endpoint <url>    an S3-compatible endpoint instead of AWS
  --path-style        path-style addressing (endpoint/bucket/key), for S3-compatible servers
  --region <region>   the region (default AWS_REGION or the profile's region; us-east-1 with --endpoint)
  --profile <name>    the profile for credentials and settings (default AWS_PROFILE or "default")
  --dry-run           show the credentials and what would be uploaded; send nothing
  --json              print one JSON document instead of text
  --verbose           log what the credentials chain does (to stderr)
  -h, --help          show this help

Exit status: 0 all objects uploaded and verified, 1 some objects failed, 2 usage or configuration error
(no credentials included).`

export interface CliOptions {
  readonly inputs: ReadonlyArray<string>
  readonly bucket: string
  /** Empty, or ending with "/". */
  readonly prefix: string
  readonly concurrency: number
  readonly partSize: number
  readonly endpoint: string | undefined
  readonly pathStyle: boolean
  readonly region: string | undefined
  readonly profile: string | undefined
  readonly dryRun: boolean
  readonly json: boolean
  readonly verbose: boolean
}

export type Parsed =
  | { readonly _tag: "Run"; readonly options: CliOptions }
  | { readonly _tag: "Help" }
  | { readonly _tag: "Invalid"; readonly message: string }

const invalid = (message: string): Parsed => ({ _tag: "Invalid", message })

const OPTIONS = {
  concurrency: { type: "string" },
  "part-size": { type: "string" },
  endpoint: { type: "string" },
  "path-style": { type: "boolean" },
  region: { type: "string" },
  profile: { type: "string" },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" }
} as const

/** `s3://bucket[/prefix]` → bucket and a prefix that is empty or ends with "/". */
export const parseDestination = (text: string): { bucket: string; prefix: string } | string => {
  if (!text.startsWith(S3_SCHEME))
    return `the last argument must be the destination s3://bucket[/prefix], got "${text}"`
  const rest = text.slice(S3_SCHEME.length)
  const slash = rest.indexOf("/")
  const bucket = slash === -1 ? rest : rest.slice(0, slash)
  if (!/^[A-Za-z0-9._-]+$/.test(bucket)) return `"${text}" names no valid bucket`
  const prefix = slash === -1 ? "" : rest.slice(slash + 1).replace(/^\/+/, "")
  return { bucket, prefix: prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/` }
}

const positiveInt = (name: string, text: string | undefined, fallback: number, min: number, max: number) => {
  if (text === undefined) return fallback
  const value = Number(text)
  return Number.isInteger(value) && value >= min && value <= max
    ? value
    : `--${name} takes a whole number from ${min} to ${max}, got "${text}"`
}

const validEndpoint = (text: string | undefined): string | undefined | { error: string } => {
  if (text === undefined) return undefined
  const url = URL.parse(text)
  return url !== null && (url.protocol === "http:" || url.protocol === "https:")
    ? text
    : { error: `--endpoint takes an http:// or https:// URL, got "${text}"` }
}

/** Parses the arguments after `node cli.mjs`. */
export const parse = (argv: ReadonlyArray<string>): Parsed => {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
  } catch (error) {
    return invalid((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help === true) return { _tag: "Help" }
  if (positionals.length < 2) return invalid("give at least one file or directory and the destination s3://bucket")

  const destination = parseDestination(positionals[positionals.length - 1] ?? "")
  if (typeof destination === "string") return invalid(destination)
  const concurrency = positiveInt("concurrency", values.concurrency, 4, 1, MAX_CONCURRENCY)
  if (typeof concurrency === "string") return invalid(concurrency)
  const partMiB = positiveInt("part-size", values["part-size"], MIN_PART_MIB, MIN_PART_MIB, 5 * 1024)
  if (typeof partMiB === "string") return invalid(partMiB)
  const endpoint = validEndpoint(values.endpoint)
  if (typeof endpoint === "object") return invalid(endpoint.error)
  const blank = (text: string | undefined) => (text === undefined || text.trim() === "" ? undefined : text.trim())

  return {
    _tag: "Run",
    options: {
      inputs: positionals.slice(0, -1),
      bucket: destination.bucket,
      prefix: destination.prefix,
      concurrency,
      partSize: partMiB * MIB,
      endpoint,
      pathStyle: values["path-style"] === true,
      region: blank(values.region),
      profile: blank(values.profile),
      dryRun: values["dry-run"] === true,
      json: values.json === true,
      verbose: values.verbose === true
    }
  }
}
