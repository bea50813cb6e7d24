/**
 * The deploy lock on Azure Blob storage (issue 25): a lease on one blob, `<environment>/lock`, whose content is
 * the holder's record. The lease is the lock: the service grants one at a time and ends it, by its own clock,
 * when it is not renewed within its duration (60 s at most), so a killed holder's lock frees itself and no
 * deployer's clock decides expiry. The record, written under the lease, carries the fence: one above the
 * previous record's (or, for a blob without one, above `fenceFloor`), so fences only grow.
 *
 * Lost answers: the lease id is the acquisition's token, proposed by us, and the service grants an acquire for
 * the id that already holds the lease again, so a repeated acquire is recognised as ours; every write carries
 * the lease id, so a repeated or late write of a run that lost the lease is refused (412), never applied. A
 * holder proves the lease is still its own by renewing it (`confirm`) before it trusts the record, since a new
 * holder's record lands only after its lease.
 */
import { RestError, type BlockBlobClient } from "@azure/storage-blob";
import { isStatus, readBlob } from "./blob-read";
import { parseLockRecord, type AcquireOutcome, type LockCandidate, type LockRecord, type LockStore } from "./lock-store";

/** The longest finite blob lease the service grants. */
export const MAX_LEASE_SECONDS = 60;

export interface BlobLockOptions {
  /**
   * The highest fence recorded elsewhere (the live state's lock): a lock blob without a record (the first, or one
   * deleted by hand) starts above it, so no fence is handed out twice and the state's fence check keeps passing.
   */
  readonly fenceFloor?: () => Promise<number | undefined>;
}

/**
 * The client should carry a per-try timeout (`retryOptions.tryTimeoutInMs`): a renewal that hangs would keep
 * later renewals from starting (lock.ts runs one at a time) while the lease runs out.
 */
export class BlobLeaseLockStore implements LockStore {
  readonly serverExpiry = { maxSeconds: MAX_LEASE_SECONDS };

  constructor(
    private readonly blob: BlockBlobClient,
    private readonly options: BlobLockOptions = {},
  ) {}

  async tryAcquire(candidate: LockCandidate, now: number): Promise<AcquireOutcome> {
    // The lock's TTL (lock.ts caps it at serverExpiry), within the 15 to 60 s the service grants.
    const duration = Math.max(15, Math.min(MAX_LEASE_SECONDS, Math.round((Date.parse(candidate.expiresAt) - now) / 1000)));
    if (!(await this.lease(candidate.token, duration))) return { kind: "held", holder: (await this.read()).record };
    const before = await this.read();
    // Our own record: an earlier attempt of this acquisition wrote it and its answer was lost.
    if (before.record?.token === candidate.token && !before.record.released) return { kind: "acquired", record: before.record };
    if (before.text !== "" && before.record === undefined) {
      // An unreadable record leaves the next fence unknown: give the lease back rather than reuse a fence.
      await this.blob.getBlobLeaseClient(candidate.token).releaseLease().catch(() => undefined);
      return { kind: "held", holder: undefined };
    }
    const last = before.record?.fence ?? Math.max(0, (await this.options.fenceFloor?.()) ?? 0);
    const record: LockRecord = { ...candidate, fence: last + 1 };
    await this.write(record, candidate.token);
    return { kind: "acquired", record, expired: before.record && !before.record.released ? before.record : undefined };
  }

  async current(): Promise<LockRecord | "free" | undefined> {
    const seen = await this.read();
    if (!seen.leased) return "free";
    return seen.record;
  }

  async confirm(mine: LockRecord): Promise<LockRecord | "free" | undefined> {
    if (await this.renewLease(mine.token)) return (await this.read()).record;
    const current = await this.current();
    // Our record under another's lease: its holder has not written its own yet. It is not ours.
    return typeof current === "object" && current.token === mine.token ? undefined : current;
  }

  /** The lease alone: the service's clock ends it, so the record (and its `expiresAt`, the first lease's end) is not rewritten every renewal. */
  renew(mine: LockRecord): Promise<boolean> {
    return this.renewLease(mine.token);
  }

  async release(mine: LockRecord): Promise<void> {
    // The mark is for the next holder's message only; the lease is given back even when marking failed.
    const marked = await this.write({ ...mine, released: true }, mine.token).catch((err: unknown) => err);
    try {
      await unanswered(() => this.blob.getBlobLeaseClient(mine.token).releaseLease());
    } catch (err) {
      if (!lostLease(err)) throw err; // not ours any more (or already released): nothing of another run is touched
    }
    if (marked instanceof Error && !lostLease(marked)) throw marked;
  }

  /** Not needed for expiry (the service's clock decides it); the blob's properties carry the service's time. */
  async serverTime(): Promise<number | undefined> {
    const props = await this.blob.getProperties().catch((err: unknown) => (isStatus(err, 404) ? undefined : Promise.reject(err)));
    return props?.date?.getTime();
  }

  /** Takes (or, for the id that holds it, takes again) the lease; false when another id holds it. */
  private async lease(token: string, seconds: number): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await unanswered(() => this.blob.getBlobLeaseClient(token).acquireLease(seconds));
        return true;
      } catch (err) {
        if (isStatus(err, 409)) return false; // LeaseAlreadyPresent: another id holds it
        if (!isStatus(err, 404) || attempt > 0) throw err;
        // The first lock of the environment: create the blob, empty, unless another run just did.
        await this.blob.upload("", 0, { conditions: { ifNoneMatch: "*" } }).catch((e: unknown) => (isStatus(e, 409) || isStatus(e, 412) ? undefined : Promise.reject(e)));
      }
    }
  }

  private async renewLease(token: string): Promise<boolean> {
    try {
      await unanswered(() => this.blob.getBlobLeaseClient(token).renewLease());
      return true;
    } catch (err) {
      if (lostLease(err)) return false; // another id holds it, or none does and the blob was leased again since
      throw err;
    }
  }

  private async write(record: LockRecord, token: string): Promise<void> {
    const text = JSON.stringify(record);
    await unanswered(() => this.blob.upload(text, Buffer.byteLength(text), { conditions: { leaseId: token }, blobHTTPHeaders: { blobContentType: "application/json" } }));
  }

  private async read(): Promise<{ leased: boolean; text: string; record: LockRecord | undefined }> {
    const seen = await unanswered(() => readBlob(this.blob));
    if (!seen) return { leased: false, text: "", record: undefined };
    return { leased: seen.leased, text: seen.text, record: seen.text === "" ? undefined : parseLockRecord(seen.text) };
  }
}

/**
 * Every call here is idempotent (a lease id we chose, a write under our lease, a read), so one whose answer
 * never came is sent again, whatever retries the client's own policy makes: up to three tries in all.
 */
async function unanswered<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const answered = err instanceof RestError && err.statusCode !== undefined;
      if (answered || attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

/** The service's answer that a lease id is not (or no longer) the blob's lease: 409 for lease calls, 412 for writes. */
function lostLease(err: unknown): boolean {
  return isStatus(err, 409) || isStatus(err, 412);
}
