/**
 * The deploy lock on WebHDFS: one extended attribute per acquisition on the environment's state
 * directory, `user.sensor-deployer.lock.<fence>`. The attribute with the highest fence is the lock.
 *
 * Why two breakers never both win: WebHDFS has no compare-and-delete, so nothing is ever deleted or
 * overwritten to take the lock. Taking it, free or expired, is SETXATTR flag=CREATE of the name one above
 * the highest fence read, which the NameNode applies atomically: of all runs that read the same highest
 * record (breakers of one expired lock included), exactly one creates the next name; the others get
 * "already exists" and see its holder. A run only ever replaces its own attribute (renew, release), so a
 * late or repeated request of one run cannot touch another run's lock. A run that created a stale name
 * (it read long ago and the names below the top were pruned meanwhile) sees a higher fence on its check
 * and counts as not holding the lock. Release marks the record released rather than removing it, so its
 * fence is never handed out twice.
 */
import { DeployError, HttpStatusError } from "../core/errors";
import { parseLockRecord, type AcquireOutcome, type LockCandidate, type LockRecord, type LockStore } from "./lock-store";
import type { WebHdfsClient } from "../clients/webhdfs-client";

/** The first deployer's single lock attribute: still honoured until it expires, never written. */
export const LEGACY_LOCK_XATTR = "user.sensor-deployer.lock";
const PREFIX = `${LEGACY_LOCK_XATTR}.`;

export function lockXAttr(fence: number): string {
  return `${PREFIX}${fence}`;
}

interface Seen {
  /** Highest fence present and its record (undefined record: unreadable). */
  top?: { fence: number; record: LockRecord | undefined };
  /** An unexpired lock of the earlier deployer. */
  legacy?: LockRecord;
  fences: number[];
}

export class WebHdfsLockStore implements LockStore {
  constructor(
    private readonly hdfs: WebHdfsClient,
    private readonly dir: string,
  ) {}

  async tryAcquire(candidate: LockCandidate, now: number): Promise<AcquireOutcome> {
    const seen = await this.read(now);
    if (seen.legacy) return { kind: "held", holder: seen.legacy };
    const top = seen.top;
    if (top) {
      if (top.record === undefined) return { kind: "held", holder: undefined };
      // Our own record: an earlier attempt of this very acquisition whose answer was lost.
      if (top.record.token === candidate.token && !top.record.released) return { kind: "acquired", record: top.record };
      if (holds(top.record, now)) return { kind: "held", holder: top.record };
    }
    const record: LockRecord = { ...candidate, fence: (top?.fence ?? 0) + 1 };
    if (!(await this.create(record))) {
      const winner = parse(await this.hdfs.getXAttr(this.dir, lockXAttr(record.fence)));
      if (winner?.token === candidate.token) return { kind: "acquired", record: winner };
      return { kind: "held", holder: winner };
    }
    // Created a stale name (see above): a higher fence exists, so this run does not hold the lock.
    const after = await this.read(now);
    if (after.top && after.top.fence !== record.fence) return { kind: "held", holder: after.top.record };
    await this.prune(after.fences.filter((f) => f < record.fence - 1));
    return { kind: "acquired", record, expired: top?.record && !top.record.released ? top.record : undefined };
  }

  async current(now: number): Promise<LockRecord | "free" | undefined> {
    const seen = await this.read(now);
    if (seen.legacy) return seen.legacy;
    if (!seen.top) return "free";
    if (seen.top.record === undefined) return undefined;
    return holds(seen.top.record, now) ? seen.top.record : "free";
  }

  /** A record names its own fence (one attribute per acquisition): the current one is exact. */
  confirm(_mine: LockRecord, now: number): Promise<LockRecord | "free" | undefined> {
    return this.current(now);
  }

  async renew(mine: LockRecord, expiresAt: string): Promise<boolean> {
    if (!(await this.stillMine(mine))) return false;
    // Replacing our own attribute only: if it was broken meanwhile, the higher fence still wins.
    return this.hdfs.replaceXAttr(this.dir, lockXAttr(mine.fence), JSON.stringify({ ...mine, expiresAt }));
  }

  serverTime(): Promise<number | undefined> {
    return this.hdfs.serverDate(this.dir);
  }

  async release(mine: LockRecord): Promise<void> {
    const own = parse(await this.hdfs.getXAttr(this.dir, lockXAttr(mine.fence)));
    if (own?.token !== mine.token) return;
    await this.hdfs.replaceXAttr(this.dir, lockXAttr(mine.fence), JSON.stringify({ ...own, released: true }));
  }

  private async stillMine(mine: LockRecord): Promise<boolean> {
    const seen = await this.read(Number.NEGATIVE_INFINITY);
    return seen.top?.fence === mine.fence && seen.top.record?.token === mine.token && !seen.top.record.released;
  }

  private async read(now: number): Promise<Seen> {
    const attrs = await this.hdfs.listXAttrs(this.dir);
    const fences = [...attrs.keys()].filter((n) => n.startsWith(PREFIX) && /^\d+$/.test(n.slice(PREFIX.length))).map((n) => Number(n.slice(PREFIX.length)));
    const topFence = fences.length > 0 ? Math.max(...fences) : undefined;
    const legacy = parseLegacy(attrs.get(LEGACY_LOCK_XATTR));
    return {
      fences,
      top: topFence === undefined ? undefined : { fence: topFence, record: parse(attrs.get(lockXAttr(topFence))) },
      legacy: legacy && Date.parse(legacy.expiresAt) > now ? legacy : undefined,
    };
  }

  /** SETXATTR flag=CREATE, making the directory first on the first deploy. */
  private async create(record: LockRecord): Promise<boolean> {
    const value = JSON.stringify(record);
    try {
      return await this.hdfs.createXAttr(this.dir, lockXAttr(record.fence), value);
    } catch (err) {
      if (!(err instanceof HttpStatusError && err.status === 404)) throw err;
      await this.hdfs.mkdirs(this.dir, "755");
      return this.hdfs.createXAttr(this.dir, lockXAttr(record.fence), value);
    }
  }

  /** Old generations below the one before ours: keeps the directory under HDFS's xattrs-per-inode limit. */
  private async prune(fences: readonly number[]): Promise<void> {
    for (const f of fences) await this.hdfs.removeXAttr(this.dir, lockXAttr(f)).catch(() => false);
  }
}

function holds(record: LockRecord, now: number): boolean {
  return !record.released && Date.parse(record.expiresAt) > now;
}

const parse = parseLockRecord;

function parseLegacy(raw: string | undefined): LockRecord | undefined {
  if (raw === undefined) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<LockRecord>;
    if (typeof v.expiresAt !== "string" || typeof v.owner !== "string") throw new DeployError("unreadable");
    return { owner: v.owner, mode: v.mode ?? "?", startedAt: v.startedAt ?? "?", expiresAt: v.expiresAt, token: v.token ?? "legacy", fence: 0 };
  } catch {
    // An unreadable legacy lock counts as held for a TTL we do not know: treat it as expired instead of blocking for ever.
    return undefined;
  }
}
