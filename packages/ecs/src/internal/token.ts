/**
 * The authorization token (decisions §13): the token file wins over the token value and is read again on every
 * fetch, since the EKS Pod Identity agent rotates it. The token is `Redacted` as soon as it is read; a token that
 * cannot be a header value (CR, LF or other control characters) is refused before any request is sent.
 */
import type * as NodeFs from "node:fs/promises"
import { CredentialsError } from "@credkit/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

import { AUTHORIZATION_TOKEN, AUTHORIZATION_TOKEN_FILE, type ContainerEnv } from "./config.js"

// A projected service-account token is a JWT of a few KiB; anything much larger is not a token file.
const MAX_TOKEN_BYTES = 16 * 1024
const LINE_BREAK = /[\r\n]/
// What an HTTP field value may hold (RFC 9110 §5.5): tab, visible ASCII, space and obs-text. Node refuses the rest.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

const SOURCE = "container"
const HINT_FILE = `check the file ${AUTHORIZATION_TOKEN_FILE} names; the agent that issues the token writes it`

/** What is wrong with a token, or `undefined` when it can be sent as a header value. */
export const tokenProblem = (token: string): string | undefined => {
  if (token.trim() === "") return "is empty"
  if (LINE_BREAK.test(token)) return "contains a line break (CR or LF)"
  if (!FIELD_VALUE.test(token)) return "contains a character that is not allowed in an HTTP header"
  return undefined
}

const refuse = (what: string, problem: string, hint: string) =>
  CredentialsError.misconfigured(SOURCE, `the authorization token from ${what} ${problem}`, { hint })

const checked = (token: Redacted.Redacted<string>, what: string, hint: string) => {
  const problem = tokenProblem(Redacted.value(token))
  return problem === undefined ? Effect.succeed(token) : Effect.fail(refuse(what, problem, hint))
}

const fileError = (path: string, error: unknown) => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return CredentialsError.misconfigured(
    SOURCE,
    `${AUTHORIZATION_TOKEN_FILE} names ${path}, which could not be read${code === undefined ? "" : ` (${code})`}`,
    { hint: HINT_FILE, cause: error }
  )
}

// Reads at most MAX_TOKEN_BYTES + 1 bytes, so a wrong path (a device, a huge file) cannot stall or flood memory.
const readBounded = (path: string) =>
  Effect.acquireUseRelease(
    Effect.tryPromise({
      try: () => (process.getBuiltinModule("node:fs/promises") as typeof NodeFs).open(path, "r"),
      catch: (error) => fileError(path, error)
    }),
    (handle) =>
      Effect.gen(function* () {
        const buffer = Buffer.alloc(MAX_TOKEN_BYTES + 1)
        let filled = 0
        while (filled < buffer.length) {
          const { bytesRead } = yield* Effect.tryPromise({
            try: () => handle.read(buffer, filled, buffer.length - filled, null),
            catch: (error) => fileError(path, error)
          })
          if (bytesRead === 0) break
          filled += bytesRead
        }
        if (filled > MAX_TOKEN_BYTES)
          return yield* Effect.fail(refuse(`the file ${path}`, `is larger than ${MAX_TOKEN_BYTES} bytes`, HINT_FILE))
        return Redacted.make(new TextDecoder("utf-8").decode(buffer.subarray(0, filled)))
      }),
    (handle) => Effect.ignore(Effect.tryPromise(() => handle.close()))
  )

/** The token to send, if any: the file (read now) wins over the value. */
export const readToken = (
  env: ContainerEnv
): Effect.Effect<Redacted.Redacted<string> | undefined, CredentialsError> => {
  if (env.tokenFile !== undefined) {
    const path = env.tokenFile
    return Effect.flatMap(readBounded(path), (token) => checked(token, `the file ${path}`, HINT_FILE))
  }
  if (env.token !== undefined)
    return checked(env.token, AUTHORIZATION_TOKEN, `set ${AUTHORIZATION_TOKEN} to the token alone, on one line`)
  return Effect.succeed(undefined)
}
