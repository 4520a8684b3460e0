/**
 * Loopback stand-ins (all on 127.0.0.1): a TCP blackhole that accepts and never answers, an STS stand-in answering
 * AssumeRole with fixed credentials, and the emulators of @credkit/testing tied to a scope. Plus the small test
 * fixtures: a temporary home with profile files, an injected environment, a log capture.
 */
import * as fs from "node:fs"
import * as http from "node:http"
import * as Net from "node:net"
import * as path from "node:path"

import { HttpTransport } from "@credkit/core"
import { ContainerEmulator, ImdsEmulator } from "@credkit/testing"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"

import { tempDir } from "./scenario.js"

/** Fixture secrets that must never appear in any output. */
export const SECRETS = {
  secretAccessKey: "fixture-secret-wJalrXUtnFEMI-K7MDENG-credentials",
  sessionToken: "fixture-session-token-IQoJb3JpZ2luX2VjEXAMPLE-credentials",
  containerToken: "fixture-container-token-4f1d2c-credentials"
} as const

const listening = (server: Net.Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as Net.AddressInfo).port)))

/** A TCP server that accepts connections and never answers; it counts them. Plain promises for Promise tests. */
export const startBlackhole = async () => {
  const sockets = new Set<Net.Socket>()
  let connections = 0
  const server = Net.createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  const port = await listening(server)
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

/** The blackhole for the test's scope. */
export const blackhole = Effect.acquireRelease(Effect.promise(startBlackhole), (hole) => Effect.promise(hole.close))

/** An IMDS emulator for the test's scope. */
export const imdsEmulator = (options: ImdsEmulator.Options = {}) =>
  Effect.acquireRelease(
    Effect.promise(() => ImdsEmulator.start(options)),
    (emu) => Effect.promise(() => emu.close())
  )

/** A container endpoint emulator for the test's scope. */
export const containerEmulator = (options: ContainerEmulator.Options = {}) =>
  Effect.acquireRelease(
    Effect.promise(() => ContainerEmulator.start(options)),
    (emu) => Effect.promise(() => emu.close())
  )

/** One AssumeRole call the STS stand-in saw. */
export interface StsCall {
  readonly path: string
  readonly action: string | undefined
  readonly roleArn: string | undefined
}

/** Role credentials the stand-in hands out, with the account of its assumed-role ARN. */
export const ROLE = {
  accessKeyId: "ASIAROLESTANDIN00001",
  account: "111122223333"
} as const

const assumeRoleXml = (roleArn: string) =>
  `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>` +
  `<AccessKeyId>${ROLE.accessKeyId}</AccessKeyId><SecretAccessKey>${SECRETS.secretAccessKey}</SecretAccessKey>` +
  `<SessionToken>${SECRETS.sessionToken}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>` +
  `<AssumedRoleUser><Arn>arn:aws:sts::${ROLE.account}:assumed-role/${roleArn.split("/").at(-1)}/session</Arn>` +
  `<AssumedRoleId>AROASTANDIN:session</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>` +
  `<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></AssumeRoleResponse>`

/** A loopback STS that answers every AssumeRole with the `ROLE` credentials and records the calls. */
export const startStsStandIn = async () => {
  const calls: Array<StsCall> = []
  const server = http.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString("utf8"))
      const roleArn = params.get("RoleArn") ?? ""
      calls.push({ path: request.url ?? "", action: params.get("Action") ?? undefined, roleArn })
      response.setHeader("content-type", "text/xml")
      response.end(assumeRoleXml(roleArn))
    })
  })
  const port = await listening(server)
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** Writes `<home>/.aws/config` and `<home>/.aws/credentials` (only those given). */
export const writeAwsFiles = (home: string, files: { readonly config?: string; readonly credentials?: string }) => {
  fs.mkdirSync(path.join(home, ".aws"), { recursive: true })
  if (files.config !== undefined) fs.writeFileSync(path.join(home, ".aws", "config"), files.config)
  if (files.credentials !== undefined) fs.writeFileSync(path.join(home, ".aws", "credentials"), files.credentials)
}

/** A temporary home with the given profile files, for the test's scope. */
export const homeWith = (files: { readonly config?: string; readonly credentials?: string }) =>
  Effect.map(tempDir, (home) => {
    writeAwsFiles(home, files)
    return home
  })

// The metadata transport of a test: node:http as usual, but a request for anything other than 127.0.0.1 (the AWS
// metadata addresses a misconfigured test would fall back to) kills the test instead of leaving the machine.
const loopbackOnly = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(HttpTransport.HttpTransport, (real) =>
    Effect.provideService(self, HttpTransport.HttpTransport, {
      request: (request) =>
        new URL(request.url).hostname === "127.0.0.1"
          ? real.request(request)
          : Effect.die(new Error(`a test asked for ${request.url}; only 127.0.0.1 may be dialled`))
    })
  )

/** Runs with exactly this environment (never the real one), dialling 127.0.0.1 only. */
export const withEnv =
  (env: Record<string, string>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    loopbackOnly(Effect.provideService(self, ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env)))

/** Every log line (JSON, with annotations and cause), Debug and up, of the effects the layer is provided to. */
export const captureLogs = () => {
  const lines: Array<string> = []
  const layer = Layer.merge(
    Logger.layer([
      Logger.map(Logger.formatJson, (line) => {
        lines.push(line)
      })
    ]),
    Layer.succeed(References.MinimumLogLevel, "Debug")
  )
  return { lines, layer, warnings: () => lines.filter((line) => line.includes('"level":"WARN"')) }
}
