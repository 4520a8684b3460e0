/**
 * The EC2 source: one resolution reads the settings, consults the "unreachable" memory, then discovers the role and
 * fetches its credentials with the provider's remembered token, role name and path. A resolution that got no HTTP
 * response at all is remembered process-wide and reported as Unavailable, so a chain moves on.
 */

import { CredentialsError, CredentialsSource } from "@credkit/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

import type { Options } from "../Ec2Credentials.js"
import type { NoResponse } from "./client.js"
import * as Config from "./config.js"
import * as Role from "./role.js"
import * as Session from "./session.js"
import * as Unreachable from "./unreachable.js"

// The name of this source in chains and reports (api.md).
export const SOURCE_NAME = "ec2"

const describe = (error: NoResponse, timeout: Duration.Duration): string =>
  error.kind === "timeout"
    ? `${error.request} got no answer within ${Duration.format(timeout)}`
    : error.kind === "refused"
      ? `${error.request} was refused`
      : `${error.request} could not connect`

const noResponse = Effect.fnUntraced(function* (resolution: Session.Resolution, error: NoResponse) {
  const endpoint = resolution.settings.endpoint
  if (yield* Ref.get(resolution.answered)) {
    return yield* CredentialsError.transport(
      SOURCE_NAME,
      error.kind,
      `IMDS at ${endpoint} stopped answering: ${describe(error, resolution.settings.timeout)}`,
      { hint: "the next refresh tries again", cause: error.cause }
    )
  }
  yield* Unreachable.remember(endpoint)
  return yield* CredentialsError.unavailable(
    SOURCE_NAME,
    `IMDS unreachable at ${endpoint}: ${describe(error, resolution.settings.timeout)}`,
    { hint: Unreachable.UNREACHABLE_HINT, cause: error.cause }
  )
})

// Errors raised before the role was known carry `ec2`; once it is known they carry `ec2:<role>` (api.md).
const labelled = (resolution: Session.Resolution, error: CredentialsError) =>
  Effect.flatMap(Session.get(resolution), (state) => {
    const role = resolution.settings.roleName?.value ?? state.role
    return Effect.fail(
      role !== undefined && error.source === SOURCE_NAME
        ? new CredentialsError({ source: `${SOURCE_NAME}:${role}`, reason: error.reason, attempts: error.attempts })
        : error
    )
  })

const resolveWith = (options: Options | undefined, session: Session.Session) =>
  Effect.gen(function* () {
    yield* Config.checkEnabled
    const settings = yield* Config.load(options)
    yield* Unreachable.check(settings.endpoint)

    const resolution = yield* Session.begin(session, settings)
    return yield* Role.credentials(resolution).pipe(
      Effect.catchTag("NoResponse", (error) => noResponse(resolution, error)),
      Effect.catch((error) => labelled(resolution, error))
    )
  }).pipe(
    Effect.withLogSpan("Ec2Credentials.resolve"),
    Effect.annotateLogs({ "credentials.source": SOURCE_NAME }),
    Effect.withSpan("Ec2Credentials.resolve")
  )

/**
 * Builds the source. Each source keeps its own token, role name and path.
 */
export const make = (options?: Options): CredentialsSource.CredentialsSource => {
  const session = Session.make()
  const resolve = resolveWith(options, session)
  return CredentialsSource.make(
    SOURCE_NAME,
    resolve,
    // decisions §20: an IMDS outage keeps serving the last credentials.
    { staticStability: true }
  )
}
