/**
 * @credkit/ec2: AWS credentials of the EC2 instance role from the instance metadata service (IMDSv2), with the
 * role discovered at run time. `Ec2Credentials` is the Effect API; `fromInstanceMetadata` is the Promise API.
 *
 * @since 0.1.0
 */

/**
 * The Effect API: `layer`, `layerConfig`, `source` and `clearUnreachableMemory`.
 *
 * @category layers
 * @since 0.1.0
 */
export * as Ec2Credentials from "./Ec2Credentials.js"
export { type FromInstanceMetadataOptions, fromInstanceMetadata } from "./fromInstanceMetadata.js"
