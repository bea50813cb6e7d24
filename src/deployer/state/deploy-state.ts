/**
 * The environment's live state: the single source of truth for what should run. Kept in a state store
 * (state-store.ts: an HDFS extended attribute of the state directory, or a blob). It holds, for what is live and what ran before, the whole Livy streaming request,
 * its digest, the fingerprints of the JAAS files it reads (never the secrets) and the HDFS files it
 * needs with their sha256; plus the Livy batch that runs it, restart bookkeeping, and a record of a
 * submission in flight (to recognise the batch of a lost response).
 *
 * A state that exists but cannot be read or parsed fails closed: nothing live is touched.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import * as z from "zod/mini";
import { answerMayBeLost, DeployError } from "../core/errors";
import { realSleep, type Sleep } from "../core/sleep";
import type { BatchRequest } from "../clients/livy-client";
import { formatIssues } from "../../../contracts/schema-issues";
import type { WebHdfsClient } from "../clients/webhdfs-client";
import { LockLostError, type Fence } from "./lock";
import { STATE_XATTR, WebHdfsStateStore, type StateStore } from "./state-store";

export { STATE_XATTR };
export const STATE_VERSION = 2;
/**
 * The state is stored gzipped (base64, behind this prefix): WebHDFS carries an xattr's value in the request
 * URL, and two releases' requests and files in plain JSON grew past the 8 KiB request-header limit of
 * gateways such as Knox (HTTP 431). A state without the prefix is an earlier deployer's plain JSON.
 */
const GZIP_PREFIX = "gz1:";

function encodeState(json: string): string {
  return GZIP_PREFIX + gzipSync(json, { level: 9 }).toString("base64");
}

export function decodeState(raw: string): string {
  return raw.startsWith(GZIP_PREFIX) ? gunzipSync(Buffer.from(raw.slice(GZIP_PREFIX.length), "base64")).toString("utf8") : raw;
}

const requestSchema = z.object({
  file: z.string(),
  name: z.string(),
  args: z.optional(z.array(z.string())),
  jars: z.optional(z.array(z.string())),
  pyFiles: z.optional(z.array(z.string())),
  files: z.optional(z.array(z.string())),
  driverMemory: z.optional(z.string()),
  driverCores: z.optional(z.number()),
  executorMemory: z.optional(z.string()),
  executorCores: z.optional(z.number()),
  numExecutors: z.optional(z.number()),
  conf: z.optional(z.record(z.string(), z.string())),
});

const neededFileSchema = z.object({ path: z.string(), sha256: z.string() });

const releaseSchema = z.object({
  artifactHash: z.string(),
  /** sha256 over the whole request and the JAAS fingerprints: equal digests submit the same thing. */
  digest: z.string(),
  request: requestSchema,
  /** The JAAS files the job reads, with the sha256 fingerprint of each one's content; never the secret itself. */
  jaas: z.array(z.object({ path: z.string(), fingerprint: z.string() })),
  /** HDFS files the request reads and their sha256 (checked against their .sha256 sidecars before a restart). */
  files: z.array(neededFileSchema),
  /** Identifies what the table DDL reads (script, SQL, database and table names); the DDL batch reruns only when it changes. */
  ddlDigest: z.string(),
  deployedAt: z.string(),
});

const fileRecordSchema = z.object({ sha256: z.string(), length: z.number(), modificationTime: z.number() });

const stateSchema = z.object({
  version: z.literal(STATE_VERSION),
  /** What should run now. */
  current: releaseSchema,
  /** What ran before `current`, for restoring it when a new version fails. */
  previous: z.optional(releaseSchema),
  /** The Livy batch running `current`; null when nothing runs (a restore failed, or the job was torn down). */
  batch: z.nullable(z.object({ id: z.number(), appId: z.nullable(z.string()) })),
  /**
   * A submission whose answer has not been recorded yet: the batch holding `name` (contracts/submission-name.ts)
   * is its result. Records of earlier deployers have no name: a batch of our name above `afterBatchId` is.
   */
  pending: z.optional(z.object({ digest: z.string(), name: z.optional(z.string()), afterBatchId: z.number(), at: z.string() })),
  restarts: z.object({
    /** Restarts by `ensure` since the last deploy or the last stable run. */
    count: z.number(),
    lastAt: z.optional(z.string()),
    /** The last failed restart's log tail, shown when the limit is reached. */
    lastFailure: z.optional(z.array(z.string())),
  }),
  /**
   * The job's condition last notified (notify.ts): one notification per change, not per run. `about` tells a
   * backlog that is over its limits from one the job is too small to drain (undersized): a change between them is
   * a change. An optional key, so a deployer from before it still reads the state (and drops the key); any text,
   * so a later deployer's new value does not make the state unreadable to this one.
   */
  notified: z.optional(z.object({ condition: z.enum(["healthy", "restarted", "stuck", "limit", "rolled-back", "rejected", "backlog"]), at: z.string(), about: z.optional(z.string()) })),
  /** Uploaded files by HDFS path, as last seen: unchanged length + mtime + sha256 means no re-check. */
  uploads: z.record(z.string(), fileRecordSchema),
  /** The lock acquisition that wrote this state (lock.ts): a write under a lower fence is refused. Absent in states of earlier deployers. */
  lock: z.optional(z.object({ token: z.string(), fence: z.number() })),
});

export type Release = z.infer<typeof releaseSchema>;
export type NeededFile = z.infer<typeof neededFileSchema>;
export type FileRecord = z.infer<typeof fileRecordSchema>;
export type DeployState = z.infer<typeof stateSchema>;

