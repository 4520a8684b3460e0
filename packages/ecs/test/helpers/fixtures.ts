/**
 * Fixture credentials and tokens. The secret strings are distinctive so a test can search any output for them.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"

export const ACCESS_KEY_ID = "ASIAFIXTUREKEY000042"
export const SECRET_ACCESS_KEY = "fixture-secret-key-wJalrXUtnFEMI-K7MDENG"
export const SESSION_TOKEN = "fixture-session-token-IQoJb3JpZ2luX2Vj"
export const AUTH_TOKEN = "fixture-authorization-token-c2VjcmV0"
export const ACCOUNT_ID = "123456789012"
export const EXPIRATION = "2030-01-01T00:00:00Z"

/** The credentials document a container agent answers with. */
export const credentialsDocument = (overrides: Record<string, unknown> = {}) => ({
  AccessKeyId: ACCESS_KEY_ID,
  SecretAccessKey: SECRET_ACCESS_KEY,
  Token: SESSION_TOKEN,
  Expiration: EXPIRATION,
  AccountId: ACCOUNT_ID,
  RoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/fixture`,
  ...overrides
})

/** A fresh temporary directory, removed when the process exits. */
export const tempDir = (): string => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "credkit-ecs-"))
  process.once("exit", () => Fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Writes a token file and returns its path. */
export const writeToken = (dir: string, token: string, name = "token"): string => {
  const file = Path.join(dir, name)
  Fs.writeFileSync(file, token)
  return file
}

/** Runs an effect that sleeps (retry backoff) under TestClock, moving the clock on until it is done. */
export const withTimePassing = <A, E>(self: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(self)
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber)
  })

// Every variable the source reads: a test of the Promise API clears them all, so a CI host that sets one (CodeBuild
// sets the relative URI) can never send a test to a real agent.
const CONTAINER_VARIABLES = [
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
  "AWS_LAMBDA_FUNCTION_NAME"
] as const

/** Replaces the container variables of this process with `env`; the returned function restores them. */
export const setContainerEnv = (env: Readonly<Record<string, string>> = {}): (() => void) => {
  const saved = Object.fromEntries(CONTAINER_VARIABLES.map((name) => [name, process.env[name]]))
  for (const name of CONTAINER_VARIABLES) delete process.env[name]
  Object.assign(process.env, env)
  return () => {
    for (const name of CONTAINER_VARIABLES) {
      const value = saved[name]
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}
