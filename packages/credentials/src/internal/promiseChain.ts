/**
 * The part of `fromDefaultChain` and `explain` that needs Effect: loaded by a dynamic import only when the
 * environment holds no credentials.
 */

import { AwsLogger, type CredentialIdentityProvider, toCredentialIdentityProvider } from "@credkit/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

import * as DefaultCredentials from "../DefaultCredentials.js"
import type { DefaultChainOptions } from "../fromDefaultChain.js"
import type { Report } from "./report.js"

const millis = (value: number | undefined) => (value === undefined ? undefined : Duration.millis(value))

/** The Promise API's millisecond options as the Effect API's options. */
export const toEffectOptions = (options: DefaultChainOptions): DefaultCredentials.Options => ({
  ...(options.profile !== undefined ? { profile: options.profile } : {}),
  ...(options.timeout !== undefined ? { timeout: Duration.millis(options.timeout) } : {}),
  ...(options.ec2 !== undefined ? { ec2: { ...options.ec2, timeout: millis(options.ec2.timeout) } } : {}),
  ...(options.ecs !== undefined ? { ecs: { ...options.ecs, timeout: millis(options.ecs.timeout) } } : {})
})

// The chain applies `timeout` itself, source by source, so a rejection for the deadline still lists what each
// source did; the bridge gets no second timer.
export const makeProvider = (options: DefaultChainOptions): CredentialIdentityProvider =>
  toCredentialIdentityProvider(DefaultCredentials.layer(toEffectOptions(options)), { logger: options.logger })

export const explain = (options: DefaultChainOptions): Promise<Report> =>
  Effect.runPromise(
    DefaultCredentials.explain(toEffectOptions(options)).pipe(Effect.provide(AwsLogger.layer(options.logger)))
  )
