// Runs the real entry points (main.ts as `cdktf synth` runs it, and `npm run plan`'s summary) in child processes.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, type Dirent } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { remoteStateVariables } from "./remote-state";

const root = resolve(__dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const outdirs: string[] = [];

function run(script: string, variables: Record<string, string>): SpawnSyncReturns<string> & { outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), "sensors-synth-"));
  outdirs.push(outdir);
  // Start from a clean slate of SENSORS_* so that the caller's shell cannot change the result.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("SENSORS_")));
  const result = spawnSync(tsx, [script], { cwd: root, env: { ...env, ...variables, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
  return { ...result, outdir };
}

const stackJson = (outdir: string, stack: string): Record<string, Record<string, Record<string, Record<string, unknown>>>> =>
  JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** A pipeline's state variables for prod (it refuses local state); no credentials. */
const STATE = remoteStateVariables();

describe("main.ts", () => {
  it("synthesizes every environment by default, without credentials", () => {
    const result = run("main.ts", STATE);
    // Status and stderr together, so a failure shows why.
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.not.stringMatching(/error/i) });
    expect(readdirSync(join(result.outdir, "stacks")).filter((s) => s.endsWith("-eventhubs")).sort()).toEqual([
      "sensors-dev-eventhubs",
      "sensors-prod-eventhubs",
      "sensors-staging-eventhubs",
    ]);
    for (const env of ["dev", "staging", "prod"]) {
      const json = stackJson(result.outdir, `sensors-${env}-eventhubs`);
      const namespaces = Object.values(json.resource?.azurerm_eventhub_namespace ?? {});
      expect(namespaces).toHaveLength(1);
      expect(namespaces[0]?.minimum_tls_version).toBe("1.2");
      expect(Object.values(json.resource?.azurerm_eventhub ?? {}).map((hub) => hub.name).sort()).toEqual(["sensor-readings", "sensor-stats"]);
      const rules = Object.values(json.resource?.azurerm_eventhub_authorization_rule ?? {});
      expect(rules.length).toBeGreaterThan(0);
      expect(rules.every((rule) => rule.manage === false)).toBe(true);
      expect(namespaces[0]?.lifecycle).toEqual(env === "prod" ? { prevent_destroy: true } : undefined);
    }
  });

  it("synthesizes only the environment named by SENSORS_ENV", () => {
    const result = run("main.ts", { ...STATE, SENSORS_ENV: "prod" });
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
    expect(readdirSync(join(result.outdir, "stacks")).filter((s) => s.startsWith("sensors-"))).toEqual(
      readdirSync(join(result.outdir, "stacks")).filter((s) => s.startsWith("sensors-prod-")),
    );
    expect(existsSync(join(result.outdir, "stacks", "sensors-prod-eventhubs", "cdk.tf.json"))).toBe(true);
  });

  it("lets the cdktf context env (CDKTF_CONTEXT_JSON, as cdktf.json's context arrives) win over SENSORS_ENV", () => {
    const result = run("main.ts", { CDKTF_CONTEXT_JSON: JSON.stringify({ env: "staging" }), SENSORS_ENV: "prod" });
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
    const stacks = readdirSync(join(result.outdir, "stacks"));
    expect(stacks).toContain("sensors-staging-eventhubs");
    expect(stacks.filter((s) => !s.startsWith("sensors-staging-"))).toEqual([]);
  });

  it("synthesizes from its precompiled file exactly what it synthesizes from source", () => {
    const precompiled = run("main.ts", STATE);
    // Source-mapped stacks asked for: main.ts then loads the app from source under tsx.
    const fromSource = run("main.ts", { ...STATE, NODE_OPTIONS: "--enable-source-maps" });
    expect([precompiled.status, fromSource.status]).toEqual([0, 0]);
    const files = (outdir: string): Record<string, string> =>
      Object.fromEntries(
        (readdirSync(outdir, { recursive: true, withFileTypes: true }) as Dirent[])
          .filter((entry) => entry.isFile())
          .map((entry) => { const path = join(entry.parentPath, entry.name); return [relative(outdir, path), readFileSync(path, "utf8")]; }),
      );
    const expected = files(fromSource.outdir);
    expect(Object.keys(expected).filter((path) => path.endsWith("cdk.tf.json"))).toHaveLength(6);
    expect(files(precompiled.outdir)).toEqual(expected);
  });

  it("fails synth with one message listing every violation, without a stack trace", () => {
    const result = run("main.ts", { SENSORS_DEV_BDC_GATEWAY_URL: "http://bdc:30443", SENSORS_PROD_STATE_STORAGE_ACCOUNT: "Bad_Account" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Invalid environment configuration (3 problems):");
    expect(result.stderr).toContain('dev: bdc.gatewayUrl: "http://bdc:30443" — https://<host>:<port>');
    expect(result.stderr).toContain('prod: stateBackend.storageAccountName: "Bad_Account" — 3–24 lower-case letters and digits');
    expect(result.stderr).toContain("prod: stateBackend.resourceGroupName: (missing) — required when stateBackend.storageAccountName is set");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(result.outdir, "manifest.json"))).toBe(false);
  });
});

describe("npm run plan (scripts/plan-summary.ts)", () => {
  it("prints per environment the resources, capacity, topics and who may send/listen where", () => {
    const result = run("scripts/plan-summary.ts", {});
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
    const out = result.stdout;
    expect(out.indexOf("=== dev")).toBeLessThan(out.indexOf("=== staging"));
    expect(out.indexOf("=== staging")).toBeLessThan(out.indexOf("=== prod"));
    expect(out).toContain("resources: 2 azurerm_eventhub, 4 azurerm_eventhub_authorization_rule, 1 azurerm_eventhub_namespace, 1 azurerm_monitor_action_group, 6 azurerm_monitor_metric_alert, 1 azurerm_resource_group");
    expect(out).toContain("namespace sensors-dev-d7k2q: Standard, 1 TU, auto-inflate up to 2 TU, TLS 1.2");
    expect(out).toContain("namespace sensors-prod-p9x3c: Premium, 6 PU, TLS 1.2, prevent_destroy");
    expect(out).toMatch(/sensor-readings\s+32\s+14 days/);
    expect(out).toMatch(/aggregation-job\s+sensor-readings\s+-\s+listen\s+-/);
    expect(out).toMatch(/simulator\s+sensor-readings\s+send\s+-\s+-/);
    expect(out).not.toContain("MANAGE");
    // The Spark sizing: each value as set by the environment or derived from its expected load (dev sets its executors and maxOffsetsPerTrigger, not its trigger).
    expect(out).toMatch(/executors\s+1 × 1 cores\s+set\s+1 × 1 cores/);
    expect(out).toMatch(/triggerInterval\s+15 seconds\s+derived/);
    // Connection strings are references in the synthesized JSON and are never printed.
    expect(out).not.toMatch(/SharedAccessKey|primary_connection_string/);
  });
});
