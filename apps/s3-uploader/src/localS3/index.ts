/**
 * The local S3 endpoint of the example app: s3rver behind a front that verifies SigV4 signatures against the
 * credentials the emulators issued.
 */

export type { LocalS3Stats, Outcome as LocalS3Outcome, RequestRecord as LocalS3Request } from "./internal/requestLog.js"
export type { S3ErrorCode } from "./internal/s3Error.js"
export type { KeyInfo, KeyInput, KeyRegistry, ResolveUnknown } from "./KeyRegistry.js"
export type { LocalS3, Options as LocalS3Options } from "./LocalS3.js"
export { startLocalS3 } from "./LocalS3.js"
