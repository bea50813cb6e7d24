/** The JSON Schema files generated from the contracts, and where each is committed (`npm run gen:schemas`). */
import { join, resolve } from "node:path";
import { BATCH_LINES_CONTRACT_FILE, batchLinesContractJson } from "./batch-lines";
import { CHECKPOINT_RUNS_CONTRACT_FILE, checkpointRunsContractJson } from "./checkpoint-runs";
import { DRIVER_LEASE_CONTRACT_FILE, driverLeaseContractJson } from "./driver-lease";
import { JOB_CONFIG_SCHEMA_FILE, jobConfigJsonSchema } from "./job-config";

const root = resolve(__dirname, "..");

export const GENERATED_SCHEMAS: readonly { readonly path: string; readonly content: () => string }[] = [
  { path: join(root, "jobs", "sensor_aggregation", JOB_CONFIG_SCHEMA_FILE), content: jobConfigJsonSchema },
  { path: join(root, "jobs", "sensor_aggregation", DRIVER_LEASE_CONTRACT_FILE), content: driverLeaseContractJson },
  { path: join(root, "jobs", "sensor_aggregation", CHECKPOINT_RUNS_CONTRACT_FILE), content: checkpointRunsContractJson },
  { path: join(root, "jobs", "sensor_aggregation", BATCH_LINES_CONTRACT_FILE), content: batchLinesContractJson },
];
