import { assert, describe, it } from "@effect/vitest"

import { parse, parseDestination } from "../src/args.js"

const run = (argv: ReadonlyArray<string>) => {
  const parsed = parse(argv)
  if (parsed._tag !== "Run") return assert.fail(`expected Run, got ${JSON.stringify(parsed)}`)
  return parsed.options
}

const invalid = (argv: ReadonlyArray<string>) => {
  const parsed = parse(argv)
  if (parsed._tag !== "Invalid") return assert.fail(`expected Invalid, got ${parsed._tag}`)
  return parsed.message
}

describe("args", () => {
  describe("parse", () => {
    it("returns the inputs, bucket and defaults when only paths and a destination are given", () => {
      const options = run(["a.txt", "dir", "s3://my-bucket"])
      assert.deepStrictEqual(options, {
        inputs: ["a.txt", "dir"],
        bucket: "my-bucket",
        prefix: "",
        concurrency: 4,
        partSize: 5 * 1024 * 1024,
        endpoint: undefined,
        pathStyle: false,
        region: undefined,
        profile: undefined,
        dryRun: false,
        json: false,
        verbose: false
      })
    })

    it("reads every option when all are given", () => {
      const options = run([
        "dir",
        "s3://b/backups/today",
        "--concurrency",
        "8",
        "--part-size",
        "16",
        "--endpoint",
        "http://127.0.0.1:9000",
        "--path-style",
        "--region",
        "eu-west-1",
        "--profile",
        "work",
        "--dry-run",
        "--json",
        "--verbose"
      ])
      assert.strictEqual(options.prefix, "backups/today/")
      assert.strictEqual(options.concurrency, 8)
      assert.strictEqual(options.partSize, 16 * 1024 * 1024)
      assert.strictEqual(options.endpoint, "http://127.0.0.1:9000")
      assert.isTrue(options.pathStyle && options.dryRun && options.json && options.verbose)
      assert.strictEqual(options.region, "eu-west-1")
      assert.strictEqual(options.profile, "work")
    })

    it("returns Help when -h is given", () => {
      assert.deepStrictEqual(parse(["-h"]), { _tag: "Help" })
    })

    it("fails when the destination is missing", () => {
      assert.include(invalid(["only-one"]), "the destination s3://bucket")
      assert.include(invalid(["a", "b"]), 'must be the destination s3://bucket[/prefix], got "b"')
    })

    it("fails when a number is out of range", () => {
      assert.include(invalid(["a", "s3://b", "--concurrency", "0"]), "--concurrency takes a whole number from 1 to 64")
      assert.include(invalid(["a", "s3://b", "--concurrency", "two"]), "--concurrency")
      assert.include(invalid(["a", "s3://b", "--part-size", "4"]), "--part-size takes a whole number from 5")
    })

    it("fails when the endpoint is not an http URL", () => {
      assert.include(invalid(["a", "s3://b", "--endpoint", "ftp://x"]), "--endpoint takes an http:// or https:// URL")
      assert.include(invalid(["a", "s3://b", "--endpoint", "not a url"]), "--endpoint")
    })

    it("fails when an option is unknown", () => {
      assert.include(invalid(["a", "s3://b", "--recursive"]), "--recursive")
    })
  })

  describe("parseDestination", () => {
    it("normalises the prefix to end with one slash when one is given", () => {
      assert.deepStrictEqual(parseDestination("s3://b"), { bucket: "b", prefix: "" })
      assert.deepStrictEqual(parseDestination("s3://b/"), { bucket: "b", prefix: "" })
      assert.deepStrictEqual(parseDestination("s3://b/p"), { bucket: "b", prefix: "p/" })
      assert.deepStrictEqual(parseDestination("s3://b//p/q/"), { bucket: "b", prefix: "p/q/" })
    })

    it("fails when the bucket is empty", () => {
      assert.isString(parseDestination("s3:///p"))
    })
  })
})
