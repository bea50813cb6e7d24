/** The deployer's pure parts: manifest checks, JAAS line, masking, plan config, bundle and CLI dry run. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jobModules } from "../../contracts/artifact-manifest";
import { createTablesRequest, maintenanceRequest, modulesOf, streamingRequest } from "../../src/deployer/release/batch-requests";
import { bundleDeployerSync, writeDeployerFiles } from "../../src/deployer/cli/bundle";
import { bootstrapFromConnectionString, cli } from "../../src/deployer/cli/cli";
import { manifestHash, parseManifest } from "../../src/deployer/core/manifest";
import { DEPLOYER_CA_PATH } from "../../contracts/deployer-container";
import { deployPlanConfig, parseDeployPlan } from "../../src/deployer/core/plan-config";
import { redact } from "../../src/deployer/core/progress";
import { eventHubsJaasLine, readSecrets, secretsInEnvironment, secretValues } from "../../src/deployer/core/secrets";
import { buildTestArtifact, fakeConnectionString } from "./support/test-artifact";
import { testEnvironment } from "./support/test-plan";

let work: string;
let artifactDir: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "deployer-units-"));
  artifactDir = join(work, "artifact");
  buildTestArtifact(artifactDir, { version: "unit", jarPayloadBytes: 1024, jarKind: "bytes" });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function manifestJson(): { hash: string; files: { path: string; sha256: string }[] } {
  return JSON.parse(readFileSync(join(artifactDir, "manifest.json"), "utf8"));
}

describe("manifest", () => {
  test("accepts the artifact format of docs/interfaces.md §2 and recomputes its hash", () => {
    const raw = manifestJson();
    expect(parseManifest(JSON.stringify(raw), "a").hash).toBe(manifestHash(raw.files));
  });

  test("refuses a hash that does not match the files, unsorted files and paths leaving the artifact", () => {
    const raw = manifestJson();
    expect(() => parseManifest(JSON.stringify({ ...raw, hash: "a".repeat(64) }), "a")).toThrow("does not match its files");
    expect(() => parseManifest(JSON.stringify({ ...raw, files: [...raw.files].reverse() }), "a")).toThrow("sorted by path");
    const escaping = { ...raw, files: [...raw.files, { ...raw.files[0]!, path: "../../etc/passwd" }] };
    expect(() => parseManifest(JSON.stringify(escaping), "a")).toThrow(`files.${raw.files.length}.path: a relative path without '..'`);
  });
});

describe("secrets", () => {
  test("the JAAS line uses Event Hubs' $ConnectionString user; a malformed string is refused without echoing it", () => {
    const cs = fakeConnectionString();
    expect(eventHubsJaasLine(cs)).toBe(`org.apache.kafka.common.security.plain.PlainLoginModule required username="$ConnectionString" password="${cs}";`);
    const bad = "Endpoint=https://x;SharedAccessKey=hunter2hunter2";
    expect(() => eventHubsJaasLine(bad)).toThrow(/EVENTHUBS_JOB_CONNECTION_STRING: not an Event Hubs connection string/);
    try {
      eventHubsJaasLine(bad);
    } catch (err) {
      expect((err as Error).message).not.toContain("hunter2");
    }
  });

  test("missing variables are named, values never", () => {
    expect(() => readSecrets({ BDC_GATEWAY_USERNAME: "u", BDC_GATEWAY_PASSWORD: "pw-secret" }, { needSas: true })).toThrow(
      "missing environment variable(s): EVENTHUBS_JOB_CONNECTION_STRING, EVENTHUBS_JOB_SEND_CONNECTION_STRING, ARTIFACT_SAS_TOKEN",
    );
  });

  test("the state store's SAS, in the environment or read for a run, is masked whole and by its signature", () => {
    const sas = "sv=2023-11-03&sr=c&sp=racwdl&se=2030-01-01&sig=AbC%2Bd%2Fef%3D";
    const line = `PUT https://acct.blob.core.windows.net/deployments/dev/state?${sas} and sig AbC+d/ef=`;
    for (const values of [secretsInEnvironment({ STATE_STORE_SAS_TOKEN: sas }), secretValues(readSecrets({ STATE_STORE_SAS_TOKEN: sas }, { needSas: false, needEventHubs: false, needGateway: false, needStateStoreSas: true }))]) {
      const masked = redact(line, values);
      expect(masked).not.toContain("AbC");
    }
    expect(() => readSecrets({}, { needSas: false, needEventHubs: false, needGateway: false, needStateStoreSas: true })).toThrow("missing environment variable(s): STATE_STORE_SAS_TOKEN");
  });

  test("redact masks raw and URL-encoded forms", () => {
    expect(redact("a k/e+y= b k%2Fe%2By%3D", ["k/e+y="])).toBe("a *** b ***");
  });
});

describe("deployPlanConfig", () => {
  const manifest = () => parseManifest(readFileSync(join(artifactDir, "manifest.json"), "utf8"), "a");
  const eventhubs = { bootstrap: "ns.servicebus.windows.net:9093", inputTopic: "sensor-readings", outputTopic: "sensor-stats" };

  test("is plain JSON that parseDeployPlan accepts, holds no secret and names the batch after the environment", () => {
    const env = testEnvironment("https://bdc.example.internal:30443", "hdfs://nn:8020");
    const plan = deployPlanConfig(env, manifest(), "https://acct.blob.core.windows.net/artifacts/x/", eventhubs);
    const json = JSON.stringify(plan);
    expect(parseDeployPlan(json, "plan.json")).toEqual(plan);
    expect(plan.batchName).toBe("sensor-aggregation-test");
    expect(plan.job).toMatchObject({ bootstrap_servers: eventhubs.bootstrap, security_protocol: "SASL_SSL", checkpoint_location: env.bdc.job.checkpointLocation });
    expect(json).not.toMatch(/SharedAccessKey|password|sig=/i);
    expect(plan.gatewayCaBundlePath).toBeUndefined();
  });

  test("points at the in-cluster CA mount when the environment has a CA bundle, and passes tokens through unchanged", () => {
    const env = testEnvironment("https://bdc.example.internal:30443", "hdfs://nn:8020");
    const withCa = { ...env, bdc: { ...env.bdc, gatewayCaBundlePath: "certs/bdc-ca.pem" } };
    const plan = deployPlanConfig(withCa, manifest(), "u", { ...eventhubs, bootstrap: "${TfToken[TOKEN.12]}" });
    expect(plan.gatewayCaBundlePath).toBe(DEPLOYER_CA_PATH);
    expect(plan.job.bootstrap_servers).toBe("${TfToken[TOKEN.12]}");
  });

  test("an invalid plan names each wrong field", () => {
    expect(() => parseDeployPlan(JSON.stringify({ version: 1, environment: "x" }), "plan.json")).toThrow(/plan\.json: invalid deploy plan: .*artifact.*hdfs/);
  });
});

describe("batch requests", () => {
  const plan = () => deployPlanConfig(testEnvironment("https://bdc.example.internal:30443", "hdfs://nn:8020"), parseManifest(readFileSync(join(artifactDir, "manifest.json"), "utf8"), "test"), "/artifacts", { bootstrap: "b:9093", inputTopic: "i", outputTopic: "o" });
  const dir = (hash: string) => `hdfs:///apps/ETL-Pipelines/sensor-aggregation/${hash}`;

  test("every batch ships the job modules as pyFiles; maintenance ships create_tables.py too", () => {
    const p = plan();
    const modules = jobModules(p.artifact.manifest.files);
    expect(modules).toEqual(["checkpoint_lease.py", "job_config.py", "job_tables.py"]);
    const inputs = { artifactHash: p.artifact.hash, configPath: "/c.json", jarPaths: [], modules };
    const streaming = streamingRequest(p, inputs);
    const shipped = modules.map((m) => `${dir(p.artifact.hash)}/${m}`);
    expect(streaming.pyFiles).toEqual(shipped);
    expect(createTablesRequest(p, inputs).pyFiles).toEqual(shipped);
    expect(maintenanceRequest(p, inputs).pyFiles).toEqual([`${dir(p.artifact.hash)}/create_tables.py`, ...shipped]);
    expect(modulesOf(streaming)).toEqual(modules);
  });

  test("a release recorded before job modules existed builds its other batches without them", () => {
    const p = plan();
    const old = streamingRequest(p, { artifactHash: p.artifact.hash, configPath: "/c.json", jarPaths: [], modules: [] });
    expect(old).not.toHaveProperty("pyFiles");
    const inputs = { artifactHash: p.artifact.hash, configPath: "/c.json", modules: modulesOf(old) };
    expect(createTablesRequest(p, inputs)).not.toHaveProperty("pyFiles");
    expect(maintenanceRequest(p, inputs).pyFiles).toEqual([`${dir(p.artifact.hash)}/create_tables.py`]);
  });
});

describe("bundle and CLI", () => {
  test("the in-cluster bundle is two files, each well under the 1 MiB ConfigMap limit, that run under node from a bare directory", () => {
    const bundle = bundleDeployerSync();
    expect(Buffer.byteLength(bundle.main.code)).toBeLessThan(800 * 1024);
    expect(Buffer.byteLength(bundle.topicOffsets.code)).toBeLessThan(800 * 1024);
    // The Kafka client is not in deployer.js: it is required from the file beside it.
    expect(bundle.main.code).toContain('require("./topic-offsets")');
    expect(bundle.main.code).not.toContain("UNKNOWN_TOPIC_OR_PARTITION");
    expect(bundle.topicOffsets.code).toContain("UNKNOWN_TOPIC_OR_PARTITION");
    const dir = mkdtempSync(join(tmpdir(), "deployer-bundle-"));
    const file = writeDeployerFiles(dir, bundle);
    const kafka = execFileSync("node", ["-e", 'const m = require(process.argv[1]); process.stdout.write(typeof m.endOffsets)', join(dir, "topic-offsets.js")], { cwd: dir, encoding: "utf8" });
    expect(kafka).toBe("function");
    expect(execFileSync("node", [file, "--help"], { encoding: "utf8" })).toContain("<mode>");
    expect(() => execFileSync("node", [file, "deploy", "--plan", join(work, "missing.json")], { stdio: "pipe" })).toThrow(/Command failed/);
  });

  test("--dry-run prints the plan without secrets or gateway contact", async () => {
    const chunks: string[] = [];
    const spy = jest.spyOn(process.stdout, "write").mockImplementation((c) => (chunks.push(String(c)), true));
    const err = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await cli(["--env", "dev", "--artifact", artifactDir, "--dry-run"], {})).toBe(0);
    } finally {
      spy.mockRestore();
      err.mockRestore();
    }
    const out = chunks.join("");
    expect(out).toContain('streaming batch "sensor-aggregation-dev"');
    expect(out).toContain(
      "Event Hubs JAAS files (mode 600, named by a fingerprint of their content): /user/{user}/.sensor-aggregation/dev/jaas-<sha256>.conf (listen), /user/{user}/.sensor-aggregation/dev/jaas-output-<sha256>.conf (send)",
    );
  });

  test("a real run without secrets fails naming the missing variables", async () => {
    const err: string[] = [];
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((c) => (err.push(String(c)), true));
    try {
      expect(await cli(["--env", "dev", "--artifact", artifactDir], {})).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(err.join("")).toContain(
      "missing environment variable(s): BDC_GATEWAY_USERNAME, BDC_GATEWAY_PASSWORD, EVENTHUBS_JOB_CONNECTION_STRING, EVENTHUBS_JOB_SEND_CONNECTION_STRING",
    );
  });

  test("the bootstrap comes from the connection string's endpoint", () => {
    expect(bootstrapFromConnectionString(fakeConnectionString())).toBe("sensors-test.servicebus.windows.net:9093");
  });
});
