/**
 * Retention of deploy files: after a deploy, keep the artifact directories and job configs that a
 * live or previous release reads, plus the newest `keep` others, and delete the rest. Artifact
 * directories are shared by every environment deployed to the cluster, so those named by any
 * environment's live state are kept; if any state cannot be read, or is kept elsewhere (a Blob container, marked
 * on its state directory: environment-stores.ts), no artifact directory is deleted.
 */
import { posix } from "node:path";
import { readState, type Release } from "../state/deploy-state";
import { STATE_ELSEWHERE_XATTR } from "../state/environment-stores";
import type { DeployPlanConfig } from "../core/plan-config";
import type { Progress } from "../core/progress";
import { configPathOf } from "./release";
import type { FileStatus, WebHdfsClient } from "../clients/webhdfs-client";

const ARTIFACT_DIR = /^[0-9a-f]{64}$/;
const JOB_CONFIG = /^job-config-[0-9a-f]+\.json$/;

export interface Pruned {
  artifactDirs: string[];
  jobConfigs: string[];
}

/** The entries of `dir` matching `pattern`, newest first, minus `protect`, past the first `keep`. */
function surplus(listing: Map<string, FileStatus> | undefined, pattern: RegExp, protect: ReadonlySet<string>, keep: number): string[] {
  const candidates = [...(listing?.entries() ?? [])]
    .filter(([name]) => pattern.test(name) && !protect.has(name))
    .sort(([, a], [, b]) => b.modificationTime - a.modificationTime)
    .map(([name]) => name);
  return candidates.slice(keep);
}

/** The live and previous releases of every environment with a state under `deploymentsDir` (but `except`); undefined if one cannot be read. */
export async function releasesOfEveryEnvironment(hdfs: WebHdfsClient, deploymentsDir: string, except?: string): Promise<Release[] | undefined> {
  const releases: Release[] = [];
  for (const [name, status] of (await hdfs.listStatus(deploymentsDir)) ?? new Map<string, FileStatus>()) {
    if (status.type !== "DIRECTORY" || name === except) continue;
    try {
      // Its releases are not readable here: keep every artifact directory.
      if ((await hdfs.getXAttr(`${deploymentsDir}/${name}`, STATE_ELSEWHERE_XATTR)) !== undefined) return undefined;
      const state = await readState(hdfs, `${deploymentsDir}/${name}`);
      if (state) releases.push(state.current, ...(state.previous ? [state.previous] : []));
    } catch {
      return undefined;
    }
  }
  return releases;
}

export async function pruneDeployFiles(hdfs: WebHdfsClient, plan: DeployPlanConfig, live: readonly Release[], keep: number, progress: Progress): Promise<Pruned> {
  const pruned: Pruned = { artifactDirs: [], jobConfigs: [] };
  const configs = new Set(live.map((r) => posix.basename(configPathOf(r))));
  for (const name of surplus(await hdfs.listStatus(plan.hdfs.configDir), JOB_CONFIG, configs, keep)) {
    const path = `${plan.hdfs.configDir}/${name}`;
    await hdfs.delete(path);
    await hdfs.delete(`${path}.sha256`);
    pruned.jobConfigs.push(path);
  }
  // This environment's own releases are `live`, wherever its state is kept.
  const everywhere = await releasesOfEveryEnvironment(hdfs, posix.dirname(plan.hdfs.stateDir), posix.basename(plan.hdfs.stateDir));
  if (everywhere === undefined) {
    progress.step("retention", "an environment's live state cannot be read: keeping every artifact directory");
    return pruned;
  }
  const hashes = new Set([...live, ...everywhere].map((r) => r.artifactHash));
  for (const name of surplus(await hdfs.listStatus(plan.hdfs.jobRoot), ARTIFACT_DIR, hashes, keep)) {
    const path = `${plan.hdfs.jobRoot}/${name}`;
    await hdfs.delete(path, true);
    pruned.artifactDirs.push(path);
  }
  if (pruned.artifactDirs.length + pruned.jobConfigs.length > 0) {
    progress.step("retention", `removed ${pruned.artifactDirs.length} artifact director${pruned.artifactDirs.length === 1 ? "y" : "ies"} and ${pruned.jobConfigs.length} job config(s) beyond the newest ${keep}`);
  }
  return pruned;
}
