// Environments deployed to one BDC must not share the job's checkpoint or its tables: a second job on the same
// checkpoint would fight over its offsets, and one environment's batch_id partitions would overwrite the other's.
import type { EnvironmentSettings } from "./schema";
import type { Violation } from "./violation";

type ClusterSettings = Pick<EnvironmentSettings, "name" | "bdc">;

/** The same gateway, however its URL is spelled (case, default port, trailing slash). */
function clusterKey(gatewayUrl: string): string {
  const url = new URL(gatewayUrl);
  return `${url.hostname.toLowerCase()}:${url.port || "443"}`;
}

const SHARED_STATE: readonly { path: string; of: (env: ClusterSettings) => string; what: string }[] = [
  { path: "bdc.job.checkpointLocation", of: (env) => env.bdc.job.checkpointLocation, what: "a checkpoint location" },
  { path: "bdc.job.database", of: (env) => env.bdc.job.database, what: "a database (its tables)" },
];

/** Violations for every environment that reuses, on the same BDC, what an earlier environment already uses. */
export function sharedClusterViolations(environments: readonly ClusterSettings[]): Violation[] {
  const violations: Violation[] = [];
  const firstUser = new Map<string, string>();
  for (const env of environments) {
    const cluster = clusterKey(env.bdc.gatewayUrl);
    for (const state of SHARED_STATE) {
      const key = `${cluster}|${state.path}|${state.of(env)}`;
      const other = firstUser.get(key);
      if (other === undefined) {
        firstUser.set(key, env.name);
      } else {
        violations.push({
          env: env.name,
          path: state.path,
          value: state.of(env),
          allowed: `${state.what} no other environment on the same BDC (${cluster}) uses; ${other} already uses it`,
        });
      }
    }
  }
  return violations;
}
