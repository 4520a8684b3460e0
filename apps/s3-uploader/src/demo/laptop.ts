/**
 * Laptop: a temporary home directory whose config names a profile that assumes a role from a source profile with
 * static keys. STS is a loopback stand-in that checks the signature of the source keys and issues fresh session
 * credentials, registered with the local S3 endpoint as they are issued.
 */
import { randomBytes } from "node:crypto"
import * as Fs from "node:fs/promises"

import { checkUploadRun, credentialLine } from "./check.js"
import type { DemoContext } from "./context.js"
import { baseEnv, type Home, makeHome } from "./environment.js"
import { startStsStandIn } from "./sts.js"
import type { Row } from "./table.js"
import { mark, since, startUploader } from "./uploader.js"

const PREFIX = "laptop/"
export const LAPTOP_PROFILE = "demo-admin"
const SOURCE_PROFILE = "demo-base"

/** Static keys of the source profile. */
export const sourceKeys = () => ({
  accessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString("base64")
})

/** Writes `~/.aws/config` (the role profile) and `~/.aws/credentials` (the source profile's keys). */
export const writeProfiles = async (home: Home, keys: ReturnType<typeof sourceKeys>): Promise<void> => {
  await Fs.writeFile(
    home.configFile,
    [
      `[profile ${LAPTOP_PROFILE}]`,
      "role_arn = arn:aws:iam::123456789012:role/demo",
      `source_profile = ${SOURCE_PROFILE}`,
      "role_session_name = laptop-demo",
      "region = us-east-1",
      "",
      `[profile ${SOURCE_PROFILE}]`,
      "region = us-east-1",
      ""
    ].join("\n")
  )
  await Fs.writeFile(
    home.credentialsFile,
    [
      `[${SOURCE_PROFILE}]`,
      `aws_access_key_id = ${keys.accessKeyId}`,
      `aws_secret_access_key = ${keys.secretAccessKey}`,
      ""
    ].join("\n"),
    { mode: 0o600 }
  )
}

export const runLaptop = async (ctx: DemoContext): Promise<Row> => {
  const keys = sourceKeys()
  const sts = await startStsStandIn({
    callers: new Map([[keys.accessKeyId, keys.secretAccessKey]]),
    onIssue: (issued) => ctx.s3.keys.add(issued)
  })
  try {
    const home = await makeHome(ctx.work, "laptop-home")
    await writeProfiles(home, keys)
    ctx.log(
      `profile "${LAPTOP_PROFILE}" assumes arn:aws:iam::123456789012:role/demo via the STS stand-in at ${sts.url}`
    )
    const env = baseEnv(home, { AWS_ENDPOINT_URL_STS: sts.url })
    const from = mark(ctx.s3)
    const result = await startUploader({
      app: ctx.app,
      s3: ctx.s3,
      env,
      inputs: [`${ctx.tree}/packages`, ctx.largeFile],
      destination: `s3://${ctx.bucket}/${PREFIX}`,
      args: ["--profile", LAPTOP_PROFILE]
    }).done
    const observed = since(ctx.s3, from)
    ctx.log(
      `credentials: ${credentialLine(result)}; STS issued ${sts.issued()} sets, refused ${sts.refused()} requests`
    )
    const failures = [
      ...(sts.issued() > 0 ? [] : ["STS issued no credentials"]),
      ...(sts.refused() === 0 ? [] : [`STS refused ${sts.refused()} requests`])
    ]
    return await checkUploadRun(ctx, { environment: "Laptop", prefix: PREFIX, result, observed, failures })
  } finally {
    await sts.close()
  }
}
