/**
 * A bounded soak under rotation: the IMDS and container emulators issue credentials that live 20 s, many concurrent
 * callers sign real S3 requests (PutObject, GetObject) with `fromInstanceMetadata` and `fromContainerMetadata`
 * against the local S3 endpoint, which verifies every signature and refuses expired credentials. It asserts that
 * no request is refused, that each provider fetches about once per rotation, that the heap after GC does not grow
 * and that no handle is left open.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { fromInstanceMetadata } from "@credkit/ec2"
import { fromContainerMetadata } from "@credkit/ecs"
import { startLocalS3 } from "@credkit/s3-uploader/localS3"
import { ContainerEmulator, ImdsEmulator } from "@credkit/testing"
import { afterEach, assert, describe, it, vi } from "@effect/vitest"

import { sdkLogger } from "./support/secrets.js"

const BUCKET = "soak"
const SOAK_MS = 30_000
const WORKERS_PER_PROVIDER = 8
// Credentials live 20 s. The cache refreshes them halfway (its advisory window is capped at half the lifetime);
// the emulators hand out a new set once less than 12 s are left, so every refresh finds a new set: one fetch per
// rotation, plus the cold fetch.
const LIFETIME_MS = 20_000
const ROTATE_BEFORE_MS = 12_000
const CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials-extended/credkit-role"
// heapUsed after GC at the end may exceed the start by this much: the S3 SDK's and s3rver's lazy caches and the
// local S3's request log (capped at 10,000 entries), not per-request growth.
const HEAP_GROWTH_BOUND = 16 * 1024 * 1024

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc
  assert.isFunction(collect, "the suite runs node with --expose-gc")
  collect?.()
  collect?.()
}

const heapAfterGc = (): number => {
  gc()
  return process.memoryUsage().heapUsed
}

// Handles by type, without the ones the test runner holds for itself.
const handles = (): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1
  return counts
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

afterEach(() => {
  vi.unstubAllEnvs()
})

describe("Soak", () => {
  it("signs every request with valid credentials while they rotate every few seconds", async () => {
    const handlesBefore = handles()
    const imds = await ImdsEmulator.start({ lifetime: LIFETIME_MS, rotateBefore: ROTATE_BEFORE_MS })
    const container = await ContainerEmulator.start({
      lifetime: LIFETIME_MS,
      rotateBefore: ROTATE_BEFORE_MS,
      token: "soak-container-token"
    })
    // The local S3 accepts exactly what the emulators issued, until each set's expiration.
    const issued = new Map<
      string,
      { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date }
    >()
    const remember = () => {
      for (const set of [imds.control.current(), container.control.current()]) issued.set(set.accessKeyId, set)
    }
    const s3 = await startLocalS3({
      buckets: [BUCKET],
      resolveUnknown: (accessKeyId) => {
        if (!issued.has(accessKeyId)) remember()
        return issued.get(accessKeyId)
      }
    })
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "false")
    vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url)
    vi.stubEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "soak-container-token")

    const logs = sdkLogger()
    const clientFor = (credentials: S3Client["config"]["credentials"] | ReturnType<typeof fromInstanceMetadata>) =>
      new S3Client({ endpoint: s3.url, forcePathStyle: true, region: "us-east-1", credentials })
    const clients = [
      { name: "imds", client: clientFor(fromInstanceMetadata({ endpoint: imds.url, logger: logs.logger })) },
      { name: "container", client: clientFor(fromContainerMetadata({ logger: logs.logger })) }
    ]

    const seenKeys = { imds: new Set<string>(), container: new Set<string>() }
    let operations = 0
    let heapStart = 0
    const started = Date.now()
    const worker = async (name: "imds" | "container", client: S3Client, id: number) => {
      for (let round = 0; Date.now() - started < SOAK_MS; round++) {
        const key = `${name}/${id}/${round % 4}`
        const body = `${name} worker ${id} round ${round}`
        await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }))
        const answer = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
        assert.strictEqual(await answer.Body?.transformToString(), body)
        const identity = await client.config.credentials()
        seenKeys[name].add(identity.accessKeyId)
        operations += 2
      }
    }
    const sampler = (async () => {
      await sleep(3_000)
      heapStart = heapAfterGc()
    })()
    await Promise.all([
      sampler,
      ...clients.flatMap(({ name, client }) =>
        Array.from({ length: WORKERS_PER_PROVIDER }, (_, id) => worker(name as "imds" | "container", client, id))
      )
    ])
    const heapEnd = heapAfterGc()

    const credentialGets = {
      imds: imds.control.requests().filter((request) => request.path === CREDENTIALS_PATH).length,
      container: container.control.requests().length
    }
    const rejected = { count: s3.stats.rejected, byCode: s3.stats.rejectedByCode, accepted: s3.stats.accepted }

    for (const { client } of clients) client.destroy()
    await Promise.all([s3.close(), imds.close(), container.close()])
    await sleep(200)
    const handlesAfter = handles()

    assert.isAbove(operations, 200, "the soak did real work")
    assert.deepStrictEqual(rejected.byCode, {}, "no request was refused")
    assert.strictEqual(rejected.count, 0)
    assert.isAtLeast(rejected.accepted, operations)
    for (const name of ["imds", "container"] as const) {
      // At least three rotations were lived through, and each provider fetched about once per rotation: the cold
      // fetch is one of the sets, and one refresh that lands just before the emulator rotates (Expiration is cut to
      // whole seconds) may return the same set once more.
      assert.isAtLeast(seenKeys[name].size, 3, `${name} rotated`)
      assert.isAtMost(credentialGets[name], seenKeys[name].size + 2, `${name} fetched about once per rotation`)
      assert.isAtLeast(credentialGets[name], seenKeys[name].size)
    }
    assert.isAtMost(heapEnd - heapStart, HEAP_GROWTH_BOUND, `heap grew from ${heapStart} to ${heapEnd}`)
    for (const [type, count] of Object.entries(handlesAfter)) {
      assert.isAtMost(count, handlesBefore[type] ?? 0, `${type} handles left open`)
    }
    assert.deepStrictEqual(
      logs.lines.filter((line) => line.startsWith("warn") || line.startsWith("error")),
      [],
      "no warning during the soak"
    )
    console.log(
      `soak: ${operations} S3 operations in ${SOAK_MS / 1000} s, 0 refused; credential fetches imds ${credentialGets.imds} ` +
        `(${seenKeys.imds.size} sets), container ${credentialGets.container} (${seenKeys.container.size} sets); ` +
        `heap after GC ${(heapStart / 1e6).toFixed(1)} → ${(heapEnd / 1e6).toFixed(1)} MB`
    )
  })
})
