/**
 * Where each target's Livy-compatible batch API lives and how it authenticates: the facts the deployer's
 * clients (src/deployer/clients/livy-endpoint.ts) and, later, the stacks share. Pure data.
 * Sources: Knox's default topology (BDC); HDInsight's "Submit Spark jobs remotely using Livy"; Synapse's
 * data-plane REST reference, "Spark Batch" (Create, Get, List, Cancel).
 */

/** The BDC gateway's Livy service (Knox topology `default`). */
export const KNOX_LIVY_PATH = "/gateway/default/livy/v1";

/** HDInsight's Livy, on the cluster's own HTTPS endpoint `https://<cluster>.azurehdinsight.net`. */
export const HDINSIGHT_LIVY_PATH = "/livy";

/** The Synapse data-plane API version the deployer speaks. */
export const SYNAPSE_LIVY_API_VERSION = "2020-12-01";

/** A Synapse Spark pool's batch API under the workspace's development endpoint `https://<ws>.dev.azuresynapse.net`. */
export function synapseLivyPath(pool: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]{0,14}$/.test(pool)) throw new Error(`Spark pool name "${pool}": a letter, then letters and digits, at most 15 in all`);
  return `/livyApi/versions/${SYNAPSE_LIVY_API_VERSION}/sparkPools/${pool}`;
}

/** Synapse's largest page of `GET /batches` ("size": 20 by default, and the maximum). */
export const SYNAPSE_MAX_PAGE_SIZE = 20;

/** The only log lines Synapse gives: those a batch carries (`log`), which Livy caps at its last 10. */
export const SYNAPSE_LOG_LINES = 10;

/** The hosts of Synapse workspaces' development endpoints (public cloud, China, US Government): a token for the data plane goes only there. */
export const SYNAPSE_HOST_SUFFIXES = [".dev.azuresynapse.net", ".dev.azuresynapse.azure.cn", ".dev.azuresynapse.usgovcloudapi.net"] as const;

/** The Entra scope of a token for Synapse's data plane. */
export const SYNAPSE_TOKEN_SCOPE = "https://dev.azuresynapse.net/.default";

/**
 * How the batch API differs from Apache Livy's: Synapse has no `/batches/{id}/state` or `/batches/{id}/log`
 * (the state and the log lines come with the batch, `?detailed=true`), and answers a submission with 200.
 */
export type LivyDialect = "livy" | "synapse";
