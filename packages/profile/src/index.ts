/**
 * @credkit/profile: AWS credentials from the shared profile files (`~/.aws/config`, `~/.aws/credentials`) as an
 * Effect layer (`ProfileCredentials`) and as AWS SDK v3 providers (`fromProfile`, `fromAssumeRole`).
 *
 * @since 0.1.0
 */
export { type FromAssumeRoleOptions, fromAssumeRole } from "./fromAssumeRole.js"
export { type FromProfileOptions, fromProfile } from "./fromProfile.js"
export * as ProfileCredentials from "./ProfileCredentials.js"
