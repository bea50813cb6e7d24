/**
 * The deploy lock and the live state on Azure Blob storage (blob-lock-store.ts, blob-state-store.ts) against
 * Azurite, with its real leases and ETags: concurrent runs and superseded holders over generated rounds, a lost
 * answer at every request of a run (a loopback proxy cuts the answer after Azurite applied the request), a
 * killed holder's lease lapsing by the service's clock, and state writes fenced by the lease and the ETag.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { BlobServiceClient, StorageSharedKeyCredential, type BlockBlobClient } from "@azure/storage-blob";
import { EnvironmentLock, LockHeldError, LockLostError, type LockOptions } from "../../src/deployer/state/lock";
import { BlobLeaseLockStore } from "../../src/deployer/state/blob-lock-store";
import { BlobStateStore } from "../../src/deployer/state/blob-state-store";
import { readStateFrom, STATE_VERSION, writeStateTo, type DeployState } from "../../src/deployer/state/deploy-state";
import type { StateStore } from "../../src/deployer/state/state-store";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from "../harness/azurite/azurite";
import { startLossyProxy, type LossyProxy } from "../harness/azurite/lossy-proxy";

jest.setTimeout(180_000);

let work: string;
let azurite: Azurite;
let proxy: LossyProxy;
let environments = 0;
const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
const quiet = { step: () => undefined };

/** A blob of an environment, straight to Azurite or through the lossy proxy. */
/** maxTries 1: the SDK never re-sends, so a lost answer reaches lock.ts, which reads back what happened. */
function blobOf(name: string, via: "direct" | "proxy", maxTries = 4): BlockBlobClient {
  const base = via === "direct" ? azurite.blobEndpoint : `${proxy.url}/${AZURITE_ACCOUNT}`;
  const service = new BlobServiceClient(base, credential, { retryOptions: { maxTries, retryDelayInMs: 20, maxRetryDelayInMs: 100, tryTimeoutInMs: 10_000 } });
  return service.getContainerClient("deployments").getBlockBlobClient(name);
}

function lockBlob(env: string, via: "direct" | "proxy" = "direct", maxTries = 4): BlockBlobClient {
  return blobOf(`${env}/lock`, via, maxTries);
}

function stateBlob(env: string, via: "direct" | "proxy" = "direct"): BlockBlobClient {
  return blobOf(`${env}/state`, via);
}

function stateOf(deployedAt: string): DeployState {
  const release = { artifactHash: "a", digest: "d", request: { file: "f", name: "n" }, jaas: [], files: [], ddlDigest: "x", deployedAt };
  return { version: STATE_VERSION, current: release, batch: null, restarts: { count: 0 }, uploads: {} };
}

const noSleep = () => Promise.resolve();

function freshEnvironment(): string {
  return `env-${++environments}`;
}

function options(owner: string, extra: Partial<LockOptions> = {}): LockOptions {
  return { owner, mode: "deploy", ttlSeconds: 600, waitSeconds: 0, pollSeconds: 1, ...extra };
}

async function recordOf(env: string): Promise<Record<string, unknown>> {
  return JSON.parse((await lockBlob(env).downloadToBuffer()).toString("utf8")) as Record<string, unknown>;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "lock-blob-"));
  azurite = await startAzurite({ dir: join(work, "azurite") });
  proxy = await startLossyProxy(new URL(azurite.blobEndpoint).origin);
  await new BlobServiceClient(azurite.blobEndpoint, credential).getContainerClient("deployments").create();
});

afterAll(async () => {
  await proxy?.stop();
  await azurite?.stop();
  rmSync(work, { recursive: true, force: true });
});

test("generated rounds of 2 to 4 concurrent runs: exactly one holds the lease, the fence grows by one, a superseded holder fails its check and its release touches nothing", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 2, maxLength: 5 }), async (rounds) => {
      const env = freshEnvironment();
      let previous: EnvironmentLock | undefined;
      for (const [round, runs] of rounds.entries()) {
        const outcomes = await Promise.allSettled(Array.from({ length: runs }, (_, i) => EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env)), options(`run ${round}.${i}`), quiet)));
        const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
        for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(LockHeldError);
        expect(won).toHaveLength(1);
        const winner = won[0]!;
        expect(winner.fence).toBe(round + 1);
        await expect(winner.verify()).resolves.toEqual({ token: expect.any(String), fence: round + 1 });
        if (previous) {
          await expect(previous.verify()).rejects.toBeInstanceOf(LockLostError);
          await previous.release();
          expect(await recordOf(env)).toMatchObject({ fence: round + 1, owner: winner.owner });
          expect(await recordOf(env)).not.toHaveProperty("released");
          await expect(winner.verify()).resolves.toMatchObject({ fence: round + 1 });
        }
        // The winner stalls past its lease (the service ends it: here at once, as a break does).
        await lockBlob(env).getBlobLeaseClient().breakLease(0);
        previous = winner;
      }
      await previous?.release();
    }),
    { numRuns: 6 },
  );
});

