/**
 * EC2: an IMDSv2-only instance metadata emulator with a role the uploader must discover. Credentials live three
 * seconds (a new set after one), and once the first object is stored the demo renames the role: the uploader keeps
 * going on rotated credentials under the new name.
 */
import { ImdsEmulator } from "@credkit/testing"

import { checkUploadRun, credentialLine } from "./check.js"
import type { DemoContext } from "./context.js"
import { baseEnv, makeHome } from "./environment.js"
import type { Row } from "./table.js"
import { firstUpload, mark, since, startUploader } from "./uploader.js"

const ROLE = "credkit-demo-instance"
const RENAMED = "credkit-demo-instance-renamed"
const PREFIX = "ec2/"

export const runEc2 = async (ctx: DemoContext): Promise<Row> => {
  const imds = await ImdsEmulator.start({ roleName: ROLE, lifetime: 3_000, rotateBefore: 2_000, mode: "v2-only" })
  const unwatch = ctx.issued.watch(imds.control)
  try {
    ctx.log(`IMDS emulator at ${imds.url} (IMDSv2 only, role "${ROLE}", credentials live 3 s)`)
    const home = await makeHome(ctx.work, "ec2-home")
    const env = baseEnv(home, { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url })
    const from = mark(ctx.s3)
    const child = startUploader({
      app: ctx.app,
      s3: ctx.s3,
      env,
      inputs: [`${ctx.tree}/packages`, ctx.largeFile],
      destination: `s3://${ctx.bucket}/${PREFIX}`
    })
    const renamed = await firstUpload(ctx.s3, from, child)
    if (renamed) imds.control.renameRole(RENAMED)
    const result = await child.done
    const observed = since(ctx.s3, from)
    const rediscovered = imds.control.requests().some((r) => r.path.endsWith(`/${RENAMED}`) && r.status === 200)

    ctx.log(`credentials: ${credentialLine(result)}`)
    ctx.log(
      `role renamed to "${RENAMED}" after the first object; ${rediscovered ? "rediscovered by the uploader" : "not fetched again"}; ` +
        `${observed.keys} access keys signed the uploads`
    )
    const failures = [
      ...(renamed ? [] : ["the upload ended before the role could be renamed"]),
      ...(rediscovered ? [] : ["the uploader never fetched credentials under the renamed role"]),
      ...(observed.keys > 1 ? [] : ["the credentials did not rotate during the upload"])
    ]
    return await checkUploadRun(ctx, { environment: "EC2", prefix: PREFIX, result, observed, failures })
  } finally {
    unwatch()
    await imds.close()
  }
}
