/**
 * Middleware that tells the credentials provider when S3 rejected the credentials a request was signed with, so the
 * next request gets fresh ones, and sends that request once more.
 */
import type { S3Client } from "@aws-sdk/client-s3"

// S3 error codes that mean "these temporary credentials are no longer (or never were) good".
const REJECTED_CODES = new Set(["ExpiredToken", "InvalidToken", "TokenRefreshRequired"])
// The access key id in a SigV4 Authorization header: `... Credential=AKID/20240101/us-east-1/s3/aws4_request, ...`.
const CREDENTIAL_PATTERN = /Credential=([^/,\s]+)\//
// Where the signing key id travels from the inner middleware to the outer one.
const KEY_FIELD = "$credkitRejectedAccessKeyId"

const signingKeyId = (request: unknown): string | undefined => {
  const headers = (request as { headers?: Record<string, string> } | undefined)?.headers
  const authorization = headers?.authorization ?? headers?.Authorization
  return authorization === undefined ? undefined : CREDENTIAL_PATTERN.exec(authorization)?.[1]
}

const rejectedKeyOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null ? (error as Record<string, string | undefined>)[KEY_FIELD] : undefined

/**
 * Adds two middlewares: one after signing reads which key signed a request that S3 refused as expired or invalid;
 * one around the whole command invalidates that key in the provider and sends the command once more, which
 * resolves the identity again (the SDK picks it at the serialize step) and so signs with what the provider returns
 * next. Bodies here are buffers (lib-storage sends each part as one), so a second send is safe.
 */
export const handleRejectedCredentials = (
  client: S3Client,
  invalidate: (accessKeyId: string) => Promise<void>
): void => {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args)
      } catch (error) {
        const name = (error as { name?: unknown } | undefined)?.name
        const keyId = signingKeyId(args.request)
        if (typeof name === "string" && REJECTED_CODES.has(name) && keyId !== undefined) {
          Object.defineProperty(error, KEY_FIELD, { value: keyId, enumerable: false })
        }
        throw error
      }
    },
    { step: "deserialize", priority: "high", name: "credkitRecordRejectedKey" }
  )
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args)
      } catch (error) {
        const keyId = rejectedKeyOf(error)
        if (keyId === undefined) throw error
        await invalidate(keyId)
        return next(args)
      }
    },
    { step: "initialize", priority: "high", name: "credkitRetryRejectedCredentials" }
  )
}