test.each([4, 1])("a lost answer at each request of take, check and release (SDK tries: %i): the run holds the lock once, with the next fence, and leaves it free", async (maxTries) => {
  const run = async (env: string, loseAt?: number) => {
    const first = proxy.requests.length;
    if (loseAt !== undefined) proxy.loseAnswerTo(first + loseAt);
    const lock = await EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env, "proxy", maxTries)), options(`lossy ${loseAt}`), quiet);
    const fence = (await lock.verify()).fence;
    await lock.release();
    return { fence, sent: proxy.requests.length - first };
  };
  const clean = freshEnvironment();
  await run(clean); // the first run creates the blob
  const { sent } = await run(clean);
  expect(sent).toBeGreaterThanOrEqual(5);
  for (let loseAt = 0; loseAt < sent; loseAt++) {
    const env = freshEnvironment();
    await run(env);
    const lostBefore = proxy.lost.length;
    const { fence } = await run(env, loseAt);
    expect({ loseAt, lost: proxy.lost.length - lostBefore }).toEqual({ loseAt, lost: 1 });
    expect({ loseAt, fence }).toEqual({ loseAt, fence: 2 });
    expect(await recordOf(env)).toMatchObject({ fence: 2, released: true });
    // Free at once: a next run takes it without waiting for a lease to lapse.
    const next = await EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env)), options("next"), quiet);
    expect(next.fence).toBe(3);
    await next.release();
  }
});

test("a killed holder's lease lapses by the service's clock and the waiting run takes over, with the next fence", async () => {
  const env = freshEnvironment();
  // A run killed right after taking the lock: its lease (15 s, the shortest) is never renewed.
  const killed = new BlobLeaseLockStore(lockBlob(env));
  const taken = await killed.tryAcquire({ owner: "killed run", mode: "deploy", startedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 15_000).toISOString(), token: crypto.randomUUID() }, Date.now());
  expect(taken.kind).toBe("acquired");
  await expect(EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env)), options("impatient"), quiet)).rejects.toBeInstanceOf(LockHeldError);

  const said: string[] = [];
  const started = Date.now();
  const lock = await EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env)), options("patient", { waitSeconds: 40 }), { step: (_s: string, m: string) => void said.push(m) });
  expect(Date.now() - started).toBeLessThan(40_000);
  expect(lock.fence).toBe(2);
  expect(said.join("\n")).toContain("took over the expired lock of killed run");
  if (taken.kind !== "acquired") throw new Error("unreachable");
  expect(await killed.confirm(taken.record)).toMatchObject({ owner: "patient", fence: 2 });
  await lock.release();
});

test("a holder whose lease another run took, before that run's record landed, fails its check (the record alone still names it)", async () => {
  const env = freshEnvironment();
  const holder = await EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env)), options("stalled"), quiet);
  await lockBlob(env).getBlobLeaseClient().breakLease(0); // stalled past its lease
  await lockBlob(env).getBlobLeaseClient(crypto.randomUUID()).acquireLease(15); // the next run's lease; its record not yet written
  expect(await recordOf(env)).toMatchObject({ owner: "stalled", fence: 1 });
  await expect(holder.verify()).rejects.toBeInstanceOf(LockLostError);
  await holder.release();
  expect(await recordOf(env)).not.toHaveProperty("released");
});

test("a lock held past several leases is renewed within each (the TTL capped to the lease): no other run takes it meanwhile", async () => {
  const env = freshEnvironment();
  const holder = await EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env)), options("long run", { ttlSeconds: 600 }), quiet);
  // 600 s asked, 60 s granted by the service: renewed every 20 s, so a minute and more later it is still held.
  for (const until = Date.now() + 70_000; Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 10_000));
    await expect(EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env)), options("intruder"), quiet)).rejects.toBeInstanceOf(LockHeldError);
  }
  await expect(holder.verify()).resolves.toMatchObject({ fence: 1 });
  await holder.release();
});

