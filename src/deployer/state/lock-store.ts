/**
 * The port of the environment's deploy lock: what a store must offer so that the lock is atomic and
 * fenced. WebHDFS implements it with create-only extended attributes (webhdfs-lock-store.ts); Azure Blob
 * storage with a blob lease, the record and its fence written under the lease (blob-lock-store.ts).
 */
import * as z from "zod/mini";

export const lockRecordSchema = z.object({
  owner: z.string(),
  mode: z.string(),
  startedAt: z.string(),
  expiresAt: z.string(),
  /** Unique per acquisition: "already exists" with our token is our own lock. */
  token: z.string(),
  /** Increases with every acquisition of this environment's lock; every state write carries it. */
  fence: z.number(),
  /** Set by release: the record stays (its fence must not be reused), but no longer holds the lock. */
  released: z.optional(z.boolean()),
});
export type LockRecord = z.infer<typeof lockRecordSchema>;
/** A record as a store holds it (JSON text), if it parses. */
export function parseLockRecord(raw: string | undefined): LockRecord | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = lockRecordSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A new holder before the store assigns its fencing number. */
export type LockCandidate = Omit<LockRecord, "fence" | "released">;

export type AcquireOutcome =
  /** `expired`: the holder whose lock had expired (a killed run), superseded by this acquisition; told to the operator. */
  | { readonly kind: "acquired"; readonly record: LockRecord; readonly expired?: LockRecord }
  /** Someone holds it (or its record is unreadable: then `holder` is undefined and it counts as held). */
  | { readonly kind: "held"; readonly holder: LockRecord | undefined };

export interface LockStore {
  /**
   * Set when the store itself ends a lock that is not renewed (a blob lease): after at most `maxSeconds`, by the
   * server's clock. The lock then renews within that, and no clock of ours decides expiry. Unset: expiry is the
   * record's `expiresAt` compared with the reader's clock (lock-clock.ts bounds their skew).
   */
  readonly serverExpiry?: { readonly maxSeconds: number };
  /**
   * Takes the lock if it is free or expired at `now`, atomically: of any number of concurrent callers
   * (breakers of the same expired record included), at most one gets "acquired" per fencing number.
   */
  tryAcquire(candidate: LockCandidate, now: number): Promise<AcquireOutcome>;
  /** The record holding the lock now: "free" when none does (never taken, released, or expired). */
  current(now: number): Promise<LockRecord | "free" | undefined>;
  /** As `current`, asked by the holder of `mine`: a store whose records can lag its locks (a lease taken before
   * its record is written) proves `mine` is still held before it answers with it. */
  confirm(mine: LockRecord, now: number): Promise<LockRecord | "free" | undefined>;
  /** Extends our own record; false when it is no longer ours (it was broken). Only ever touches our record. */
  renew(mine: LockRecord, expiresAt: string): Promise<boolean>;
  /** Marks our own record released; never touches another holder's record. */
  release(mine: LockRecord): Promise<void>;
  /** The store's clock (ms), as its server's answer states it (HTTP `Date`: whole seconds); undefined when it states none. */
  serverTime(): Promise<number | undefined>;
}
