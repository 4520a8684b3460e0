/**
 * What each published package must offer its users, from the project's public API (names are fixed there). A
 * package missing from this table still gets every generic check; one listed here must export these names.
 */

/** The named exports of each package's main entry. */
export const EXPECTED_EXPORTS: Readonly<Record<string, ReadonlyArray<string>>> = {
  "@credkit/core": [
    "AwsCredentials",
    "CredentialsCache",
    "CredentialsChain",
    "CredentialsError",
    "CredentialsProvider",
    "fromCredentialIdentityProvider",
    "fromStatic",
    "toCredentialIdentityProvider"
  ],
  "@credkit/credentials": ["DefaultCredentials", "explain", "fromDefaultChain"],
  "@credkit/ec2": ["Ec2Credentials", "fromInstanceMetadata"],
  "@credkit/ecs": ["ContainerCredentials", "fromContainerMetadata"],
  "@credkit/env": ["EnvCredentials", "fromEnv"],
  "@credkit/profile": ["ProfileCredentials", "fromAssumeRole", "fromProfile"],
  "@credkit/testing": ["ContainerEmulator", "ImdsEmulator"]
}

/** The members of each Effect API namespace: every adapter has `layer`, `layerConfig` and `source`. */
export const EXPECTED_MEMBERS: Readonly<Record<string, ReadonlyArray<string>>> = {
  ContainerCredentials: ["layer", "layerConfig", "source"],
  DefaultCredentials: ["explain", "layer", "layerConfig", "source"],
  Ec2Credentials: ["layer", "layerConfig", "source"],
  EnvCredentials: ["layer", "layerConfig", "source"],
  ProfileCredentials: ["layer", "layerConfig", "source"],
  ContainerEmulator: ["start"],
  ImdsEmulator: ["start"]
}

/** Every package supports the Node.js versions that load ES modules with `require()`. */
export const ENGINES_NODE = ">=22.12"

/** The one Effect major every library is written against, as a peer dependency. */
export const EFFECT_PEER_RANGE = "^4.1.5"

/** Installed next to the tarballs in the consumer project, at the workspace catalog's versions. */
export const CONSUMER_DEPENDENCIES = ["effect", "typescript", "@types/node", "@smithy/types"]
