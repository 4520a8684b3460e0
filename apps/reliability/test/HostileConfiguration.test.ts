/**
 * Hostile configuration of the metadata adapters: container URIs aimed at forbidden hosts (public names, private
 * ranges, names resolving to them, 0.0.0.0, IPv6 and IPv4 spelling tricks, userinfo, redirects, a name that
 * changes its answer) and IMDS endpoints with credentials, paths or foreign schemes. Each is refused with a clear
 * error before any request starts. The resolver is a table and the transport refuses every target but 127.0.0.1
 * and ::1, so nothing here sends a packet anywhere else.
 */
import * as Fs from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Path from "node:path"
import { CredentialsError, HttpTransport } from "@credkit/core"
import { Ec2Credentials } from "@credkit/ec2"
import { ContainerCredentials } from "@credkit/ecs"
import { ProfileCredentials } from "@credkit/profile"
import { ContainerEmulator, ImdsEmulator } from "@credkit/testing"
import { afterEach, assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as References from "effect/References"

import { processDocument } from "./support/documents.js"
import { tempFile, writeTemp } from "./support/files.js"
import { guardedTransport, tableResolver, violations } from "./support/loopback.js"
import { FIXTURE, FIXTURE_CREDENTIALS } from "./support/secrets.js"

afterEach(() => {
  assert.deepStrictEqual(violations.splice(0), [])
})

const FULL_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
const RELATIVE_URI = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
const PASSWORD = "hunter2-Rq7Zt"

// A transport any call to is a rule break: the refusals must happen before a request is built.
const noRequests = () => {
  const calls: Array<string> = []
  const shape: HttpTransport.Shape = {
    request: (request) =>
      Effect.suspend(() => {
        calls.push(request.url)
        violations.push(`a request was sent to ${request.url} (address ${request.address ?? "none"})`)
        return Effect.fail(
          new HttpTransport.HttpTransportError({ kind: "refused", responded: false, url: request.url })
        )
      })
  }
  return { shape, calls }
}

const RESOLVER_TABLE = {
  "metadata.example.com": [["93.184.216.34"]],
  "internal.corp.example": [["10.1.2.3"]],
  "mixed.example": [["127.0.0.1", "10.0.0.5"]],
  "imds-alias.example": [["169.254.169.254"]],
  "v6-alias.example": [["fd00:ec2::254"]],
  "mapped.example": [["::ffff:169.254.169.254"]],
  localhost: [["10.9.8.7"]]
} as const

const refuseContainer = (env: Record<string, string>, options: ContainerCredentials.Options = {}) =>
  Effect.gen(function* () {
    const transport = noRequests()
    const resolver = tableResolver(RESOLVER_TABLE)
    const error = yield* Effect.flip(
      ContainerCredentials.source({ maxAttempts: 3, ...options }).resolve.pipe(
        Effect.provideService(HttpTransport.HttpTransport, transport.shape),
        Effect.provideService(ContainerCredentials.Resolver, resolver.shape),
        Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))
      )
    )
    assert.deepStrictEqual(transport.calls, [])
    return { error, lookups: resolver.lookups }
  })

const FORBIDDEN_LITERALS: ReadonlyArray<readonly [string, string]> = [
  ["a public address", "http://93.184.216.34/creds"],
  ["a 10/8 private address", "http://10.0.0.1/creds"],
  ["a 172.16/12 private address", "http://172.16.0.1/creds"],
  ["a 192.168/16 private address", "http://192.168.1.10/creds"],
  ["the IMDS address", "http://169.254.169.254/latest/meta-data/"],
  ["a carrier-grade NAT address", "http://100.64.0.1/creds"],
  ["0.0.0.0", "http://0.0.0.0:8080/creds"],
  ["0 (read as 0.0.0.0)", "http://0/creds"],
  ["the IMDS address as one decimal number", "http://2852039166/creds"],
  ["the IMDS address in hexadecimal", "http://0xa9fea9fe/creds"],
  ["the IMDS address in octal", "http://0251.0376.0251.0376/creds"],
  ["the IMDS address mapped into IPv6", "http://[::ffff:169.254.169.254]/creds"],
  ["a private address mapped into IPv6, uncompressed", "http://[0:0:0:0:0:ffff:10.0.0.1]/creds"],
  ["the IMDS address behind the NAT64 prefix", "http://[64:ff9b::a9fe:a9fe]/creds"],
  ["the IPv6 unspecified address", "http://[::]/creds"],
  ["the IPv6 IMDS address", "http://[fd00:ec2::254]/latest/"],
  ["a link-local IPv6 address", "http://[fe80::1]/creds"]
]

