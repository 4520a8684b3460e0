/**
 * Shared vitest settings. Every package writes `.vitest-report.json`, which the root test command
 * sums into one `N passed, N failed` line.
 *
 * @param {{ testTimeout?: number, include?: string[] }} [overrides]
 */
export const credkitVitest = (overrides = {}) => ({
  test: {
    include: overrides.include ?? ["test/**/*.test.ts"],
    testTimeout: overrides.testTimeout ?? 20_000,
    hookTimeout: 20_000,
    reporters: ["default", ["json", { outputFile: ".vitest-report.json" }]],
    // Tests never see the developer's real AWS configuration.
    env: {
      AWS_CONFIG_FILE: "/nonexistent/credkit-test/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credkit-test/credentials",
      AWS_EC2_METADATA_DISABLED: "true"
    }
  }
})
