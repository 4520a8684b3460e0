#!/usr/bin/env node
/**
 * Command-line IMDS emulator: starts `ImdsEmulator` on 127.0.0.1, prints its URL on the first line and runs until
 * SIGINT or SIGTERM.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"

import * as ImdsEmulator from "../ImdsEmulator.ts"
import { choiceFlag, closeOnSignal, portFlag, runBin, secondsFlag } from "./cli.ts"

const MODES: ReadonlyArray<ImdsEmulator.Mode> = ["optional", "v2-only", "v1-only", "off"]
const USAGE = `Usage: credkit-imds-emulator [--port N] [--role NAME] [--lifetime SECONDS] [--mode MODE] [--legacy-only]
  --port         port on 127.0.0.1 (default: a free port)
  --role         role name (default: credkit-role)
  --lifetime     lifetime of each credential set in seconds (default: 21600)
  --mode         ${MODES.join(" | ")} (default: optional)
  --legacy-only  answer 404 on the extended credentials path`

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      role: { type: "string" },
      lifetime: { type: "string" },
      mode: { type: "string" },
      "legacy-only": { type: "boolean" },
      help: { type: "boolean", short: "h" }
    }
  })
  if (values.help === true) {
    console.log(USAGE)
    return
  }
  const port = portFlag(values.port)
  const lifetime = secondsFlag("lifetime", values.lifetime)
  const mode = choiceFlag("mode", values.mode, MODES)
  const emulator = await ImdsEmulator.start({
    ...(port === undefined ? {} : { port }),
    ...(values.role === undefined ? {} : { roleName: values.role }),
    ...(lifetime === undefined ? {} : { lifetime }),
    ...(mode === undefined ? {} : { mode }),
    extendedPath: values["legacy-only"] !== true
  })
  console.log(`IMDS emulator listening on ${emulator.url}`)
  console.log(`AWS_EC2_METADATA_SERVICE_ENDPOINT=${emulator.url}`)
  closeOnSignal(emulator.close)
}

runBin(main, USAGE)