const FORBIDDEN_NAMES: ReadonlyArray<readonly [string, string, string]> = [
  ["a public name", "http://metadata.example.com/creds", "93.184.216.34"],
  ["a name resolving to a private address", "http://internal.corp.example/creds", "10.1.2.3"],
  ["a name resolving to loopback and a private address", "http://mixed.example:8080/creds", "10.0.0.5"],
  ["a name resolving to the IMDS address", "http://imds-alias.example/creds", "169.254.169.254"],
  ["a name resolving to the IPv6 IMDS address", "http://v6-alias.example/creds", "fd00:ec2::254"],
  ["a name resolving to a mapped IMDS address", "http://mapped.example/creds", "::ffff:169.254.169.254"],
  ["localhost when the resolver maps it elsewhere", "http://localhost:8080/creds", "10.9.8.7"]
]

describe("HostileConfiguration", () => {
  describe("ContainerCredentials.source", () => {
    for (const [what, uri] of FORBIDDEN_LITERALS) {
      it.live(`refuses plain http to ${what} before any lookup or request`, () =>
        Effect.gen(function* () {
          const { error, lookups } = yield* refuseContainer({ [FULL_URI]: uri })
          assert.strictEqual(error.reason._tag, "Misconfigured", error.message)
          assert.isFalse(error.tryNextLink)
          assert.include(error.message, FULL_URI)
          assert.deepStrictEqual(lookups, [])
        })
      )
    }

    for (const [what, uri, address] of FORBIDDEN_NAMES) {
      it.live(`refuses ${what} after one lookup and before any request`, () =>
        Effect.gen(function* () {
          const { error, lookups } = yield* refuseContainer({ [FULL_URI]: uri })
          assert.strictEqual(error.reason._tag, "Misconfigured", error.message)
          assert.include(error.message, address)
          assert.include(error.message, "plain http is not allowed")
          // Refused at the first check: not retried, so exactly one lookup.
          assert.strictEqual(lookups.length, 1)
        })
      )
    }

    it.live("refuses userinfo in the URI without repeating the password", () =>
      Effect.gen(function* () {
        for (const uri of [
          `http://user:${PASSWORD}@127.0.0.1:8080/creds`,
          `http://169.254.170.2:${PASSWORD}@127.0.0.1/creds`,
          `https://admin:${PASSWORD}@credentials.example.com/creds`
        ]) {
          const { error } = yield* refuseContainer({ [FULL_URI]: uri })
          assert.strictEqual(error.reason._tag, "Misconfigured")
          assert.include(error.message, "userinfo")
          assert.notInclude(`${error.message}\n${error.reason.hint}`, PASSWORD)
        }
      })
    )

    it.live("refuses a URI that hides another host behind an at sign", () =>
      Effect.gen(function* () {
        const { error, lookups } = yield* refuseContainer({ [FULL_URI]: "http://169.254.170.2@evil.example/creds" })
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, "userinfo")
        assert.deepStrictEqual(lookups, [])
      })
    )

    it.live("refuses an IPv6 address with a zone id and a URI without a host", () =>
      Effect.gen(function* () {
        for (const uri of [
          "http://[fe80::1%25eth0]/creds",
          "/v1/credentials",
          "http://:8080/creds",
          "file:///etc/passwd"
        ]) {
          const { error } = yield* refuseContainer({ [FULL_URI]: uri })
          assert.strictEqual(error.reason._tag, "Misconfigured", `${uri}: ${error.message}`)
        }
      })
    )

    it.live("refuses relative URIs that try to leave the agent's origin", () =>
      Effect.gen(function* () {
        for (const relative of ["@evil.example/creds", ":80@evil.example/creds", "evil.example/creds"]) {
          const { error } = yield* refuseContainer({ [RELATIVE_URI]: relative })
          assert.strictEqual(error.reason._tag, "Misconfigured", `${relative}: ${error.message}`)
          assert.include(error.message, RELATIVE_URI)
        }
      })
    )

    it.live("refuses a relativeUriBase on a forbidden host, even with a well-formed relative URI", () =>
      Effect.gen(function* () {
        const { error } = yield* refuseContainer(
          { [RELATIVE_URI]: "/v2/credentials/task" },
          { relativeUriBase: "http://169.254.169.254" }
        )
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.include(error.message, "169.254.169.254")
      })
    )

    it.live("refuses a token with a line break before any request (header injection)", () =>
      Effect.gen(function* () {
        const { error } = yield* refuseContainer({
          [FULL_URI]: "http://127.0.0.1:9/creds",
          AWS_CONTAINER_AUTHORIZATION_TOKEN: `${FIXTURE.containerToken}\r\nX-Injected: 1`
        })
        assert.strictEqual(error.reason._tag, "Misconfigured")
        assert.notInclude(error.message, FIXTURE.containerToken)
      })
    )

    it.live("checks a name again on every fetch: allowed once, forbidden the next time", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const emulator = yield* Effect.acquireRelease(
            Effect.promise(() =>
              ContainerEmulator.start({ credentials: FIXTURE_CREDENTIALS, token: FIXTURE.containerToken })
            ),
            (running) => Effect.promise(() => running.close())
          )
          const port = new URL(emulator.url).port
          const resolver = tableResolver({ "rebind.example": [["127.0.0.1"], ["10.0.0.1"]] })
          const guard = guardedTransport()
          const source = ContainerCredentials.source({ timeout: Duration.seconds(2), maxAttempts: 3 })
          const resolve = source.resolve.pipe(
            Effect.provideService(HttpTransport.HttpTransport, guard.shape),
            Effect.provideService(ContainerCredentials.Resolver, resolver.shape),
            Effect.provideService(
              ConfigProvider.ConfigProvider,
              ConfigProvider.fromEnvRecord({
                [FULL_URI]: `http://rebind.example:${port}${emulator.relativeUri}`,
                AWS_CONTAINER_AUTHORIZATION_TOKEN: FIXTURE.containerToken
              })
            )
          )

          const first = yield* resolve
          assert.strictEqual(first.accessKeyId, FIXTURE.accessKeyId)
          // The connection went to the address that was checked: no second lookup by the HTTP client.
          assert.deepStrictEqual(
            guard.seen.map((seen) => seen.target),
            ["127.0.0.1"]
          )
          const second = yield* Effect.flip(resolve)
          assert.strictEqual(second.reason._tag, "Misconfigured")
          assert.include(second.message, "10.0.0.1")
          assert.strictEqual(guard.seen.length, 1, "no request after the name changed its answer")
          assert.strictEqual(emulator.control.requests().length, 1)
        })
      )
    )

    it.live("re-checks the name between the attempts of one fetch", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const emulator = yield* Effect.acquireRelease(
            Effect.promise(() => ContainerEmulator.start({ credentials: FIXTURE_CREDENTIALS })),
            (running) => Effect.promise(() => running.close())
          )
          emulator.control.fault("*", { status: 500 })
          const resolver = tableResolver({ "flip.example": [["127.0.0.1"], ["192.168.0.10"]] })
          const guard = guardedTransport()
          const error = yield* Effect.flip(
            ContainerCredentials.source({ maxAttempts: 3 }).resolve.pipe(
              Effect.provideService(HttpTransport.HttpTransport, guard.shape),
              Effect.provideService(ContainerCredentials.Resolver, resolver.shape),
              Effect.provideService(
                ConfigProvider.ConfigProvider,
                ConfigProvider.fromEnvRecord({
                  [FULL_URI]: `http://flip.example:${new URL(emulator.url).port}${emulator.relativeUri}`
                })
              )
            )
          )
          assert.strictEqual(error.reason._tag, "Misconfigured")
          assert.strictEqual(emulator.control.requests().length, 1)
          assert.deepStrictEqual(resolver.lookups, ["flip.example", "flip.example"])
        })
      )
    )

    it.live("does not follow a redirect toward the IMDS address", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const hits: Array<string> = []
          const server = yield* Effect.acquireRelease(
            Effect.promise(
              () =>
                new Promise<Http.Server>((resolve) => {
                  const created = Http.createServer((req, res) => {
                    hits.push(req.url ?? "")
                    res.writeHead(307, { location: "http://169.254.169.254/latest/meta-data/iam/" })
                    res.end()
                  })
                  created.listen(0, "127.0.0.1", () => resolve(created))
                })
            ),
            (created) => Effect.promise(() => new Promise<void>((resolve) => created.close(() => resolve())))
          )
          const port = (server.address() as AddressInfo).port
          const guard = guardedTransport()
          const error = yield* Effect.flip(
            ContainerCredentials.source({ maxAttempts: 3 }).resolve.pipe(
              Effect.provideService(HttpTransport.HttpTransport, guard.shape),
              Effect.provideService(
                ConfigProvider.ConfigProvider,
                ConfigProvider.fromEnvRecord({ [FULL_URI]: `http://127.0.0.1:${port}/creds` })
              )
            )
          )
          assert.strictEqual(error.reason._tag, "Misconfigured")
          assert.include(error.message, "redirects are not followed")
          assert.deepStrictEqual(hits, ["/creds"])
          assert.deepStrictEqual(
            guard.seen.map((seen) => seen.target),
            ["127.0.0.1"]
          )
        })
      )
    )
  })

  describe("Ec2Credentials.source", () => {
    const refuseImds = (options: Ec2Credentials.Options, env: Record<string, string> = {}) =>
      Effect.gen(function* () {
        yield* Ec2Credentials.clearUnreachableMemory()
        const transport = noRequests()
        const error = yield* Effect.flip(
          Ec2Credentials.source(options).resolve.pipe(
            Effect.provideService(HttpTransport.HttpTransport, transport.shape),
            Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))
          )
        )
        assert.deepStrictEqual(transport.calls, [])
        return error
      })

    it.live("refuses an endpoint with user credentials, from an option or the environment, without echoing them", () =>
      Effect.gen(function* () {
        const endpoint = `http://imds:${PASSWORD}@127.0.0.1:1338`
        for (const error of [
          yield* refuseImds({ endpoint }),
          yield* refuseImds({}, { AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint })
        ]) {
          assert.strictEqual(error.reason._tag, "Misconfigured")
          assert.include(error.message, "user credentials")
          assert.notInclude(error.message, PASSWORD)
        }
      })
    )

    it.live("refuses an endpoint with a path, a query or a fragment", () =>
      Effect.gen(function* () {
        for (const endpoint of [
          "http://127.0.0.1:1338/latest/meta-data/",
          "http://127.0.0.1:1338/?redirect=http://10.0.0.1",
          "http://127.0.0.1:1338/#x"
        ]) {
          const error = yield* refuseImds({ endpoint })
          assert.strictEqual(error.reason._tag, "Misconfigured", endpoint)
          assert.include(error.message, "path, query or fragment")
        }
      })
    )

    it.live("refuses an endpoint with a foreign scheme or no URL at all, and an unknown endpoint mode", () =>
      Effect.gen(function* () {
        for (const options of [
          { endpoint: "file:///etc/passwd" },
          { endpoint: "gopher://127.0.0.1:70/" },
          { endpoint: "169.254.169.254" },
          { endpointMode: "IPv5" }
        ]) {
          const error = yield* refuseImds(options)
          assert.strictEqual(error.reason._tag, "Misconfigured", JSON.stringify(options))
        }
      })
    )

    it.live("refuses a configured role name that would change the request path", () =>
      Effect.gen(function* () {
        for (const roleName of ["../../api/token", "role/../../token", "role%2f..", "role?x=1"]) {
          const error = yield* refuseImds({ endpoint: "http://127.0.0.1:1338", roleName })
          assert.strictEqual(error.reason._tag, "Misconfigured", roleName)
          assert.include(error.message, "not a valid role name")
        }
      })
    )

    it.live("refuses a role name IMDS lists that would change the request path, without requesting it", () =>
      Effect.scoped(
        Effect.gen(function* () {
          yield* Ec2Credentials.clearUnreachableMemory()
          const emulator = yield* Effect.acquireRelease(
            Effect.promise(() => ImdsEmulator.start({ credentials: FIXTURE_CREDENTIALS })),
            (running) => Effect.promise(() => running.close())
          )
          emulator.control.fault("/latest/meta-data/iam/security-credentials-extended/", {
            body: "../../api/token",
            times: 1
          })
          const error = yield* Effect.flip(
            Ec2Credentials.source({ endpoint: emulator.url }).resolve.pipe(
              Effect.provideService(HttpTransport.HttpTransport, guardedTransport().shape),
              Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord({}))
            )
          )
          assert.isTrue(CredentialsError.is(error))
          assert.strictEqual(error.reason._tag, "InvalidResponse")
          assert.deepStrictEqual(
            emulator.control.requests().map((request) => request.path),
            ["/latest/api/token", "/latest/meta-data/iam/security-credentials-extended/"]
          )
        })
      )
    )
  })

  describe("ProfileCredentials.source", () => {
    const SCRIPT = Path.join(import.meta.dirname, "support", "credentialProcess.mjs")

    // A credential_process that counts its runs and prints the fixture document.
    const processCommand = () => {
      const spec = writeTemp("spec.json", JSON.stringify({ stdout: Buffer.from(processDocument()).toString("base64") }))
      const counter = writeTemp("runs", "")
      return {
        command: `"${process.execPath}" "${SCRIPT}" "${spec}" "${counter}"`,
        runs: () =>
          Fs.readFileSync(counter, "utf8")
            .split("\n")
            .filter((line) => line !== "").length
      }
    }

    const resolveProfile = (options: ProfileCredentials.Options, env: Record<string, string> = {}) =>
      Effect.result(
        ProfileCredentials.source({ credentialsFile: tempFile("no-credentials"), ...options }).resolve.pipe(
          Effect.provideService(HttpTransport.HttpTransport, noRequests().shape),
          Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env)),
          Effect.provideService(References.MinimumLogLevel, "None")
        )
      )

    const injections = (marker: string): ReadonlyArray<string> => [
      `proc"; touch ${marker}; echo "`,
      `proc$(touch ${marker})`,
      `proc\`touch ${marker}\``,
      `proc && touch ${marker}`,
      `proc\ntouch ${marker}`
    ]

    it.live("never runs a process for a profile name from the environment or an option that holds shell syntax", () =>
      Effect.gen(function* () {
        const marker = tempFile("marker")
        const { command, runs } = processCommand()
        const configFile = writeTemp("config", `[profile proc]\ncredential_process = ${command}\n`)
        for (const name of injections(marker)) {
          for (const [options, env] of [
            [{ configFile, profile: name }, {}],
            [{ configFile }, { AWS_PROFILE: name }],
            [{ configFile }, { AWS_DEFAULT_PROFILE: name }]
          ] as const) {
            const result = yield* resolveProfile(options, env)
            assert.strictEqual(result._tag, "Failure", name)
            if (result._tag === "Failure") assert.strictEqual(result.failure.reason._tag, "Misconfigured")
          }
        }
        assert.strictEqual(runs(), 0, "no credential_process ran")
        assert.isFalse(Fs.existsSync(marker), "no injected command ran")
      })
    )

    it.live("runs only the config file's own command line, whatever the environment around it holds", () =>
      Effect.gen(function* () {
        const marker = tempFile("marker")
        const { command, runs } = processCommand()
        const hostile = `$(touch ${marker})`
        const configFile = writeTemp(
          "config",
          `[profile odd$(touch ${marker})]\ncredential_process = ${command}\n[profile a+b]\ncredential_process = ${command}\n`
        )
        const env = { AWS_REGION: hostile, AWS_DEFAULT_REGION: hostile, AWS_ROLE_SESSION_NAME: hostile }
        const chosen = yield* resolveProfile({ configFile }, { ...env, AWS_PROFILE: "a+b" })
        assert.strictEqual(chosen._tag, "Success")
        if (chosen._tag === "Success") assert.strictEqual(chosen.success.source, "process:a+b")
        // A section whose name holds shell syntax is skipped (and reported), so it can never be chosen.
        const skipped = yield* resolveProfile({ configFile }, { ...env, AWS_PROFILE: `odd$(touch ${marker})` })
        assert.strictEqual(skipped._tag, "Failure")
        if (skipped._tag === "Failure") assert.strictEqual(skipped.failure.reason._tag, "Misconfigured")
        assert.strictEqual(runs(), 1)
        assert.isFalse(Fs.existsSync(marker), "no injected command ran")
      })
    )

    it.live("treats __proto__ and constructor as ordinary profile names and keys, polluting no prototype", () =>
      Effect.gen(function* () {
        const configFile = writeTemp(
          "config",
          [
            "[profile __proto__]",
            `aws_access_key_id = ${FIXTURE.accessKeyId}`,
            `aws_secret_access_key = ${FIXTURE.secretAccessKey}`,
            "polluted = yes",
            "[default]",
            "__proto__ = polluted",
            "constructor = polluted",
            "toString = polluted",
            `aws_access_key_id = ${FIXTURE.accessKeyId}`,
            `aws_secret_access_key = ${FIXTURE.secretAccessKey}`,
            ""
          ].join("\n")
        )
        const credentialsFile = writeTemp(
          "credentials",
          `[__proto__]\npolluted = yes\n[constructor]\nprototype = polluted\n`
        )
        const proto = yield* resolveProfile({ configFile, credentialsFile, profile: "__proto__" })
        assert.strictEqual(proto._tag, "Success")
        if (proto._tag === "Success") assert.strictEqual(proto.success.source, "profile:__proto__")
        const fromEnv = yield* resolveProfile({ configFile, credentialsFile }, { AWS_PROFILE: "__proto__" })
        assert.strictEqual(fromEnv._tag, "Success")
        const defaults = yield* resolveProfile({ configFile, credentialsFile })
        assert.strictEqual(defaults._tag, "Success")
        // Names that exist on every object are not profiles unless a file defines them with credentials.
        for (const name of ["constructor", "toString", "hasOwnProperty", "valueOf", "prototype"]) {
          const result = yield* resolveProfile({ configFile, credentialsFile, profile: name })
          assert.strictEqual(result._tag, "Failure", name)
          if (result._tag === "Failure") assert.oneOf(result.failure.reason._tag, ["Misconfigured", "Unavailable"])
        }
        const probe: Record<string, unknown> = {}
        assert.isUndefined(probe["polluted"])
        assert.isUndefined(probe["aws_access_key_id"])
        assert.strictEqual(typeof probe.toString, "function")
        assert.strictEqual(Object.getPrototypeOf(probe), Object.prototype)
      })
    )
  })
})
