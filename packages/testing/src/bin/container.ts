#!/usr/bin/env node
/**
 * Command-line container credentials emulator: starts `ContainerEmulator` on 127.0.0.1, prints the full URI and
 * the environment variables to set, and runs until SIGINT or SIGTERM.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"

import * as ContainerEmulator from "../ContainerEmulator.ts"
import { closeOnSignal, portFlag, runBin, secondsFlag } from "./cli.ts"

// Environment variables the AWS SDKs read for the container credentials endpoint.
const FULL_URI_ENV = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
const TOKEN_ENV = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
const TOKEN_FILE_ENV = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
const USAGE = `Usage: credkit-container-emulator [--port N] [--path PATH] [--role NAME] [--lifetime SECONDS]
                                  [--token TOKEN] [--token-file FILE]
  --port        port on 127.0.0.1 (default: a free port)
  --path        path of the credentials endpoint (default: /v1/credentials)
  --role        role name in RoleArn (default: credkit-role)
  --lifetime    lifetime of each credential set in seconds (default: 21600)
  --token       required Authorization header value (default: none)
  --token-file  write the token to this file (a random token unless --token is given)`

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      path: { type: "string" },
      role: { type: "string" },
      lifetime: { type: "string" },
      token: { type: "string" },
      "token-file": { type: "string" },
      help: { type: "boolean", short: "h" }
    }
  })
  if (values.help === true) {
    console.log(USAGE)
    return
  }
  const port = portFlag(values.port)
  const lifetime = secondsFlag("lifetime", values.lifetime)
  const tokenFile = values["token-file"]
  const emulator = await ContainerEmulator.start({
    ...(port === undefined ? {} : { port }),
    ...(values.path === undefined ? {} : { path: values.path }),
    ...(values.role === undefined ? {} : { roleName: values.role }),
    ...(lifetime === undefined ? {} : { lifetime }),
    ...(values.token === undefined ? {} : { token: values.token }),
    ...(tokenFile === undefined ? {} : { tokenFile })
  })
  console.log(`Container credentials emulator listening on ${emulator.url}`)
  console.log(`${FULL_URI_ENV}=${emulator.url}`)
  // The token is echoed only when the caller chose it on the command line; a generated one stays in its file.
  if (tokenFile !== undefined) console.log(`${TOKEN_FILE_ENV}=${tokenFile}`)
  else if (values.token !== undefined) console.log(`${TOKEN_ENV}=${values.token}`)
  closeOnSignal(emulator.close)
}

runBin(main, USAGE)
