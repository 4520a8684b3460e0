/**
 * A loopback stand-in for STS (node:http on 127.0.0.1): answers AssumeRole with credentials per role ARN, or an
 * error document, and records each call with the access key id that signed it.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"

import * as Effect from "effect/Effect"

export interface StsCall {
  readonly path: string
  readonly params: Readonly<Record<string, string>>
  /** The access key id of the SigV4 `Credential=` scope. */
  readonly signedWith: string | undefined
  readonly sessionTokenHeader: string | undefined
}

export interface RoleCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
  readonly expiration?: string
  readonly account?: string
}

export interface StsError {
  readonly status: number
  readonly code: string
  readonly message: string
}

export interface StandIn {
  readonly url: string
  readonly calls: Array<StsCall>
}

const xmlResponse = (roleArn: string, credentials: RoleCredentials, sessionName: string): string => {
  const role = roleArn.split("/").at(-1)
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${credentials.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>
      <SessionToken>${credentials.sessionToken}</SessionToken>
      <Expiration>${credentials.expiration ?? "2030-01-01T00:00:00Z"}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${credentials.account ?? "123456789012"}:assumed-role/${role}/${sessionName}</Arn>
      <AssumedRoleId>AROATESTROLEID:${sessionName}</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</AssumeRoleResponse>`
}

const xmlError = (error: StsError): string =>
  `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${error.code}</Code>` +
  `<Message>${error.message}</Message></Error><RequestId>00000000-0000-0000-0000-000000000001</RequestId></ErrorResponse>`

/**
 * Starts the stand-in for the test's scope. `answer` decides per call: credentials, or an error document; by
 * default an unknown role is denied.
 */
export const startStsStandIn = (
  roles: Readonly<Record<string, RoleCredentials>>,
  answer?: (call: StsCall) => StsError | undefined
) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{ readonly server: http.Server; readonly standIn: StandIn }>((resolve) => {
          const calls: Array<StsCall> = []
          const server = http.createServer((request, response) => {
            const chunks: Array<Buffer> = []
            request.on("data", (chunk: Buffer) => chunks.push(chunk))
            request.on("end", () => {
              const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")))
              const signedWith = /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ""))?.[1]
              const token = request.headers["x-amz-security-token"]
              const call: StsCall = {
                path: request.url ?? "",
                params,
                signedWith,
                sessionTokenHeader: typeof token === "string" ? token : undefined
              }
              calls.push(call)
              const roleArn = params.RoleArn ?? ""
              const credentials = roles[roleArn]
              const error =
                answer?.(call) ??
                (credentials === undefined
                  ? {
                      status: 403,
                      code: "AccessDenied",
                      message: `not authorized to perform sts:AssumeRole on ${roleArn}`
                    }
                  : undefined)
              response.setHeader("content-type", "text/xml")
              if (error !== undefined || credentials === undefined) {
                response.statusCode = error?.status ?? 403
                response.end(xmlError(error ?? { status: 403, code: "AccessDenied", message: "denied" }))
                return
              }
              response.end(xmlResponse(roleArn, credentials, params.RoleSessionName ?? "session"))
            })
          })
          server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo
            resolve({ server, standIn: { url: `http://127.0.0.1:${port}`, calls } })
          })
        })
    ),
    ({ server }) =>
      Effect.promise(
        () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections()
            server.close(() => resolve())
          })
      )
  ).pipe(Effect.map(({ standIn }) => standIn))
