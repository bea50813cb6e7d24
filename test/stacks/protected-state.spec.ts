/**
 * A protected environment refuses local state (config/state-rules.ts, stacks/environment-stacks.ts): generated
 * cases over the environments, their protection, the state variables set and the synth mode, each checked
 * against a model of the rule written here; then the real entry points, main.ts and `npm run plan`.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from "pure-rand";
import { ConfigError, ENVIRONMENT_NAMES, applyOverrides, environmentViolations, formatViolation, loadEnvironment, validateEnvironment, type EnvironmentConfig } from "../../config";
import { addEnvironmentStacks, applyStateBackend } from "../../stacks/environment-stacks";
import { PLAN_ONLY_BACKEND } from "../../stacks/lib/plan-only-backend";
import { variant } from "../config/helpers";
import { STATE_ACCOUNT, remoteStateVariables } from "./remote-state";

type TfJson = { terraform?: { backend?: Record<string, Record<string, unknown>> }; data?: Record<string, unknown>; [key: string]: unknown };

const pick = <T>(rng: RandomGenerator, items: readonly T[]): T => items[unsafeUniformIntDistribution(0, items.length - 1, rng)]!;

/** The state fields a remote backend needs, with the variable key config/overrides.ts reads for each. */
const FIELDS = [
  { field: "storageAccountName", key: "STATE_STORAGE_ACCOUNT", value: STATE_ACCOUNT.storageAccountName },
  { field: "resourceGroupName", key: "STATE_RESOURCE_GROUP", value: STATE_ACCOUNT.resourceGroupName },
] as const;

/** The backend a stack of `env` gets (its type), or the error a deploy synth throws. */
function backendOf(env: EnvironmentConfig, mode: "deploy" | "plan"): { type: string } | { refused: ConfigError } {
  const stack = new TerraformStack(Testing.app(), "probe");
  try {
    applyStateBackend(stack, env, mode);
  } catch (error) {
    if (error instanceof ConfigError) return { refused: error };
    throw error;
  }
  const json = JSON.parse(Testing.synth(stack)) as TfJson;
  return { type: Object.keys(json.terraform?.backend ?? {})[0] ?? "(none)" };
}

describe("state backend of generated environments", () => {
  it("is remote when a storage account is named, refused or plan-only when required and missing, else local", () => {
    const seed = Date.now();
    const rng = xoroshiro128plus(seed);
    for (let i = 0; i < 300; i++) {
      const name = pick(rng, ENVIRONMENT_NAMES);
      const preventDestroy = pick(rng, [true, false]);
      const requireRemote = pick(rng, [undefined, true, false]);
      const mode = pick(rng, ["deploy", "plan"] as const);
      // Each field: unset, set for every environment, for this one, or for another one only (which must not count).
      const other = ENVIRONMENT_NAMES.find((candidate) => candidate !== name)!;
      const variables: Record<string, string> = {};
      const set = new Set<string>();
      for (const { field, key, value } of FIELDS) {
        const how = pick(rng, ["unset", "every", "own", "other"] as const);
        if (how === "every") variables[`SENSORS_${key}`] = value;
        if (how === "own") variables[`SENSORS_${name.toUpperCase()}_${key}`] = value;
        if (how === "other") variables[`SENSORS_${other.toUpperCase()}_${key}`] = value;
        if (how === "every" || how === "own") set.add(field);
      }
      const changes = { eventHubs: { preventDestroy }, ...(requireRemote === undefined ? {} : { stateBackend: { requireRemote } }) };
      const input = applyOverrides(variant(changes, name), variables).input;
      const context = `seed ${seed}, case ${i}: ${JSON.stringify({ name, preventDestroy, requireRemote, mode, variables })}`;

      // The model: its own flag, else protection; a protected environment cannot turn it off.
      const required = requireRemote ?? preventDestroy;
      if (requireRemote === false && preventDestroy) {
        expect([context, environmentViolations(name, input).map(formatViolation)]).toEqual([context, expect.arrayContaining([expect.stringContaining(`${name}: stateBackend.requireRemote: false`)])]);
        continue;
      }
      if (set.has("storageAccountName") && !set.has("resourceGroupName")) continue; // the tier rules refuse it (their own spec)
      const env = validateEnvironment(name, input);
      const backend = backendOf(env, mode);

      if (set.has("storageAccountName")) expect([context, backend]).toEqual([context, { type: "azurerm" }]);
      else if (!required) expect([context, backend]).toEqual([context, { type: "local" }]);
      else if (mode === "plan") expect([context, backend]).toEqual([context, { type: PLAN_ONLY_BACKEND }]);
      else {
        expect([context, "refused" in backend]).toEqual([context, true]);
        const message = (backend as { refused: ConfigError }).refused.message;
        expect(message).toContain(`Refusing to synthesize ${name} for deployment with local state`);
        for (const { field, key } of FIELDS.filter(({ field }) => !set.has(field))) {
          expect([context, message]).toEqual([context, expect.stringContaining(`${name}: stateBackend.${field}: (missing)`)]);
          expect([context, message]).toEqual([context, expect.stringContaining(`set SENSORS_${key} (or SENSORS_${name.toUpperCase()}_${key} for ${name} only)`)]);
        }
        // Nothing of the environment is added to the app: no stack to synthesize beside the refusal.
        const app = Testing.app();
        expect(() => addEnvironmentStacks(app, env, mode)).toThrow(ConfigError);
        expect([context, app.node.children.length]).toEqual([context, 0]);
      }
    }
  });
});

