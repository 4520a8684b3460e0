import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import { ImdsEmulator } from "@credkit/testing"
import { assert, describe, it } from "@effect/vitest"

const PACKAGE_DIR = Path.resolve(import.meta.dirname, "..")

// Each script loads the built package by its name, as a user would, and prints what fromInstanceMetadata() gave.
const SCRIPTS = {
  import:
    'const { fromInstanceMetadata } = await import("@credkit/ec2"); const c = await fromInstanceMetadata()(); ' +
    "console.log(JSON.stringify({ source: c.source, accessKeyId: c.accessKeyId, accountId: c.accountId }))",
  require:
    'const { fromInstanceMetadata } = require("@credkit/ec2"); fromInstanceMetadata()().then((c) => ' +
    "console.log(JSON.stringify({ source: c.source, accessKeyId: c.accessKeyId, accountId: c.accountId })))"
} as const

const runNode = (kind: keyof typeof SCRIPTS, endpoint: string) =>
  new Promise<string>((resolve, reject) => {
    const args = kind === "import" ? ["--input-type=module", "-e", SCRIPTS[kind]] : ["-e", SCRIPTS[kind]]
    ChildProcess.execFile(
      process.execPath,
      args,
      {
        cwd: PACKAGE_DIR,
        env: { ...process.env, AWS_EC2_METADATA_DISABLED: "false", AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint }
      },
      (error, stdout, stderr) => (error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr}`)))
    )
  })

describe("package", () => {
  describe("fromInstanceMetadata", () => {
    for (const kind of ["import", "require"] as const) {
      it(`resolves through the built package loaded with ${kind}`, async () => {
        const emu = await ImdsEmulator.start()
        const output = await runNode(kind, emu.url).finally(() => emu.close())
        const served = emu.control.current()

        assert.deepStrictEqual(JSON.parse(output), {
          source: "ec2:credkit-role",
          accessKeyId: served.accessKeyId,
          accountId: served.accountId
        })
      })
    }
  })
})
