/**
 * What every command shares: the modes, the context a command runs in (the plan and the gateway clients),
 * its result, and the lock options and result builder each command starts from.
 */
import { BatchRunner } from "./batch-runner";
import type { Release } from "../state/deploy-state";
import { newCounters, type UploadCounters } from "../release/hdfs-sync";
import type { LivyClient } from "../clients/livy-client";
import type { DeployPlanConfig } from "../core/plan-config";
import type { Progress } from "../core/progress";
import { runningNow } from "./release-runner";
import type { EndOffsets } from "../health/backlog";
import type { OffsetsAt } from "../clients/topic-offsets-loader";
import type { Notifier } from "../health/notify";
import type { Sleep } from "../core/sleep";
import type { WebHdfsClient } from "../clients/webhdfs-client";
import type { ResourceManagerClient } from "../clients/yarn-client";
import { webHdfsStores, type EnvironmentStores } from "../state/environment-stores";

/**
 * deploy: put the plan's artifact live; ensure: keep the live release running; maintain: table
 * housekeeping; new-run: start the live release on a fresh checkpoint at chosen offsets; teardown:
 * remove what deploys put on the cluster (teardown.ts).
 */
export type DeployMode = "deploy" | "ensure" | "maintain" | "new-run" | "teardown";
export const DEPLOY_MODES: readonly DeployMode[] = ["deploy", "ensure", "maintain", "new-run", "teardown"];

/** What every mode needs: the plan and the gateway clients. */
export interface GatewayContext {
  plan: DeployPlanConfig;
  hdfs: WebHdfsClient;
  livy: LivyClient;
  /** Where the live state and the lock live. @default WebHDFS xattrs of plan.hdfs.stateDir */
  stores?: EnvironmentStores;
  /** The cluster's ResourceManager, to stop a driver Livy lost track of. @default none (the operator is told how) */
  yarn?: ResourceManagerClient;
  progress: Progress;
  sleep?: Sleep;
  now?: () => Date;
  /** Names this run in the lock's holder record. @default "<mode> on <host> pid <pid>" */
  lockOwner?: string;
  /** Where changes of the job's condition are notified (a webhook). @default none */
  notifier?: Notifier;
  /** The input topic's end offsets, for ensure's backlog rules. @default none (the rules are not checked) */
  endOffsets?: EndOffsets;
  /** The input topic's earliest offsets, for new-run's `committed` (what retention removed). @default none */
  earliestOffsets?: EndOffsets;
  /** The input topic's offsets at a time, for the input rate of status's and ensure's throughput rule. @default none (not measured) */
  offsetsAt?: OffsetsAt;
}

export interface DeployResult extends UploadCounters {
  action: "unchanged" | "started" | "replaced" | "adopted" | "alive" | "restarted" | "skipped" | "backoff" | "none" | "maintained" | "torn-down";
  batchId: number | null;
  /** The artifact of the release that runs (or should run), if any. */
  artifactHash: string | null;
  /** Digest of that release's whole Livy request. */
  release: string | null;
  /** Livy batches submitted (table DDL and streaming). */
  submissions: number;
  /** The final line: what runs now. */
  runningNow: string;
}

/** The environment's state and lock stores: the context's, else WebHDFS's. */
export function storesOf(ctx: Pick<GatewayContext, "stores" | "hdfs" | "plan">): EnvironmentStores {
  return ctx.stores ?? webHdfsStores(ctx.hdfs, ctx.plan.hdfs.stateDir);
}

export function lockOptions(ctx: GatewayContext, mode: string, waitSeconds: number) {
  return { owner: ctx.lockOwner, mode, ttlSeconds: ctx.plan.lock.ttlSeconds, waitSeconds, pollSeconds: ctx.plan.timing.pollSeconds, sleep: ctx.sleep };
}

export function emptyResult(runner: BatchRunner, counters: UploadCounters = newCounters()) {
  return (action: DeployResult["action"], release: Release | undefined, batch: { id: number } | null | undefined): DeployResult => ({
    action,
    batchId: batch?.id ?? null,
    artifactHash: release?.artifactHash ?? null,
    release: release?.digest ?? null,
    ...counters,
    submissions: runner.submissions,
    runningNow: runningNow(release, batch),
  });
}
