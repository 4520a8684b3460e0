/**
 * 1,000 concurrent cold calls through the IMDS provider alone (`fromInstanceMetadata()` of each SDK). The IMDS
 * emulator runs in the harness's process (so it keeps up with the burst) and counts the requests; this script
 * reports how many calls resolved and how many distinct credentials they got.
 *
 * Usage: node concurrent-cold.ts <credkit|aws> [calls]   (AWS_EC2_METADATA_SERVICE_ENDPOINT set by the harness)
 */
import { emit, instanceMetadata, sideOf } from "./shared.ts"

const side = sideOf(process.argv[2])
const calls = Number(process.argv[3] ?? "1000")
const provider = await instanceMetadata(side)

const results = await Promise.allSettled(Array.from({ length: calls }, () => provider()))
const resolved = results.flatMap((result) => (result.status === "fulfilled" ? [result.value.accessKeyId] : []))
emit({ resolved: resolved.length, distinctKeys: new Set(resolved).size })