export class StateUnreadableError extends DeployError {
  constructor(store: Pick<StateStore, "where" | "inspect" | "remove">, why: string) {
    super(
      `the live state on ${store.where} cannot be used: ${why}. Nothing was changed. ` +
        `To repair: inspect it with \`${store.inspect}\`; if it is beyond repair, ` +
        `stop the streaming batch by hand, remove it (\`${store.remove}\`) and deploy again`,
    );
    this.name = "StateUnreadableError";
  }
}

/** The first deployer's state (no version field): it knew a batch id but not the request, so nothing of it can be restored. */
const legacySchema = z.object({ current: z.object({ artifactHash: z.string() }), batchId: z.nullable(z.number()) });

/**
 * The live state, or undefined when none was ever written (or only the first deployer's, which
 * holds nothing restorable). Throws StateUnreadableError for anything else.
 */
export async function readState(hdfs: WebHdfsClient, stateDir: string): Promise<DeployState | undefined> {
  return readStateFrom(new WebHdfsStateStore(hdfs, stateDir));
}

/** readState from any store. */
export async function readStateFrom(store: StateStore): Promise<DeployState | undefined> {
  const raw = await store.read();
  if (raw === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(decodeState(raw.text));
  } catch (err) {
    throw new StateUnreadableError(store, `not JSON (${(err as Error).message})`);
  }
  const version = (json as { version?: unknown } | null)?.version;
  // Its batch runs under our name, so the next submission stops it like any unknown batch of that name.
  if (version === undefined && legacySchema.safeParse(json).success) return undefined;
  if (version !== STATE_VERSION) throw new StateUnreadableError(store, `state version ${String(version)}, this deployer reads version ${STATE_VERSION}`);
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) throw new StateUnreadableError(store, formatIssues(parsed.error.issues));
  return parsed.data;
}

/**
 * Replaces the live state, under the environment's lock, whose acquisition made `stateDir`. It first reads
 * the lock back (a run that lost it changes nothing) and refuses when the state was written under a higher
 * fence (a later holder's state is never overwritten by an earlier one's).
 */
export function writeState(hdfs: WebHdfsClient, stateDir: string, state: DeployState, fence: Fence, sleep: Sleep = realSleep): Promise<void> {
  return writeStateTo(new WebHdfsStateStore(hdfs, stateDir), state, fence, sleep);
}

/** writeState to any store; where the store compares and swaps, a write that raced another is read again and retried. */
export async function writeStateTo(store: StateStore, state: DeployState, fence: Fence, sleep: Sleep = realSleep): Promise<void> {
  // Each attempt is sent once and checks the lock first: the HTTP agent's own re-sends of a REPLACE could land
  // after the lock expired and the next holder wrote its state, and overwrite it with this run's.
  for (let attempt = 1; ; attempt++) {
    const held = await fence.verify();
    const text = encodeState(JSON.stringify({ ...state, lock: held }));
    if (Buffer.byteLength(text) > store.maxBytes) throw new DeployError(`live state is ${Buffer.byteLength(text)} bytes, over the store's ${store.maxBytes}-byte limit (${store.where})`);
    try {
      const seen = await store.read();
      const written = seen ? writtenUnder(seen.text) : undefined;
      if (written !== undefined && written > held.fence) throw new LockLostError(`the live state was written under fence ${written}, above this run's ${held.fence}`);
      if ((await store.write(text, seen?.tag)) === "written") return;
      // Another write landed between the read and this one: the next attempt reads it (and its fence) again.
      if (attempt >= STATE_WRITE_ATTEMPTS) throw new StateRaceError(`the live state on ${store.where} kept changing under this run's writes`);
    } catch (err) {
      if (attempt >= STATE_WRITE_ATTEMPTS || !unanswered(err)) throw err;
      await sleep(500 * 2 ** (attempt - 1));
    }
  }
}

/** The fence a stored state was written under, if it names one (an unreadable state names none). */
export function writtenUnder(text: string): number | undefined {
  try {
    const fence = (JSON.parse(decodeState(text)) as { lock?: { fence?: unknown } } | null)?.lock?.fence;
    return typeof fence === "number" ? fence : undefined;
  } catch {
    return undefined;
  }
}

/** Attempts of one state write (each re-checks the lock); then the error is the run's. */
const STATE_WRITE_ATTEMPTS = 4;

/** No answer, or a gateway's 5xx or 429: the write may or may not have been applied, and sending it again is safe while the lock is held. */
const unanswered = (err: unknown) => answerMayBeLost(err, { retry429: true, decided: [LockLostError, StateRaceError] });

class StateRaceError extends DeployError {}

/** Digest of what a submission would run: the whole request (keys sorted) and the JAAS fingerprints. */
export function releaseDigest(request: BatchRequest, jaasFingerprints: readonly string[]): string {
  return createHash("sha256").update(canonicalJson({ request, jaasFingerprints })).digest("hex");
}

/** `<artifact 12>/<digest 12>`: how progress lines and the final line name a release. */
export function releaseName(release: Pick<Release, "artifactHash" | "digest">): string {
  return `artifact ${release.artifactHash.slice(0, 12)} (release ${release.digest.slice(0, 12)})`;
}

/** The sha256 fingerprint of a secret file's content; the secret cannot be recovered from it. */
export function secretFingerprint(content: string): string {
  return createHash("sha256").update(`sensor-deployer jaas\n${content}`).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
