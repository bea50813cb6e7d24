/**
 * One lock per environment, taken by every mode that changes what runs (deploy, ensure, teardown,
 * maintenance), from a pod or a laptop. The store (lock-store.ts, the port) makes taking it atomic and
 * gives every acquisition a unique token and a higher fencing number. It is renewed while held; a lock past
 * its expiry (a killed holder) may be taken over by the next run, and the old holder then finds, at its
 * next check, that it lost it. Every state write (deploy-state.ts) checks the lock with `verify` first.
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { realSleep, type Sleep } from "../core/sleep";
import { answerMayBeLost, DeployError } from "../core/errors";
import type { LockCandidate, LockRecord, LockStore } from "./lock-store";
import type { Progress } from "../core/progress";
import type { WebHdfsClient } from "../clients/webhdfs-client";
import { WebHdfsLockStore } from "./webhdfs-lock-store";
import { checkClock } from "./lock-clock";

export { LEGACY_LOCK_XATTR as LOCK_XATTR, lockXAttr } from "./webhdfs-lock-store";
export type LockHolder = LockRecord;

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
  /** How far this machine's clock may be from the store's (lock-clock.ts). @default ttlSeconds / 6 */
  readonly maxClockSkewSeconds?: number;
}

/** What a state write checks: the run still holds the lock, with this fencing number. */
export interface Fence {
  verify(): Promise<{ token: string; fence: number }>;
}

export class LockHeldError extends DeployError {
  constructor(readonly holder: LockHolder | undefined, waitedSeconds: number) {
    super(`the environment's deploy lock is held by ${describeHolder(holder)}${waitedSeconds > 0 ? `; waited ${waitedSeconds}s` : ""}`);
    this.name = "LockHeldError";
  }
}

export class LockLostError extends DeployError {
  constructor(why: string) {
    super(`lost the environment's deploy lock: ${why}; this run changes nothing more`);
    this.name = "LockLostError";
  }
}

export function describeHolder(holder: LockHolder | undefined): string {
  if (holder === undefined) return "another run (holder record unreadable)";
  return `${holder.owner} (${holder.mode}, since ${holder.startedAt}, expires ${holder.expiresAt}, fence ${holder.fence})`;
}

/**
 * A store failure that is not the store's answer (a connection reset, a timeout, or a gateway's 5xx: Knox answers
 * 502/504 when the NameNode's answer did not reach it, which may come after the NameNode applied the request).
 * What happened must be read back.
 */
const unanswered = (err: unknown) => answerMayBeLost(err, { decided: [LockHeldError] });

export class EnvironmentLock implements Fence {
  private lost: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The renewal in flight, if any: a release waits for it, or the renewal would rewrite the released record. */
  private renewing: Promise<void> | undefined;

  private constructor(
    private readonly store: LockStore,
    private holder: LockRecord,
    private readonly options: LockOptions,
    private readonly progress: Progress,
  ) {}

  /** Takes the lock, waiting up to `waitSeconds`; throws LockHeldError naming the holder after that. */
  static async acquire(hdfs: WebHdfsClient, dir: string, options: LockOptions, progress: Progress): Promise<EnvironmentLock> {
    return EnvironmentLock.acquireIn(new WebHdfsLockStore(hdfs, dir), options, progress);
  }