describe("the live state as a blob", () => {
  test("a lock blob deleted by hand starts above the state's fence (fenceFloor), so the next run's state write passes", async () => {
    const env = freshEnvironment();
    const state = new BlobStateStore(stateBlob(env));
    const floor = async () => (await readStateFrom(state))?.lock?.fence;
    for (let i = 0; i < 3; i++) {
      const lock = await EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env), { fenceFloor: floor }), options(`run ${i}`), quiet);
      await writeStateTo(state, stateOf(`run ${i}`), lock, noSleep);
      await lock.release();
    }
    await lockBlob(env).delete();
    const next = await EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env), { fenceFloor: floor }), options("after the delete"), quiet);
    expect(next.fence).toBe(4);
    await writeStateTo(state, stateOf("after the delete"), next, noSleep);
    expect(await readStateFrom(state)).toMatchObject({ current: { deployedAt: "after the delete" }, lock: { fence: 4 } });
    await next.release();
  });

  test("a holder superseded after its lease lapsed cannot write; the new holder's state stays", async () => {
    const env = freshEnvironment();
    const a = await EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env)), options("A"), quiet);
    await writeStateTo(new BlobStateStore(stateBlob(env)), stateOf("by A"), a, noSleep);
    await lockBlob(env).getBlobLeaseClient().breakLease(0); // A stalls past its lease
    const b = await EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env)), options("B"), quiet);
    await writeStateTo(new BlobStateStore(stateBlob(env)), stateOf("by B"), b, noSleep);
    await expect(writeStateTo(new BlobStateStore(stateBlob(env)), stateOf("by A again"), a, noSleep)).rejects.toBeInstanceOf(LockLostError);
    const state = await readStateFrom(new BlobStateStore(stateBlob(env)));
    expect(state).toMatchObject({ current: { deployedAt: "by B" }, lock: { fence: b.fence } });
    await a.release();
    await b.release();
  });

  test("a write that passed its lock check before the next holder wrote is refused by the ETag, not applied over it", async () => {
    const env = freshEnvironment();
    const a = await EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env)), options("A"), quiet);
    const store = new BlobStateStore(stateBlob(env));
    await writeStateTo(store, stateOf("by A"), a, noSleep);
    let b: EnvironmentLock | undefined;
    // Between A's read and A's write: A's lease lapses, B takes the lock and writes its state.
    const racing: StateStore = {
      where: store.where, inspect: store.inspect, remove: store.remove, maxBytes: store.maxBytes,
      read: () => store.read(),
      clear: () => store.clear(),
      write: async (text, tag) => {
        if (!b) {
          await lockBlob(env).getBlobLeaseClient().breakLease(0);
          b = await EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env)), options("B"), quiet);
          await writeStateTo(store, stateOf("by B"), b, noSleep);
        }
        return store.write(text, tag);
      },
    };
    await expect(writeStateTo(racing, stateOf("by A, late"), a, noSleep)).rejects.toBeInstanceOf(LockLostError);
    expect(await readStateFrom(store)).toMatchObject({ current: { deployedAt: "by B" }, lock: { fence: 2 } });
    await b!.release();
  });

  test("a lost answer at each request of a state write: the state is written once, as sent, under the run's fence", async () => {
    const write = async (env: string, deployedAt: string, loseAt?: number) => {
      const lock = await EnvironmentLock.acquireIn(new BlobLeaseLockStore(lockBlob(env)), options("writer"), quiet);
      const first = proxy.requests.length;
      if (loseAt !== undefined) proxy.loseAnswerTo(first + loseAt);
      await writeStateTo(new BlobStateStore(stateBlob(env, "proxy")), stateOf(deployedAt), lock, noSleep);
      const sent = proxy.requests.length - first;
      await lock.release();
      return { sent, fence: lock.fence };
    };
    const probe = freshEnvironment();
    await write(probe, "first");
    const { sent } = await write(probe, "second");
    expect(sent).toBeGreaterThanOrEqual(2);
    for (let loseAt = 0; loseAt < sent; loseAt++) {
      const env = freshEnvironment();
      await write(env, "before");
      const lostBefore = proxy.lost.length;
      const { fence } = await write(env, `lost answer ${loseAt}`, loseAt);
      expect({ loseAt, lost: proxy.lost.length - lostBefore }).toEqual({ loseAt, lost: 1 });
      expect({ loseAt, state: await readStateFrom(new BlobStateStore(stateBlob(env))) }).toMatchObject({ loseAt, state: { current: { deployedAt: `lost answer ${loseAt}` }, lock: { fence } } });
    }
  });
});
