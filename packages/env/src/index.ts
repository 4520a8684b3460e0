/**
 * @credkit/env: AWS credentials from environment variables (AWS Lambda and anything that sets `AWS_ACCESS_KEY_ID`),
 * as an Effect layer (`EnvCredentials`) and as an AWS SDK v3 provider (`fromEnv`).
 *
 * @since 0.1.0
 */
export * as EnvCredentials from "./EnvCredentials.js"
export { type EnvProvider, type EnvReading, type FromEnvOptions, fromEnv, readEnvCredentials } from "./fromEnv.js"
