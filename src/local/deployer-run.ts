/**
 * Runs the deployer on the local stack the way the in-cluster Job runs it: the same bundle (bundle.ts),
 * `node deployer.js <mode> --plan plan.json`, its secrets in the environment as the Job gets them from its
 * Secret. Its progress lines go to `log`; it resolves to the mode's result line (JSON) or throws with its error.
 * Each run has its own plan file, removed when it ends: runs started together (a deploy and an ensure) each
 * deploy what they were given.
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { writeDeployerFiles } from "../deployer/cli/bundle";
import type { DeployMode } from "../deployer/reconcile/context";
import type { DeployPlanConfig } from "../deployer/core/plan-config";

export interface LocalDeployer {
  /** One deployer run with this plan (written as plan.json, as the stack writes its ConfigMap). */
  run(plan: DeployPlanConfig, mode: DeployMode, extraArgs?: readonly string[], extraEnv?: Readonly<Record<string, string>>): Promise<Record<string, unknown>>;
  /** Ends a run still going (SIGTERM), as stopping the stack under it would make it fail anyway. */
  stop(): void;
}

/** bundlePath: the deployer to run (default: the bundle, written into dir). */
export function localDeployer(dir: string, secrets: Record<string, string>, log: (line: string) => void, bundlePath = writeDeployerFiles(dir)): LocalDeployer {
  mkdirSync(dir, { recursive: true });
  const running = new Set<ReturnType<typeof spawn>>();
  let runs = 0;
  return {
    stop: () => {
      for (const child of running) child.kill("SIGTERM");
    },
    run: (plan, mode, extraArgs = [], extraEnv = {}) =>
      new Promise((resolvePromise, reject) => {
        runs += 1;
        const planPath = join(dir, `plan-${runs}-${mode}.json`);
        writeFileSync(planPath, `${JSON.stringify(plan, null, 2)}\n`);
        const child = spawn(process.execPath, [bundlePath, mode, "--plan", planPath, ...extraArgs], {
          env: { PATH: process.env.PATH ?? "", ...secrets, ...extraEnv },
          stdio: ["ignore", "pipe", "pipe"],
        });
        running.add(child);
        let result = "";
        let lastError = "";
        createInterface({ input: child.stdout }).on("line", (line) => (result = line));
        createInterface({ input: child.stderr }).on("line", (line) => {
          if (line.startsWith("deployer: ")) lastError = line.slice("deployer: ".length);
          log(line);
        });
        child.on("error", (err) => {
          rmSync(planPath, { force: true });
          reject(err);
        });
        child.on("close", (code) => {
          running.delete(child);
          rmSync(planPath, { force: true });
          if (code === 0) {
            try {
              resolvePromise(JSON.parse(result) as Record<string, unknown>);
            } catch {
              resolvePromise({ output: result });
            }
          } else reject(new Error(`deployer ${mode} exited ${code}: ${lastError || "see its lines above"}`));
        });
      }),
  };
}