  static async acquireIn(store: LockStore, asked: LockOptions, progress: Progress): Promise<EnvironmentLock> {
    // A store that ends unrenewed locks itself (a lease) caps the TTL, and its clock alone decides expiry.
    const options = store.serverExpiry ? { ...asked, ttlSeconds: Math.min(asked.ttlSeconds, store.serverExpiry.maxSeconds) } : asked;
    const now = options.now ?? Date.now;
    const sleep = options.sleep ?? realSleep;
    if (!store.serverExpiry) await checkClock(store, now, options.maxClockSkewSeconds ?? options.ttlSeconds / 6, progress);
    const giveUpAt = now() + options.waitSeconds * 1000;
    // One token for the whole wait: a CREATE applied but unanswered is recognised as ours on the next try.
    const token = randomUUID();
    for (let unansweredTries = 0; ; ) {
      const candidate = newCandidate(options, now(), token);
      let outcome;
      try {
        outcome = await store.tryAcquire(candidate, now());
      } catch (err) {
        if (!unanswered(err) || ++unansweredTries > 3) throw err;
        progress.step("lock", `no answer while taking the lock (${(err as Error).message}); reading back what happened`);
        continue;
      }
      if (outcome.kind === "acquired") {
        if (outcome.expired) progress.step("lock", `took over the expired lock of ${describeHolder(outcome.expired)}`);
        progress.step("lock", `taken by ${outcome.record.owner} until ${outcome.record.expiresAt} (fence ${outcome.record.fence})`);
        const lock = new EnvironmentLock(store, outcome.record, options, progress);
        lock.startRenewing();
        return lock;
      }
      if (now() >= giveUpAt) throw new LockHeldError(outcome.holder, options.waitSeconds);
      progress.step("lock", `held by ${describeHolder(outcome.holder)}; waiting`);
      await sleep(Math.min(options.pollSeconds * 1000, Math.max(0, giveUpAt - now())));
    }
  }

  get owner(): string {
    return this.holder.owner;
  }

  get fence(): number {
    return this.holder.fence;
  }

  /** Throws when renewal found the lock taken over (this run must not change anything any more). */
  assertHeld(): void {
    if (this.lost !== undefined) throw new LockLostError(this.lost);
  }

  /** Reads the lock back: throws LockLostError unless it is still ours, unexpired, with our fence. */
  async verify(): Promise<{ token: string; fence: number }> {
    this.assertHeld();
    const now = (this.options.now ?? Date.now)();
    const current = await this.store.confirm(this.holder, now);
    if (typeof current !== "object" || current.token !== this.holder.token || current.fence !== this.holder.fence) {
      this.lost = `now held by ${current === "free" ? "nobody (ours expired)" : describeHolder(current)}`;
      this.stopRenewing();
      throw new LockLostError(this.lost);
    }
    return { token: this.holder.token, fence: this.holder.fence };
  }

  /** Releases the lock if it is still ours; one attempt, never blindly retried. Never throws: an unreleased lock expires by itself. */
  async release(): Promise<void> {
    this.stopRenewing();
    await this.renewing;
    try {
      await this.store.release(this.holder);
      this.progress.step("lock", "released");
    } catch (err) {
      this.progress.step("lock", `could not release (it expires at ${this.holder.expiresAt}): ${(err as Error).message}`);
    }
  }

  private stopRenewing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private startRenewing(): void {
    const every = Math.max(1000, (this.options.ttlSeconds * 1000) / 3);
    this.timer = setInterval(() => {
      if (this.renewing) return; // the previous renewal is still waiting for its answer
      this.renewing = this.renew().finally(() => (this.renewing = undefined));
    }, every);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    try {
      const expiresAt = new Date((this.options.now ?? Date.now)() + this.options.ttlSeconds * 1000).toISOString();
      if (await this.store.renew(this.holder, expiresAt)) this.holder = { ...this.holder, expiresAt };
      else {
        this.lost = "it was taken over after it expired";
        this.stopRenewing();
      }
    } catch (err) {
      // A passing gateway error: the lock stays valid until its expiry; the next renewal tries again.
      this.progress.step("lock", `renewal failed, retrying: ${(err as Error).message}`);
    }
  }
}

/** Who holds the lock now, without taking it (`absent` when free, undefined when unreadable). */
export async function readHolder(hdfs: WebHdfsClient, dir: string): Promise<LockHolder | "absent" | undefined> {
  const current = await new WebHdfsLockStore(hdfs, dir).current(Date.now());
  return current === "free" ? "absent" : current;
}

function newCandidate(options: LockOptions, now: number, token: string): LockCandidate {
  return {
    owner: options.owner ?? `${options.mode} on ${hostname()} pid ${process.pid}`,
    mode: options.mode,
    startedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + options.ttlSeconds * 1000).toISOString(),
    token,
  };
}
