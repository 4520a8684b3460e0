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
    // Tests never see the developer's or the CI machine's real AWS configuration (blank counts as unset).
    env: {
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      AWS_SESSION_TOKEN: "",
      AWS_PROFILE: "",
      AWS_DEFAULT_PROFILE: "",
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "",
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "",
      AWS_WEB_IDENTITY_TOKEN_FILE: "",
      AWS_ROLE_ARN: "",
      AWS_CONFIG_FILE: "/nonexistent/credkit-test/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credkit-test/credentials",
      AWS_EC2_METADATA_DISABLED: "true"
    }
  }
})
