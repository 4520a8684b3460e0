/**
 * What a provider remembers between fetches (decisions §6–8): the session token and when to renew it, whether
 * IMDSv1 is in use, which credentials path works, and the discovered role name. The state belongs to one endpoint;
 * when the configured endpoint changes, it starts over.
 */
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"

import type { Settings } from "./config.js"

// Role list and credentials documents: the extended path adds AccountId; the legacy path is on every IMDS.
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html
export const EXTENDED_PATH = "/latest/meta-data/iam/security-credentials-extended/"
export const LEGACY_PATH = "/latest/meta-data/iam/security-credentials/"

/**
 * `unknown` until a credentials path answered: `extended` once the extended path answered 200, `legacy` once it
 * answered 404 and the legacy path worked (kept for the provider's life).
 */
export type PathKind = "unknown" | "extended" | "legacy"

/** A session token and the time (epoch ms) from which it is renewed. */
export interface Token {
  readonly value: Redacted.Redacted<string>
  readonly renewAt: number
}

/** The remembered state. */
export interface State {
  readonly endpoint: string | undefined
  readonly token: Token | undefined
  /** IMDSv1 in use: the token endpoint answered 404/405, or timed out behind a hop limit. */
  readonly v1: boolean
  readonly path: PathKind
  /** The discovered role name; a configured one is never stored here. */
  readonly role: string | undefined
}

const initial: State = { endpoint: undefined, token: undefined, v1: false, path: "unknown", role: undefined }

/** A provider's state. */
export type Session = Ref.Ref<State>

/** A new, empty state. */
export const make = (): Session => Ref.makeUnsafe(initial)

/** One resolution: its settings, the provider's state, and whether any HTTP response arrived during it. */
export interface Resolution {
  readonly settings: Settings
  readonly session: Session
  readonly answered: Ref.Ref<boolean>
}

/** Starts a resolution, dropping the state if it belonged to another endpoint. */
export const begin = (session: Session, settings: Settings): Effect.Effect<Resolution> =>
  Effect.gen(function* () {
    yield* Ref.update(session, (state) =>
      state.endpoint === settings.endpoint ? state : { ...initial, endpoint: settings.endpoint }
    )
    return { settings, session, answered: yield* Ref.make(false) }
  })

/** Reads the state. */
export const get = (resolution: Resolution): Effect.Effect<State> => Ref.get(resolution.session)

/** Changes part of the state. */
export const set = (resolution: Resolution, patch: Partial<State>): Effect.Effect<void> =>
  Ref.update(resolution.session, (state) => ({ ...state, ...patch }))
