/**
 * Test helpers: a temporary home directory with real profile files, an injected environment, and a log capture.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

import type { CredentialsError } from "@credkit/core"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as References from "effect/References"

/** A fresh directory under the system temp directory, removed with the test's scope. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "credkit-profile-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

export interface AwsFiles {
  readonly config?: string | undefined
  readonly credentials?: string | undefined
}

/** Writes `<home>/.aws/config` and `<home>/.aws/credentials` (only those given). */
export const writeAwsFiles = (home: string, files: AwsFiles): void => {
  fs.mkdirSync(path.join(home, ".aws"), { recursive: true })
  if (files.config !== undefined) fs.writeFileSync(path.join(home, ".aws", "config"), files.config)
  if (files.credentials !== undefined) fs.writeFileSync(path.join(home, ".aws", "credentials"), files.credentials)
}

/** A temporary home with the given files. */
export const homeWith = (files: AwsFiles) =>
  Effect.map(tempDir, (home) => {
    writeAwsFiles(home, files)
    return home
  })

/** Runs with exactly this environment (never the real one). */
export const withEnv =
  (env: Record<string, string | undefined>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>) =>
    Effect.provideService(self, ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))

/** Captures every log line (Debug and up) as JSON text. */
export const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.map(Logger.formatJson, (line) => {
    lines.push(line)
  })
  return {
    lines,
    provide: <A, E, R>(self: Effect.Effect<A, E, R>) =>
      self.pipe(Effect.provide(Logger.layer([logger])), Effect.provideService(References.MinimumLogLevel, "Debug"))
  }
}

/** The error of an effect that must fail. */
export const failure = <A, R>(self: Effect.Effect<A, CredentialsError, R>) => Effect.flip(self)
