/**
 * The demo: starts the local S3 endpoint and the credential emulators on 127.0.0.1, then runs the uploader (the
 * built CLI, as a child process) in four environments one after another, EC2, ECS / EKS, Lambda (the bundled
 * handler) and a laptop profile that assumes a role, and ends with a table. It never reads the developer's AWS
 * configuration, removes every temporary file and process it made, and exits 1 when any row is not verified.
 */
import { existsSync } from "node:fs"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"

import { startLocalS3 } from "../localS3/index.js"
import { killAll } from "./child.js"
import { type DemoContext, makeInspector, stageSources, writeLargeFile } from "./context.js"
import { runEc2 } from "./ec2.js"
import { runEcs } from "./ecs.js"
import { makeWorkDir } from "./environment.js"
import { makeIssuedKeys } from "./issued.js"
import { runLambda } from "./lambda.js"
import { runLaptop } from "./laptop.js"
import { appDir, cliPath, handlerBundlePath, repoRoot } from "./paths.js"
import { type Row, render } from "./table.js"

const BUCKET = "credkit-demo"

const SCENARIOS: ReadonlyArray<readonly [string, string, (ctx: DemoContext) => Promise<Row>]> = [
  ["EC2", "instance metadata (IMDSv2), role discovered, renamed and rotating mid-run", runEc2],
  ["ECS / EKS", "container endpoint with a rotating authorization token file", runEcs],
  ["Lambda", "the bundled handler with environment credentials", runLambda],
  ["Laptop", "a profile assuming a role through STS", runLaptop]
]

const failedRow = (environment: string, error: unknown): Row => ({
  environment,
  source: "-",
  objects: 0,
  bytes: 0,
  seconds: 0,
  keys: 0,
  verified: false,
  failures: [error instanceof Error ? error.message : String(error)]
})

const main = async (): Promise<number> => {
  const startedAt = performance.now()
  const app = appDir()
  for (const built of [cliPath(app), handlerBundlePath(app)]) {
    if (!existsSync(built)) {
      console.error(`demo: ${Path.relative(app, built)} is missing; build the app first (npm run demo does)`)
      return 2
    }
  }
  const work = await makeWorkDir("credkit-demo")
  const issued = makeIssuedKeys()
  const cleanups: Array<() => Promise<void> | void> = [() => Fs.rm(work, { recursive: true, force: true }), issued.stop]
  const cleanup = async () => {
    killAll()
    for (const step of cleanups.splice(0).reverse()) await step()
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(130)))
  }

  try {
    const s3 = await startLocalS3({ buckets: [BUCKET], resolveUnknown: issued.resolveUnknown })
    cleanups.push(s3.close)
    const inspector = makeInspector(s3)
    cleanups.push(() => inspector.destroy())
    const tree = Path.join(work, "tree")
    const staged = await stageSources(repoRoot(app), tree)
    const largeFile = Path.join(work, "payload-12MiB.bin")
    await writeLargeFile(largeFile)
    console.log(`local S3 endpoint at ${s3.url} (bucket "${BUCKET}", SigV4 checked against issued credentials)`)
    console.log(`upload set: ${staged} files from packages/*/src and README.md, plus a 12 MiB file (multipart)\n`)

    const ctx: DemoContext = {
      app,
      work,
      s3,
      issued,
      bucket: BUCKET,
      tree,
      largeFile,
      fileCount: staged + 1,
      inspector,
      log: (line) => console.log(`      ${line}`)
    }
    const rows: Array<Row> = []
    for (const [index, [name, what, run]] of SCENARIOS.entries()) {
      console.log(`[${index + 1}/${SCENARIOS.length}] ${name}: ${what}`)
      const row = await run(ctx).catch((error: unknown) => failedRow(name, error))
      for (const failure of row.failures) ctx.log(`FAILED: ${failure}`)
      console.log("")
      rows.push(row)
    }

    for (const line of render(rows, { color: process.stdout.isTTY === true && process.env.NO_COLOR === undefined }))
      console.log(line)
    const ok = rows.every((row) => row.verified)
    console.log(
      `\n${ok ? "all environments uploaded and verified" : "some environments failed"}; ` +
        `local S3 accepted ${s3.stats.accepted} requests, rejected ${s3.stats.rejected}; ` +
        `demo took ${((performance.now() - startedAt) / 1000).toFixed(1)} s`
    )
    return ok ? 0 : 1
  } finally {
    await cleanup()
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error("demo failed:", error)
    process.exitCode = 1
  }
)
