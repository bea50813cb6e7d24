/**
 * Runs the deployer on the local stack the way the in-cluster Job runs it: the same bundle (bundle.ts),
 * `node deployer.js <mode> --plan plan.json`, its secrets in the environment as the Job gets them from its
 * Secret. Its progress lines go to `log`; it resolves to the mode's result line (JSON) or throws with its error.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { writeDeployerFiles } from "../deployer/bundle";
import type { DeployMode } from "../deployer/deploy";
import type { DeployPlanConfig } from "../deployer/plan-config";

export interface LocalDeployer {
  /** One deployer run with this plan (written as plan.json, as the stack writes its ConfigMap). */
  run(plan: DeployPlanConfig, mode: DeployMode, extraArgs?: readonly string[], extraEnv?: Readonly<Record<string, string>>): Promise<Record<string, unknown>>;
  /** Ends a run still going (SIGTERM), as stopping the stack under it would make it fail anyway. */
  stop(): void;
}

export function localDeployer(dir: string, secrets: Record<string, string>, log: (line: string) => void): LocalDeployer {
  mkdirSync(dir, { recursive: true });
  const bundlePath = writeDeployerFiles(dir);
  const planPath = join(dir, "plan.json");
  const running = new Set<ReturnType<typeof spawn>>();
  return {
    stop: () => {
      for (const child of running) child.kill("SIGTERM");
    },
    run: (plan, mode, extraArgs = [], extraEnv = {}) =>
      new Promise((resolvePromise, reject) => {
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
        child.on("error", reject);
        child.on("close", (code) => {
          running.delete(child);
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
