/**
 * @credkit/core: the credentials model, the `CredentialsError` family, the `CredentialsProvider` service, chains,
 * the shared expiry-aware cache and the AWS SDK bridge.
 *
 * @since 0.1.0
 */
export * as AwsCredentials from "./AwsCredentials.js"
export * as AwsLogger from "./AwsLogger.js"
export * as AwsSdkBridge from "./AwsSdkBridge.js"
export {
  type CredentialIdentity,
  type CredentialIdentityProvider,
  fromCredentialIdentityProvider,
  fromStatic,
  toCredentialIdentityProvider
} from "./AwsSdkBridge.js"
export * as CredentialsCache from "./CredentialsCache.js"
export * as CredentialsChain from "./CredentialsChain.js"
export {
  type Attempt as CredentialsAttempt,
  CredentialsError,
  type Reason as CredentialsErrorReason
} from "./CredentialsError.js"
export { CredentialsProvider } from "./CredentialsProvider.js"
export * as CredentialsSource from "./CredentialsSource.js"
export * as HttpTransport from "./HttpTransport.js"
export * as LiveConfig from "./LiveConfig.js"
