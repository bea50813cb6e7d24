/** Jest runs TypeScript through swc: type checking is `npm run typecheck`, kept out of the test loop for speed. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>"],
  testMatch: ["**/*.spec.ts", "**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/cdktf.out/", "/dist/", "/.venv/", "/jobs/"],
  transform: { "^.+\\.tsx?$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  setupFilesAfterEnv: ["<rootDir>/test/setup-cdktf-matchers.ts"],
  testTimeout: 120000,
};
