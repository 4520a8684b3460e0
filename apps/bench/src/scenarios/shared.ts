/**
 * What the scenario scripts share: the side under test, each side's providers (imported only for that side), the
 * fixed credential set the emulator serves, the fetch counter and the one-line JSON result a scenario prints.
 */
import type { ImdsEmulator } from "@credkit/testing"

export type Side = "credkit" | "aws"

/** The common shape of both SDKs' Promise providers, as the scenarios call them. */
export type Provider = (props?: { readonly forceRefresh?: boolean }) => Promise<{
  readonly accessKeyId: string
  readonly expiration?: Date | undefined
}>

export const sideOf = (argument: string | undefined): Side => {
  if (argument === "credkit" || argument === "aws") return argument
  throw new Error(`expected "credkit" or "aws" as the first argument, got ${String(argument)}`)
}

/** The default chain: credkit's `fromDefaultChain()` or the AWS SDK's `defaultProvider()`. */
export const defaultChain = async (side: Side): Promise<Provider> =>
  side === "credkit"
    ? (await import("@credkit/credentials")).fromDefaultChain()
    : (await import("@aws-sdk/credential-provider-node")).defaultProvider()

/** The IMDS provider alone: `@credkit/ec2` or `@smithy/credential-provider-imds`. */
export const instanceMetadata = async (side: Side): Promise<Provider> =>
  side === "credkit"
    ? (await import("@credkit/ec2")).fromInstanceMetadata()
    : (await import("@smithy/credential-provider-imds")).fromInstanceMetadata()

// Both SDKs read the IMDS endpoint from these variables (AWS SDKs and Tools reference guide, "IMDS client").
const ENDPOINT_VARIABLE = "AWS_EC2_METADATA_SERVICE_ENDPOINT"
const DISABLED_VARIABLE = "AWS_EC2_METADATA_DISABLED"

/** Points both SDKs at a loopback IMDS started by the scenario itself. */
export const useImds = (url: string): void => {
  if (!url.startsWith("http://127.0.0.1:")) throw new Error(`refusing a non-loopback IMDS endpoint: ${url}`)
  process.env[ENDPOINT_VARIABLE] = url
  process.env[DISABLED_VARIABLE] = "false"
}

/** Fake temporary credentials for the emulator to serve with a chosen expiration (never valid anywhere). */
export const fixedCredentials = (expiration: Date) => ({
  accessKeyId: "ASIABENCHEXAMPLE0001",
  secretAccessKey: "bench/secret/EXAMPLEKEY/not-a-real-key00",
  sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE/bench/session/token",
  expiration
})

/** Epoch ms rounded up to a whole second, as IMDS writes expirations. */
export const wholeSecondAfter = (millisFromNow: number): Date =>
  new Date(Math.ceil((Date.now() + millisFromNow) / 1000) * 1000)

// A credential document path: the legacy or extended credentials path with a role name after it.
const CREDENTIAL_DOCUMENT = /\/iam\/security-credentials(?:-extended)?\/[^/]+$/

/** Fetch sequences in a request log: one per credential document requested. */
export const credentialFetches = (requests: ReadonlyArray<ImdsEmulator.RequestRecord>): number =>
  requests.filter((request) => request.method === "GET" && CREDENTIAL_DOCUMENT.test(request.path)).length

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Prints the scenario's result as one JSON line and exits (SDK sockets and timers must not keep it alive). */
export const emit = (result: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0))
}
