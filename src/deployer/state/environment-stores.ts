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
  /** Set when the state is not on the WebHDFS beside the job's files: where it is, for the mark (markStateElsewhere). */
  readonly elsewhere?: string;
}

/**
 * Marks an environment's state directory on WebHDFS whose live state is kept elsewhere (a Blob container). Artifact
 * directories are shared by every environment of the cluster and retention keeps those a live state names; it cannot
 * read a state kept elsewhere, so a mark makes it keep every artifact directory (retention.ts).
 */
export const STATE_ELSEWHERE_XATTR = "user.sensor-deployer.state-elsewhere";

/** Sets the mark before the environment's first upload (idempotent): no other environment's retention then deletes what it uploads. */
export async function markStateElsewhere(hdfs: WebHdfsClient, stateDir: string, stores: EnvironmentStores): Promise<void> {
  if (stores.elsewhere === undefined) return;
  if ((await hdfs.getXAttr(stateDir, STATE_ELSEWHERE_XATTR)) === stores.elsewhere) return;
  await hdfs.mkdirs(stateDir);
  await hdfs.setXAttr(stateDir, STATE_ELSEWHERE_XATTR, stores.elsewhere);
}

/** The one import path of the Blob stores, which the in-cluster bundle leaves out (bundle.ts). */
export const BLOB_STORES_MODULE = "./blob-environment-stores";

export function webHdfsStores(hdfs: WebHdfsClient, stateDir: string): EnvironmentStores {
  return { state: new WebHdfsStateStore(hdfs, stateDir), lock: new WebHdfsLockStore(hdfs, stateDir) };
}

/** Whether the plan's stores take STATE_STORE_SAS_TOKEN (a Blob state store with auth "sas"). */
export function needsStateStoreSas(plan: Pick<DeployPlanConfig, "target">): boolean {
  return plan.target?.stateStore?.auth === "sas";
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
