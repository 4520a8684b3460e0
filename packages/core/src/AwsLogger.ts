/**
 * Bridges credkit's Effect logging to the logger shape AWS SDK clients take (`debug`, `info`, `warn`, `error`).
 * Without a logger, warnings go to `process.emitWarning` and nothing else is printed.
 *
 * @since 0.1.0
 */
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as LogLevel from "effect/LogLevel"
import * as References from "effect/References"

/**
 * The AWS SDK logger shape (`@smithy/types` `Logger`).
 *
 * @category models
 * @since 0.1.0
 */
export interface AwsLogger {
  readonly debug?: ((...content: Array<unknown>) => void) | undefined
  readonly info?: ((...content: Array<unknown>) => void) | undefined
  readonly warn?: ((...content: Array<unknown>) => void) | undefined
  readonly error?: ((...content: Array<unknown>) => void) | undefined
}

const render = (message: unknown): string =>
  (Array.isArray(message) ? message : [message])
    .map((part) => (typeof part === "string" ? part : part instanceof Error ? part.message : JSON.stringify(part)))
    .join(" ")

const methodFor = (level: LogLevel.LogLevel): keyof AwsLogger | undefined =>
  level === "Debug" || level === "Trace"
    ? "debug"
    : level === "Info"
      ? "info"
      : level === "Warn"
        ? "warn"
        : level === "Error" || level === "Fatal"
          ? "error"
          : undefined

/**
 * An Effect logger that forwards to an AWS SDK logger, or warnings to `process.emitWarning` when there is none.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (logger: AwsLogger | undefined) =>
  Logger.make<unknown, void>((options) => {
    const text = `[credkit] ${render(options.message)}`
    if (logger === undefined) {
      if (options.logLevel === "Warn") process.emitWarning(text, "CredkitWarning")
      return
    }
    const method = methodFor(options.logLevel)
    if (method !== undefined) logger[method]?.(text)
  })

/**
 * Replaces the loggers with the bridge; with an AWS logger, debug lines reach it too.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (logger: AwsLogger | undefined): Layer.Layer<never> =>
  Layer.merge(
    Logger.layer([make(logger)]),
    Layer.succeed(References.MinimumLogLevel, logger === undefined ? "Warn" : "Debug")
  )
