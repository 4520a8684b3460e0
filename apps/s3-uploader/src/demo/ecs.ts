/**
 * ECS / EKS: a container credentials endpoint with an authorization token in a file (EKS Pod Identity style),
 * credentials living three seconds. Once the first object is stored the demo rotates the token; the uploader re-reads
 * the file on its next fetch.
 */
import * as Path from "node:path"

import { ContainerEmulator } from "@credkit/testing"

import { checkUploadRun, credentialLine } from "./check.js"
import type { DemoContext } from "./context.js"
import { baseEnv, makeHome } from "./environment.js"
import type { Row } from "./table.js"
import { firstUpload, mark, since, startUploader } from "./uploader.js"

const PREFIX = "ecs/"

export const runEcs = async (ctx: DemoContext): Promise<Row> => {
  const tokenFile = Path.join(ctx.work, "eks-pod-identity-token")
  const endpoint = await ContainerEmulator.start({ tokenFile, lifetime: 3_000, rotateBefore: 2_000 })
  const unwatch = ctx.issued.watch(endpoint.control)
  try {
    ctx.log(`container endpoint at ${endpoint.url} (token in ${Path.basename(tokenFile)}, credentials live 3 s)`)
    const home = await makeHome(ctx.work, "ecs-home")
    const env = baseEnv(home, {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile
    })
    const from = mark(ctx.s3)
    const child = startUploader({
      app: ctx.app,
      s3: ctx.s3,
      env,
      inputs: [`${ctx.tree}/packages`, ctx.largeFile],
      destination: `s3://${ctx.bucket}/${PREFIX}`
    })
    const rotated = await firstUpload(ctx.s3, from, child)
    const rotatedAt = endpoint.control.requests().length
    if (rotated) endpoint.control.rotateToken()
    const result = await child.done
    const observed = since(ctx.s3, from)
    const after = endpoint.control.requests().slice(rotatedAt)
    const fetchedAfter = after.filter((r) => r.status === 200).length
    const refused = endpoint.control.requests().filter((r) => r.status === 401).length

    ctx.log(`credentials: ${credentialLine(result)}`)
    ctx.log(
      `token rotated after the first object; ${fetchedAfter} fetches with the new token; ${observed.keys} access keys signed the uploads`
    )
    const failures = [
      ...(rotated ? [] : ["the upload ended before the token could be rotated"]),
      ...(fetchedAfter > 0 ? [] : ["the uploader never fetched credentials with the rotated token"]),
      ...(refused === 0 ? [] : [`the container endpoint refused ${refused} requests (stale token)`])
    ]
    return await checkUploadRun(ctx, { environment: "ECS / EKS", prefix: PREFIX, result, observed, failures })
  } finally {
    unwatch()
    await endpoint.close()
  }
}
