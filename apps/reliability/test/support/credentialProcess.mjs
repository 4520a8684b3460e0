// A credential_process for the fault matrix: it counts its runs in a file, then prints what a spec file says
// (base64 stdout, all at once or one byte at a time) and exits with the given code or signal, or hangs.
import { appendFileSync, readFileSync } from "node:fs"

const [specFile, counterFile] = process.argv.slice(2)
appendFileSync(counterFile, "run\n")
const spec = JSON.parse(readFileSync(specFile, "utf8"))
const output = Buffer.from(spec.stdout ?? "", "base64")
// Never outlive a test, even when the shell that started this process was killed and this one was not.
setTimeout(() => process.exit(0), 10_000).unref()
process.stdout.on("error", () => process.exit(0))

const finish = () => {
  if (spec.signal !== undefined) process.kill(process.pid, spec.signal)
  else process.exit(spec.exitCode ?? 0)
}

if (spec.hang === true) {
  setInterval(() => {}, 1_000)
} else if (spec.dripMs !== undefined) {
  const next = (offset) => {
    if (offset >= output.length) return finish()
    process.stdout.write(output.subarray(offset, offset + 1))
    setTimeout(() => next(offset + 1), spec.dripMs)
  }
  next(0)
} else {
  process.stdout.write(output, finish)
}
