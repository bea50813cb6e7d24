/**
 * Runs started together each deploy the plan they were given (the chaos run found a deploy and an ensure sharing
 * one plan.json, and the deploy deploying the old version). The deployer here is a small script that reads its
 * --plan only after a pause, as the real one reads it after starting up, and answers with what it read.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeployPlanConfig } from "../../src/deployer/core/plan-config";
import { localDeployer } from "../../src/local/deployer-run";

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "deployer-run-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const READ_PLAN_LATE = `
const planPath = process.argv[process.argv.indexOf("--plan") + 1];
setTimeout(() => {
  const plan = JSON.parse(require("node:fs").readFileSync(planPath, "utf8"));
  process.stdout.write(JSON.stringify({ action: process.argv[2], version: plan.version, planPath }) + "\\n");
}, Number(process.env.DELAY_MS));
`;

test("a deploy and an ensure started together each read their own plan, and no plan file is left behind", async () => {
  const script = join(dir, "fake-deployer.js");
  writeFileSync(script, READ_PLAN_LATE);
  const deployer = localDeployer(join(dir, "deployer"), { DELAY_MS: "400" }, () => undefined, script);
  const plan = (version: string) => ({ version }) as unknown as DeployPlanConfig;
  // The deploy is written first and reads last: with one shared file it would read the ensure's plan.
  const deploy = deployer.run(plan("v2"), "deploy");
  const ensure = deployer.run(plan("v1"), "ensure", [], { DELAY_MS: "50" });
  const [deployed, ensured] = await Promise.all([deploy, ensure]);
  expect(deployed).toMatchObject({ action: "deploy", version: "v2" });
  expect(ensured).toMatchObject({ action: "ensure", version: "v1" });
  expect(deployed.planPath).not.toBe(ensured.planPath);
  expect(existsSync(String(deployed.planPath))).toBe(false);
  expect(readdirSync(join(dir, "deployer")).filter((f) => f.endsWith(".json"))).toEqual([]);
});
