/**
 * Where an environment keeps its live state and its deploy lock (issue 25): the two ports (state-store.ts,
 * lock-store.ts) on one store. WebHDFS (the default, and every BDC's): xattrs of the state directory. Azure Blob
 * storage (the plan's target.stateStore): blobs in one container (blob-environment-stores.ts). Every command
 * reads, writes and locks through these, never through the store's client.
 */
import type { DeployPlanConfig } from "../core/plan-config";
import { DeployError } from "../core/errors";
import type { WebHdfsClient } from "../clients/webhdfs-client";
import type { LockStore } from "./lock-store";
import { WebHdfsStateStore, type StateStore } from "./state-store";
import { WebHdfsLockStore } from "./webhdfs-lock-store";

export interface EnvironmentStores {
  readonly state: StateStore;
  readonly lock: LockStore;
}

/** The one import path of the Blob stores, which the in-cluster bundle leaves out (bundle.ts). */
export const BLOB_STORES_MODULE = "./blob-environment-stores";

export function webHdfsStores(hdfs: WebHdfsClient, stateDir: string): EnvironmentStores {
  return { state: new WebHdfsStateStore(hdfs, stateDir), lock: new WebHdfsLockStore(hdfs, stateDir) };
}

/** The plan's stores: its target's Blob container when it names one, else WebHDFS beside the job's files. */
export function planStores(plan: DeployPlanConfig, hdfs: WebHdfsClient, sasToken: string | undefined): EnvironmentStores {
  const settings = plan.target?.stateStore;
  if (settings === undefined) return webHdfsStores(hdfs, plan.hdfs.stateDir);
  let blob: typeof import("./blob-environment-stores");
  try {
    // A literal path (not BLOB_STORES_MODULE): the bundler matches externals on the text of the require.
    blob = require("./blob-environment-stores") as typeof import("./blob-environment-stores");
  } catch (err) {
    throw new DeployError(
      `the live state of ${plan.environment} is in a Blob container (target.stateStore), which this deployer cannot reach (${(err as Error).message.split("\n")[0]}): ` +
        "the in-cluster deployer keeps the state on WebHDFS; run the deployer from the project (npm run deploy:bdc)",
    );
  }
  return blob.blobEnvironmentStores(settings, sasToken, plan.environment);
}
