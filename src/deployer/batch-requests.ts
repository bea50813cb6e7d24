/** The Livy batch bodies for the table DDL and the streaming job. Only paths and sizing: no secret. */
import type { BatchSpec } from "./deploy-state";
import { jobDir } from "./hdfs-sync";
import type { BatchRequest } from "./livy-client";
import type { DeployPlanConfig } from "./plan-config";

function uri(plan: DeployPlanConfig, path: string): string {
  return `${plan.hdfs.uriPrefix}${path}`;
}

function sizing(plan: DeployPlanConfig): Pick<BatchRequest, "driverMemory" | "driverCores" | "executorMemory" | "executorCores" | "numExecutors" | "conf"> {
  const s = plan.spark;
  return {
    driverMemory: s.driverMemory,
    driverCores: s.driverCores,
    executorMemory: s.executorMemory,
    executorCores: s.executorCores,
    numExecutors: s.executors,
    conf: { ...s.conf },
  };
}

export function streamingRequest(plan: DeployPlanConfig, spec: BatchSpec): BatchRequest {
  const dir = jobDir(plan.hdfs.jobRoot, spec.artifactHash);
  return {
    name: plan.batchName,
    file: uri(plan, `${dir}/job.py`),
    args: ["--config", uri(plan, spec.configPath)],
    jars: spec.jars.map((j) => uri(plan, `${plan.hdfs.jarsDir}/${j}`)),
    ...sizing(plan),
  };
}

export function createTablesRequest(plan: DeployPlanConfig, spec: BatchSpec): BatchRequest {
  const dir = jobDir(plan.hdfs.jobRoot, spec.artifactHash);
  const s = plan.spark;
  return {
    name: `${plan.batchName}-create-tables`,
    file: uri(plan, `${dir}/create_tables.py`),
    args: ["--config", uri(plan, spec.configPath), "--sql", uri(plan, `${dir}/tables.sql`)],
    // DDL needs no executors beyond the minimum.
    driverMemory: s.driverMemory,
    driverCores: 1,
    executorMemory: s.executorMemory,
    executorCores: 1,
    numExecutors: 1,
    conf: { ...s.conf },
  };
}