describe("prod (protected by eventHubs.preventDestroy)", () => {
  it("requires remote state with no flag of its own", () => {
    const prod = loadEnvironment("prod", { variables: {} });
    expect(prod.stateBackend.requireRemote).toBeUndefined();
    expect(prod.eventHubs.preventDestroy).toBe(true);
    expect(backendOf(prod, "deploy")).toEqual({ refused: expect.any(ConfigError) });
  });

  it("plans exactly what it deploys: only the backend and the lookups of the earlier stack differ", () => {
    const synthesize = (env: EnvironmentConfig, mode: "deploy" | "plan"): TfJson[] => {
      const stacks = addEnvironmentStacks(Testing.app(), env, mode);
      return [stacks.eventhubs, stacks.bdc].map((stack) => JSON.parse(Testing.synth(stack)) as TfJson);
    };
    const planned = synthesize(loadEnvironment("prod", { variables: {} }), "plan");
    const deployed = synthesize(loadEnvironment("prod", { variables: remoteStateVariables() }), "deploy");
    const withoutState = ({ terraform, data, ...rest }: TfJson) => {
      const { terraform_remote_state: _lookups, ...otherData } = (data ?? {}) as Record<string, unknown>;
      const { backend: _backend, ...otherTerraform } = terraform ?? {};
      return { ...rest, terraform: otherTerraform, data: otherData };
    };
    expect(planned.map(withoutState)).toEqual(deployed.map(withoutState));
    expect(planned.map((json) => Object.keys(json.terraform?.backend ?? {}))).toEqual([[PLAN_ONLY_BACKEND], [PLAN_ONLY_BACKEND]]);
    expect(deployed.map((json) => Object.keys(json.terraform?.backend ?? {}))).toEqual([["azurerm"], ["azurerm"]]);
  });
});

// The real entry points in child processes, as `cdktf synth` and `npm run plan` run them.
const root = resolve(__dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

function run(script: string, variables: Record<string, string>): SpawnSyncReturns<string> & { outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), "sensors-protected-"));
  outdirs.push(outdir);
  // No SENSORS_* from the caller's shell: the case says exactly which are set.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("SENSORS_")));
  return { ...spawnSync(tsx, [script], { cwd: root, env: { ...env, ...variables, CDKTF_OUTDIR: outdir }, encoding: "utf8" }), outdir };
}

const synthesizedFiles = (outdir: string): string[] =>
  existsSync(outdir) ? (readdirSync(outdir, { recursive: true }) as string[]).filter((path) => path.endsWith(".json")) : [];

describe("main.ts (cdktf synth)", () => {
  it.each([
    ["prod alone", { SENSORS_ENV: "prod" }],
    ["every environment", {}],
    ["prod with the resource group only", { SENSORS_ENV: "prod", SENSORS_STATE_RESOURCE_GROUP: "rg-tfstate" }],
    ["prod with another environment's account", { SENSORS_ENV: "prod", SENSORS_DEV_STATE_STORAGE_ACCOUNT: "sensorstfstate", SENSORS_DEV_STATE_RESOURCE_GROUP: "rg-tfstate" }],
  ])("refuses %s without prod's remote state: exit 1, no stack written, the variables named", (_label, variables) => {
    const result = run("main.ts", variables);
    expect({ status: result.status, files: synthesizedFiles(result.outdir) }).toEqual({ status: 1, files: [] });
    expect(result.stderr).toContain("Refusing to synthesize prod for deployment with local state");
    expect(result.stderr).toContain("SENSORS_STATE_STORAGE_ACCOUNT (or SENSORS_PROD_STATE_STORAGE_ACCOUNT for prod only)");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("synthesizes prod with an azurerm backend once the variables are set", () => {
    const result = run("main.ts", { SENSORS_ENV: "prod", SENSORS_STATE_STORAGE_ACCOUNT: "sensorstfstate", SENSORS_STATE_RESOURCE_GROUP: "rg-tfstate" });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
    const json = JSON.parse(readFileSync(join(result.outdir, "stacks", "sensors-prod-eventhubs", "cdk.tf.json"), "utf8")) as TfJson;
    expect(Object.keys(json.terraform?.backend ?? {})).toEqual(["azurerm"]);
  });

  it("refuses a synth mode it does not know", () => {
    const result = run("main.ts", { SENSORS_SYNTH_MODE: "apply" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('SENSORS_SYNTH_MODE: "apply" — one of deploy, plan');
  });
});

describe("npm run plan (scripts/plan-summary.ts) without prod's remote state", () => {
  it("prints prod's plan with a warning and writes prod's stacks only with a backend terraform init refuses", () => {
    const result = run("scripts/plan-summary.ts", {});
    expect({ status: result.status }).toEqual({ status: 0 });
    expect(result.stdout).toContain("=== prod\nWARNING: prod requires remote state and has none: plan only, its stacks cannot be deployed");
    expect(result.stdout).toContain("namespace sensors-prod-p9x3c: Premium, 6 PU, TLS 1.2, prevent_destroy");
    expect(result.stdout).toContain("sensors-prod-eventhubs  (state: none: plan only, cdktf deploy refuses this stack)");
    expect(result.stderr).toContain("warning: plan only, not deployable: prod: stateBackend.storageAccountName: (missing)");
    expect(result.stdout).not.toContain("WARNING: dev");
    const backends = Object.fromEntries(
      readdirSync(join(result.outdir, "stacks")).map((stack) => {
        const json = JSON.parse(readFileSync(join(result.outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as TfJson;
        return [stack, Object.keys(json.terraform?.backend ?? {})];
      }),
    );
    expect(backends).toEqual({
      "sensors-dev-eventhubs": ["local"],
      "sensors-dev-bdc": ["local"],
      "sensors-staging-eventhubs": ["local"],
      "sensors-staging-bdc": ["local"],
      "sensors-prod-eventhubs": [PLAN_ONLY_BACKEND],
      "sensors-prod-bdc": [PLAN_ONLY_BACKEND],
    });
  });
});
