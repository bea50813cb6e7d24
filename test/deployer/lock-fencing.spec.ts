/**
 * The fenced deploy lock (lock.ts, webhdfs-lock-store.ts): concurrent breakers of one expired lock, a
 * holder that lost its lock, a lost answer to the lock's CREATE, and a release that must not touch the next
 * holder's lock. Interleavings are generated (seeded) against an in-memory stand-in of the NameNode's xattr
 * semantics; the breaker race runs against real HDFS behind the Knox stand-in too.
 */
import { writeState, readState, STATE_VERSION, type DeployState } from "../../src/deployer/state/deploy-state";
import { gatewayUrl } from "../../src/deployer/clients/gateway";
import { createDispatcher } from "../../src/deployer/core/http";
import { EnvironmentLock, LockHeldError, LockLostError, lockXAttr, type LockOptions } from "../../src/deployer/state/lock";
import { WebHdfsClient } from "../../src/deployer/clients/webhdfs-client";
import { GATEWAY_PASSWORD, GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";
import { XAttrStandIn } from "./support/xattr-standin";
import { ClockSkewError } from "../../src/deployer/state/lock-clock";

jest.setTimeout(180_000);

const DIR = "/deployments/test";
const quiet = { step: () => undefined };
const T0 = Date.parse("2026-12-01T00:00:00Z");

function options(owner: string, now: () => number, extra: Partial<LockOptions> = {}): LockOptions {
  return { owner, mode: "deploy", ttlSeconds: 600, waitSeconds: 0, pollSeconds: 1, now, sleep: () => Promise.resolve(), ...extra };
}

/** A lock record of a killed run, expired at T0. */
function expiredRecord(fence: number) {
  return JSON.stringify({ owner: "killed run", mode: "deploy", startedAt: new Date(T0 - 700_000).toISOString(), expiresAt: new Date(T0 - 100_000).toISOString(), token: "dead", fence });
}

function minimalState(): DeployState {
  const release = { artifactHash: "a", digest: "d", request: { file: "f", name: "n" }, jaas: [], files: [], ddlDigest: "x", deployedAt: new Date(T0).toISOString() };
  return { version: STATE_VERSION, current: release, batch: null, restarts: { count: 0 }, uploads: {} };
}

/** Starts `runs` acquisitions at once; returns the locks taken and how many were refused. */
async function race(hdfs: WebHdfsClient, runs: number, now: () => number) {
  const outcomes = await Promise.allSettled(Array.from({ length: runs }, (_, i) => EnvironmentLock.acquire(hdfs, DIR, options(`run ${i}`, now), quiet)));
  const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
  for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(LockHeldError);
  return won;
}

describe("breaking one expired lock (generated interleavings, in-memory xattr stand-in)", () => {
  const seeds = Array.from({ length: 60 }, (_, i) => i + 1);
  test.each([2, 3])("%i concurrent breakers: exactly one holds the lock, with the next fence, and its state write passes", async (runs) => {
    for (const seed of seeds) {
      const standIn = new XAttrStandIn(seed * 7919 + runs);
      standIn.attrs.set(lockXAttr(4), expiredRecord(4));
      const hdfs = standIn.client();
      const won = await race(hdfs, runs, () => T0);
      expect({ seed, winners: won.length }).toEqual({ seed, winners: 1 });
      expect(won[0]!.fence).toBe(5);
      await writeState(hdfs, DIR, minimalState(), won[0]!);
      await won[0]!.release();
    }
  });
});

describe("a holder whose lock expired and was taken over", () => {
  test("fails its next check and state write, and its release leaves the new holder's lock alone", async () => {
    let now = T0;
    const standIn = new XAttrStandIn(1);
    const hdfs = standIn.client();
    const a = await EnvironmentLock.acquire(hdfs, DIR, options("A", () => now), quiet);
    await writeState(hdfs, DIR, minimalState(), a);
    now += 601_000; // A paused past its TTL without renewing
    const b = await EnvironmentLock.acquire(hdfs, DIR, options("B", () => now), quiet);
    expect(b.fence).toBe(a.fence + 1);
    await expect(writeState(hdfs, DIR, { ...minimalState(), batch: { id: 1, appId: null } }, a)).rejects.toBeInstanceOf(LockLostError);
    await a.release();
    await writeState(hdfs, DIR, minimalState(), b);
    expect((await readState(hdfs, DIR))?.lock).toEqual({ token: expect.any(String), fence: b.fence });
    // A third run sees B's lock held, not free.
    await expect(EnvironmentLock.acquire(hdfs, DIR, options("C", () => now), quiet)).rejects.toBeInstanceOf(LockHeldError);
    await b.release();
  });

  test("a state written under a higher fence is never overwritten under a lower one", async () => {
    const standIn = new XAttrStandIn(2);
    const hdfs = standIn.client();
    const a = await EnvironmentLock.acquire(hdfs, DIR, options("A", () => T0), quiet);
    await writeState(hdfs, DIR, minimalState(), { verify: () => Promise.resolve({ token: "later", fence: a.fence + 3 }) });
    await expect(writeState(hdfs, DIR, minimalState(), a)).rejects.toBeInstanceOf(LockLostError);
    await a.release();
  });
});

describe("a lost answer to the lock's CREATE", () => {
  test("the run recognises its own record by its token and holds the lock at once (no wait for the TTL)", async () => {
    const standIn = new XAttrStandIn(3);
    standIn.loseNextAnswer((op) => op.startsWith("CREATE"));
    const hdfs = standIn.client();
    const lock = await EnvironmentLock.acquire(hdfs, DIR, options("A", () => T0), quiet);
    expect(lock.fence).toBe(1);
    await expect(lock.verify()).resolves.toEqual({ token: expect.any(String), fence: 1 });
    await lock.release();
    expect(JSON.parse(standIn.attrs.get(lockXAttr(1))!)).toMatchObject({ released: true });
  });
});

describe("against real HDFS", () => {
  let services: DeployerServices;
  let hdfs: WebHdfsClient;
  beforeAll(async () => {
    services = await startDeployerServices({ livy: false });
    const dispatcher = createDispatcher({ caBundlePath: services.ca.caCertPath, retry: { maxRetries: 2, minTimeoutMs: 20, maxTimeoutMs: 50 } });
    hdfs = new WebHdfsClient({ url: gatewayUrl(services.knox.url), credentials: { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, dispatcher });
  });
  afterAll(async () => {
    await services?.stop();
  });

  test.each([2, 3])("%i concurrent runs against an expired lock: exactly one holds it", async (runs) => {
    const dir = `/apps/lock-race-${runs}`;
    await hdfs.mkdirs(dir);
    expect(await hdfs.createXAttr(dir, lockXAttr(7), expiredRecord(7))).toBe(true);
    for (let round = 0; round < 5; round++) {
      const outcomes = await Promise.allSettled(Array.from({ length: runs }, (_, i) => EnvironmentLock.acquire(hdfs, dir, options(`run ${i}`, () => T0 + round * 700_000, { maxClockSkewSeconds: Infinity }), quiet)));
      const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
      expect(won).toHaveLength(1);
      expect(won[0]!.fence).toBe(8 + round);
      await won[0]!.verify();
      // Not released: the next round breaks it as expired, as after a killed run.
    }
    const names = [...(await hdfs.listXAttrs(dir)).keys()].filter((n) => n.includes("lock."));
    expect(names.length).toBeLessThanOrEqual(3);
  });

  test("a run whose clock is further from the gateway's than TTL/6 takes no lock; one within it does", async () => {
    const dir = "/apps/lock-clock";
    await hdfs.mkdirs(dir);
    const ahead = (seconds: number) => () => Date.now() + seconds * 1000;
    for (const seconds of [600, -600, 110]) {
      const refused = await EnvironmentLock.acquire(hdfs, dir, options(`skewed ${seconds}s`, ahead(seconds)), quiet).catch((err: Error) => err);
      expect(refused).toBeInstanceOf(ClockSkewError);
      expect((refused as Error).message).toContain(seconds > 0 ? "ahead of" : "behind");
      expect([...(await hdfs.listXAttrs(dir)).keys()].filter((n) => n.includes("lock."))).toEqual([]);
    }
    const lock = await EnvironmentLock.acquire(hdfs, dir, options("30s ahead", ahead(30)), quiet);
    expect(lock.fence).toBe(1);
    await lock.release();
  });
});
