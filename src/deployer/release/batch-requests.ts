/** The Livy batch bodies for the table DDL and the streaming job. Only paths and sizing: no secret. */
import { posix } from "node:path";
import { JOB_SCRIPTS } from "../../../contracts/artifact-manifest";
import { jobDir } from "./hdfs-sync";
import type { BatchRequest } from "../clients/livy-client";
import { MAINTAINED_TABLES, type DeployPlanConfig } from "../core/plan-config";

/** What a request is built from: the artifact's job directory, the job config and the jars, all on HDFS. */
export interface RequestInputs {
  artifactHash: string;
  /** HDFS path of the job config (content-addressed). */
  configPath: string;
  /** HDFS paths of the jars (content-addressed). */
  jarPaths: readonly string[];
  /** The job modules the scripts import (jobModules of the artifact's manifest), by path in the job directory. */
  modules: readonly string[];
}

function uri(plan: DeployPlanConfig, path: string): string {
  return `${plan.hdfs.uriPrefix}${path}`;
}

/** The job directory's files as URIs, for `pyFiles`; absent when there are none (an artifact from before job modules). */
function pyFiles(plan: DeployPlanConfig, dir: string, paths: readonly string[]): { pyFiles?: string[] } {
  return paths.length > 0 ? { pyFiles: paths.map((p) => uri(plan, `${dir}/${p}`)) } : {};
}

/** The job modules a recorded streaming request ships: the other batches of that release ship the same. */
export function modulesOf(request: BatchRequest): string[] {
  return (request.pyFiles ?? []).map((file) => posix.basename(file));
}

export function streamingRequest(plan: DeployPlanConfig, inputs: RequestInputs): BatchRequest {
  const dir = jobDir(plan.hdfs.jobRoot, inputs.artifactHash);
  const s = plan.spark;
  return {
    name: plan.batchName,
    file: uri(plan, `${dir}/${JOB_SCRIPTS.streaming}`),
    ...pyFiles(plan, dir, inputs.modules),
    args: ["--config", uri(plan, inputs.configPath)],
    jars: inputs.jarPaths.map((j) => uri(plan, j)),
    driverMemory: s.driverMemory,
    driverCores: s.driverCores,
    executorMemory: s.executorMemory,
    executorCores: s.executorCores,
    numExecutors: s.executors,
    conf: { ...s.conf },
  };
}

/** maintenance.py with create_tables.py beside it (it imports the table layout from there) and the job modules. */
export function maintenanceRequest(plan: DeployPlanConfig, inputs: Omit<RequestInputs, "jarPaths">): BatchRequest {
  const dir = jobDir(plan.hdfs.jobRoot, inputs.artifactHash);
  const s = plan.spark;
  const retention = MAINTAINED_TABLES.flatMap((table) => ["--retention-days", `${table}=${plan.maintenance.retentionDays[table] ?? 0}`]);
  return {
    name: `${plan.batchName}-maintenance`,
    file: uri(plan, `${dir}/${JOB_SCRIPTS.maintenance}`),
    ...pyFiles(plan, dir, [JOB_SCRIPTS.createTables, ...inputs.modules]),
    args: ["--config", uri(plan, inputs.configPath), ...retention],
    driverMemory: s.driverMemory,
    driverCores: 1,
    executorMemory: s.executorMemory,
    executorCores: s.executorCores,
    numExecutors: s.executors,
    conf: { ...s.conf },
  };
}

export function createTablesRequest(plan: DeployPlanConfig, inputs: Omit<RequestInputs, "jarPaths">): BatchRequest {
  const dir = jobDir(plan.hdfs.jobRoot, inputs.artifactHash);
  const s = plan.spark;
  return {
    name: `${plan.batchName}-create-tables`,
    file: uri(plan, `${dir}/${JOB_SCRIPTS.createTables}`),
    ...pyFiles(plan, dir, inputs.modules),
    args: ["--config", uri(plan, inputs.configPath)],
    // DDL needs no executors beyond the minimum.
    driverMemory: s.driverMemory,
    driverCores: 1,
    executorMemory: s.executorMemory,
    executorCores: 1,
    numExecutors: 1,
    conf: { ...s.conf },
  };
}
