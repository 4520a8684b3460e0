/**
 * Loopback emulators of the EC2 instance metadata service and the container credentials endpoint, for testing
 * code that gets AWS credentials on EC2, ECS, EKS or Lambda without leaving 127.0.0.1.
 *
 * @since 0.1.0
 */

/**
 * The container credentials endpoint emulator (ECS task role, EKS Pod Identity, Lambda SnapStart).
 *
 * @category constructors
 * @since 0.1.0
 */
export * as ContainerEmulator from "./ContainerEmulator.ts"

/**
 * The EC2 instance metadata service emulator.
 *
 * @category constructors
 * @since 0.1.0
 */
export * as ImdsEmulator from "./ImdsEmulator.ts"
