/**
 * @credkit/ecs: AWS credentials from the container endpoint, for ECS task roles, EKS Pod Identity, Lambda SnapStart
 * and custom endpoints, as an Effect layer (`ContainerCredentials`) or a Promise provider (`fromContainerMetadata`).
 *
 * @since 0.1.0
 */
export * as ContainerCredentials from "./ContainerCredentials.js"
export { type FromContainerMetadataOptions, fromContainerMetadata } from "./fromContainerMetadata.js"
