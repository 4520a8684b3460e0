/**
 * Lambda: the bundled handler (dist/lambda/handler.mjs) imported by a plain `node` child whose only credentials are
 * Lambda-style environment variables (session keys registered with the local S3 endpoint). Each event is stored
 * as an object; the demo reads every object back and compares its SHA-256 with the event it sent.
 */
import { createHash, randomBytes } from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { GetObjectCommand } from "@aws-sdk/client-s3"

import { runNode } from "./child.js"
import type { DemoContext } from "./context.js"
import { baseEnv, makeHome } from "./environment.js"
import { handlerBundlePath } from "./paths.js"
import type { Row } from "./table.js"
import { mark, since } from "./uploader.js"

const PREFIX = "lambda/"

/** Lambda-style session credentials: an `ASIA` key, a secret and a token, valid for an hour. */
export const lambdaCredentials = () => ({
  accessKeyId: `ASIA${randomBytes(8).toString("hex").toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString("base64"),
  sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(200).toString("base64")}`,
  expiration: new Date(Date.now() + 60 * 60_000)
})

/** The environment Lambda gives a Node.js function, with the uploader's settings. */
export const lambdaEnv = (
  credentials: ReturnType<typeof lambdaCredentials>,
  settings: { readonly bucket: string; readonly prefix: string; readonly endpoint: string }
) => ({
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_SESSION_TOKEN: credentials.sessionToken,
  AWS_LAMBDA_FUNCTION_NAME: "credkit-demo-uploader",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
  AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
  UPLOAD_BUCKET: settings.bucket,
  UPLOAD_PREFIX: settings.prefix,
  S3_ENDPOINT: settings.endpoint
})

/** A child script: imports the handler, invokes it once per event in a JSON file, prints the results as JSON. */
export const INVOKE_SCRIPT = `
import { randomUUID } from "node:crypto"
import { readFileSync } from "node:fs"
import { pathToFileURL } from "node:url"
const [bundle, eventsFile] = process.argv.slice(1)
const { handler } = await import(pathToFileURL(bundle).href)
const results = []
for (const event of JSON.parse(readFileSync(eventsFile, "utf8"))) {
  results.push(await handler(event, { awsRequestId: randomUUID() }))
}
console.log(JSON.stringify(results))
`

export interface Stored {
  readonly bucket: string
  readonly key: string
  readonly bytes: number
  readonly sha256: string
  readonly credentialsSource: string
}

const EVENTS = [
  { source: "aws.events", "detail-type": "Scheduled Event", time: "2025-01-01T00:00:00Z", detail: {} },
  { httpMethod: "POST", path: "/orders", body: JSON.stringify({ id: 42, items: ["a", "b"] }) },
  { Records: [{ eventSource: "aws:sqs", body: randomBytes(96 * 1024).toString("base64") }] }
]

export const runLambda = async (ctx: DemoContext): Promise<Row> => {
  const credentials = lambdaCredentials()
  ctx.s3.keys.add(credentials)
  const home = await makeHome(ctx.work, "lambda-home")
  const env = baseEnv(home, lambdaEnv(credentials, { bucket: ctx.bucket, prefix: PREFIX, endpoint: ctx.s3.url }))
  ctx.log(
    `handler bundle ${handlerBundlePath(ctx.app).slice(ctx.app.length + 1)}, environment credentials (key …${credentials.accessKeyId.slice(-4)})`
  )

  const eventsFile = Path.join(ctx.work, "lambda-events.json")
  await Fs.writeFile(eventsFile, JSON.stringify(EVENTS))
  const from = mark(ctx.s3)
  const result = await runNode(
    ["--input-type=module", "-e", INVOKE_SCRIPT, handlerBundlePath(ctx.app), eventsFile],
    env,
    { timeoutMs: 60_000 }
  )
  const observed = since(ctx.s3, from)
  const failures: Array<string> = []
  let stored: ReadonlyArray<Stored> = []
  if (result.code !== 0)
    failures.push(
      `the handler child exited with ${result.code}: ${result.stderr.trim().split("\n").slice(-2).join(" | ")}`
    )
  else stored = JSON.parse(result.stdout) as ReadonlyArray<Stored>

  let verified = 0
  for (const [index, object] of stored.entries()) {
    const answer = await ctx.inspector.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }))
    const body = await answer.Body?.transformToByteArray()
    const hex = createHash("sha256")
      .update(body ?? new Uint8Array())
      .digest("hex")
    const sent = createHash("sha256").update(JSON.stringify(EVENTS[index])).digest("hex")
    if (hex === object.sha256 && hex === sent) verified++
    else failures.push(`${object.key}: the stored object does not match event ${index + 1}`)
  }
  if (stored.length !== EVENTS.length) failures.push(`${stored.length} of ${EVENTS.length} events stored`)
  if (observed.rejected > 0) failures.push(`the local S3 endpoint rejected ${observed.rejected} requests`)
  ctx.log(`${verified} of ${EVENTS.length} invocations stored and read back`)
  return {
    environment: "Lambda",
    source: [...new Set(stored.map((object) => object.credentialsSource))].join(", ") || "-",
    objects: verified,
    bytes: stored.reduce((sum, object) => sum + object.bytes, 0),
    seconds: result.millis / 1000,
    keys: observed.keys,
    verified: failures.length === 0,
    failures
  }
}
