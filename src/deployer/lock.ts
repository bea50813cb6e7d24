/**
 * One lock per environment, taken by every mode that changes what runs (deploy, ensure, teardown,
 * maintenance), from a pod or a laptop. It is an extended attribute on the environment's state
 * directory, created with SETXATTR flag=CREATE, which the NameNode applies atomically: of two
 * runs, exactly one creates it. It holds owner, start and expiry, is renewed while held, and a
 * lock past its expiry (a killed holder) may be broken by the next run.
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { realSleep, type Sleep } from "./batch-runner";
import { DeployError, HttpStatusError } from "./errors";
import type { Progress } from "./progress";
import type { WebHdfsClient } from "./webhdfs-client";

export const LOCK_XATTR = "user.sensor-deployer.lock";

const holderSchema = z.object({ owner: z.string(), mode: z.string(), startedAt: z.string(), expiresAt: z.string(), token: z.string() });
export type LockHolder = z.infer<typeof holderSchema>;

export interface LockOptions {
  /** Who is asking, for the holder record (`<mode> on <host> pid <pid>` by default). */
  readonly owner?: string;
  readonly mode: string;
  /** Validity of the lock; renewed every third of it while held. */
  readonly ttlSeconds: number;
  /** How long to wait for a held lock before giving up; 0 = do not wait. */
  readonly waitSeconds: number;
  readonly pollSeconds: number;
  readonly sleep?: Sleep;
  readonly now?: () => number;
}

export class LockHeldError extends DeployError {
  constructor(readonly holder: LockHolder | undefined, waitedSeconds: number) {
    super(`the environment's deploy lock is held by ${describeHolder(holder)}${waitedSeconds > 0 ? `; waited ${waitedSeconds}s` : ""}`);
    this.name = "LockHeldError";
  }
}

export function describeHolder(holder: LockHolder | undefined): string {
  if (holder === undefined) return "another run (holder record unreadable)";
  return `${holder.owner} (${holder.mode}, since ${holder.startedAt}, expires ${holder.expiresAt})`;
}

export class EnvironmentLock {
  private lost: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly hdfs: WebHdfsClient,
    private readonly dir: string,
    private holder: LockHolder,
    private readonly options: LockOptions,
    private readonly progress: Progress,
  ) {}

  /** Takes the lock, waiting up to `waitSeconds`; throws LockHeldError naming the holder after that. */
  static async acquire(hdfs: WebHdfsClient, dir: string, options: LockOptions, progress: Progress): Promise<EnvironmentLock> {
    const now = options.now ?? Date.now;
    const sleep = options.sleep ?? realSleep;
    const giveUpAt = now() + options.waitSeconds * 1000;
    for (;;) {
      const mine = newHolder(options, now());
      if (await createIn(hdfs, dir, JSON.stringify(mine))) {
        progress.step("lock", `taken by ${mine.owner} until ${mine.expiresAt}`);
        const lock = new EnvironmentLock(hdfs, dir, mine, options, progress);
        lock.startRenewing();
        return lock;
      }
      const current = await readHolder(hdfs, dir);
      if (current === "absent") continue; // released between our two calls: try again at once
      if (current !== undefined && Date.parse(current.expiresAt) < now()) {
        await breakStale(hdfs, dir, current, progress);
        continue;
      }
      if (now() >= giveUpAt) throw new LockHeldError(current, options.waitSeconds);
      progress.step("lock", `held by ${describeHolder(current)}; waiting`);
      await sleep(Math.min(options.pollSeconds * 1000, Math.max(0, giveUpAt - now())));
    }
  }

  get owner(): string {
    return this.holder.owner;
  }

  /** Throws when renewal found the lock taken over (this run must not change anything any more). */
  assertHeld(): void {
    if (this.lost !== undefined) throw new DeployError(`lost the environment's deploy lock: ${this.lost}`);
  }

  /** Releases the lock if it is still ours. Never throws: an unreleased lock expires by itself. */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    try {
      const current = await readHolder(this.hdfs, this.dir);
      if (typeof current === "object" && current.token === this.holder.token) await this.hdfs.removeXAttr(this.dir, LOCK_XATTR);
      this.progress.step("lock", "released");
    } catch (err) {
      this.progress.step("lock", `could not release (it expires at ${this.holder.expiresAt}): ${(err as Error).message}`);
    }
  }

  private startRenewing(): void {
    const every = Math.max(1000, (this.options.ttlSeconds * 1000) / 3);
    this.timer = setInterval(() => void this.renew(), every);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    try {
      const current = await readHolder(this.hdfs, this.dir);
      if (typeof current !== "object" || current.token !== this.holder.token) {
        this.lost = `now held by ${current === "absent" ? "nobody" : describeHolder(current)}`;
        if (this.timer) clearInterval(this.timer);
        return;
      }
      const renewed = { ...this.holder, expiresAt: new Date((this.options.now ?? Date.now)() + this.options.ttlSeconds * 1000).toISOString() };
      if (await this.hdfs.replaceXAttr(this.dir, LOCK_XATTR, JSON.stringify(renewed))) this.holder = renewed;
    } catch (err) {
      // A passing gateway error: the lock stays valid until its expiry; the next renewal tries again.
      this.progress.step("lock", `renewal failed, retrying: ${(err as Error).message}`);
    }
  }
}

/** Who holds the lock now, without taking it (`absent` when free, undefined when unreadable). */
export async function readHolder(hdfs: WebHdfsClient, dir: string): Promise<LockHolder | "absent" | undefined> {
  const raw = await hdfs.getXAttr(dir, LOCK_XATTR);
  if (raw === undefined) return "absent";
  try {
    const parsed = holderSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** createXAttr, making the directory first if it does not exist yet (the first deploy). */
async function createIn(hdfs: WebHdfsClient, dir: string, value: string): Promise<boolean> {
  try {
    return await hdfs.createXAttr(dir, LOCK_XATTR, value);
  } catch (err) {
    if (!(err instanceof HttpStatusError && err.status === 404)) throw err;
    await hdfs.mkdirs(dir, "755");
    return hdfs.createXAttr(dir, LOCK_XATTR, value);
  }
}

function newHolder(options: LockOptions, now: number): LockHolder {
  return {
    owner: options.owner ?? `${options.mode} on ${hostname()} pid ${process.pid}`,
    mode: options.mode,
    startedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + options.ttlSeconds * 1000).toISOString(),
    token: randomUUID(),
  };
}

/** Removes an expired lock, but only if it is still the one we saw expire (another breaker may have been faster). */
async function breakStale(hdfs: WebHdfsClient, dir: string, stale: LockHolder, progress: Progress): Promise<void> {
  const again = await readHolder(hdfs, dir);
  if (typeof again !== "object" || again.token !== stale.token) return;
  progress.step("lock", `breaking the expired lock of ${describeHolder(stale)}`);
  await hdfs.removeXAttr(dir, LOCK_XATTR);
}
