/**
 * Jest runs TypeScript through swc: type checking is `npm run typecheck`, kept out of the test loop for speed.
 * Two projects: `unit` needs only Node (`npm run test:unit` proves it by hiding every other tool), and
 * `integration` starts real services (Kafka, HDFS, Livy, Azurite) or runs Terraform, Go-built or Java tools.
 */
const ignored = ["/node_modules/", "/cdktf.out/", "/dist/", "/.venv/", "/jobs/"];

/** The specs that need more than Node, each with what it needs. */
const integration = [
  "test/ci/actionlint.spec.ts", // Go-built actionlint
  "test/ci/diff-environment.spec.ts", // terraform
  "test/ci/validate-stacks.spec.ts", // terraform
  "test/deployer/artifact-azurite.spec.ts", // Azurite
  "test/deployer/deploy-scenarios.spec.ts", // HDFS, Livy, Spark
  "test/deployer/hdfs-sync.spec.ts", // HDFS
  "test/deployer/livy-endpoints.spec.ts", // HDFS, Livy, Spark
  "test/deployer/livy-spark31.spec.ts", // HDFS, Livy, the Spark 3.1 lane
  "test/deployer/livy-target.spec.ts", // HDFS, Livy, Spark
  "test/deployer/blob-stores.spec.ts", // Azurite
  "test/deployer/lock-fencing.spec.ts", // HDFS (its real-HDFS breakers)
  "test/deployer/knox-gateway.spec.ts", // HDFS, Livy, Apache Knox
  "test/deployer/one-driver-guards.spec.ts", // HDFS, Livy, Spark
  "test/deployer/reconciler-faults.spec.ts", // HDFS, Livy, Spark
  "test/deployer/shared-jars.spec.ts", // HDFS
  "test/deployer/status.spec.ts", // HDFS, Kafka
  "test/deployer/webhdfs-client.spec.ts", // HDFS
  "test/e2e/pipeline.spec.ts", // the whole local stack
  "test/e2e/pipeline-livy.spec.ts", // the whole local stack, no gateway
  "test/harness/kafka/broker.spec.ts", // Kafka
  "test/simulator/simulator.kafka.spec.ts", // Kafka
];

const common = {
  testEnvironment: "node",
  roots: ["<rootDir>"],
  transform: { "^.+\\.tsx?$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  setupFilesAfterEnv: ["<rootDir>/test/setup-cdktf-matchers.ts"],
};

module.exports = {
  testTimeout: 120000,
  testSequencer: "<rootDir>/test/longest-first-sequencer.js",
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: ["**/*.spec.ts", "**/*.test.ts"],
      testPathIgnorePatterns: [...ignored, ...integration.map((path) => `<rootDir>/${path}`)],
    },
    {
      ...common,
      displayName: "integration",
      testMatch: integration.map((path) => `<rootDir>/${path}`),
      testPathIgnorePatterns: ignored,
    },
  ],
};
