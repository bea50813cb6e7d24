/**
 * Livy forgets old sessions while the deployer pages through `GET /batches?from=&size=` (issue 24 item 4):
 * one pass over a shrinking list can skip a batch that slid below the next page's `from`. The deployer
 * lists until two passes agree (livy-client.ts listBatchesStable). Stand-in: a loopback server that answers
 * `GET /batches` as Livy's REST API documents it ({from, total, sessions}, oldest first), and forgets a
 * generated number of the oldest finished sessions after each page it serves, for a generated number of pages.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { unsafeUniformIntDistribution, xoroshiro128plus } from "pure-rand";
import { Agent } from "undici";
import { LivyClient, type Batch } from "../../src/deployer/clients/livy-client";
import { plainLivy } from "../../src/deployer/clients/livy-endpoint";

interface Livy {
  sessions: Batch[];
  /** The largest page the server gives, whatever size is asked (Synapse: 20). */
  cap?: number;
  /** Sessions forgotten after each page served, while `forgettingPages` lasts. */
  forgetPerPage: number;
  forgettingPages: number;
}

let server: Server;
const livy: Livy = { sessions: [], forgetPerPage: 0, forgettingPages: 0 };

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, "http://livy");
    const from = Number(url.searchParams.get("from") ?? 0);
    const size = Math.min(Number(url.searchParams.get("size") ?? 100), livy.cap ?? Number.POSITIVE_INFINITY);
    const page = { from, total: livy.sessions.length, sessions: livy.sessions.slice(from, from + size) };
    if (livy.forgettingPages > 0) {
      livy.forgettingPages -= 1;
      // Livy's session store forgets finished sessions, oldest first; a running one stays.
      let forget = livy.forgetPerPage;
      livy.sessions = livy.sessions.filter((b) => b.state === "running" || forget-- <= 0);
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(page));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function client(dispatcher: Agent): LivyClient {
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return new LivyClient(plainLivy(url, undefined, dispatcher));
}

test("every batch still listed at the end is found, however many old sessions Livy forgets between pages", async () => {
  const seed = Date.now();
  const rng = xoroshiro128plus(seed);
  const dispatcher = new Agent();
  let missedByOnePass = 0;
  try {
    for (let i = 0; i < 60; i++) {
      // Case 0 is the one observed: ours slid from index 1050 to 800 between the second and the third page.
      const old = i === 0 ? 1300 : unsafeUniformIntDistribution(0, 1600, rng);
      const forgetPerPage = i === 0 ? 250 : unsafeUniformIntDistribution(0, 600, rng);
      const forgettingPages = i === 0 ? 2 : unsafeUniformIntDistribution(0, 3, rng);
      const ours: Batch = { id: 100_000 + i, name: `sensor-aggregation-test.${"a".repeat(12)}.1-1`, state: "running", appId: null };
      const reset = () => {
        livy.sessions = [...Array.from({ length: old }, (_, k): Batch => ({ id: k, name: `other-${k}`, state: "success", appId: null })), ours];
        Object.assign(livy, { forgetPerPage, forgettingPages });
      };
      const context = `seed ${seed}, case ${i}: ${old} old sessions, forgetting ${forgetPerPage} per page for ${forgettingPages} pages`;
      reset();
      const once = await client(dispatcher).listBatches(500);
      if (!once.some((b) => b.id === ours.id)) missedByOnePass += 1;
      reset();
      const stable = await client(dispatcher).listBatchesStable();
      expect([context, stable.some((b) => b.id === ours.id)]).toEqual([context, true]);
      // What the stable list holds is what Livy holds once it stopped forgetting.
      expect([context, stable.map((b) => b.id).sort((a, b) => a - b)]).toEqual([context, livy.sessions.map((b) => b.id).sort((a, b) => a - b)]);
    }
  } finally {
    await dispatcher.close();
  }
  // The scenario is real: a single pass misses our batch at least in case 0.
  expect(missedByOnePass).toBeGreaterThan(0);
  process.stderr.write(`livy-list-forgetting: seed ${seed}: a single pass missed our batch in ${missedByOnePass} of 60 cases\n`);
});

test("a server that caps its pages below the size asked (Synapse: 20) is paged to the end, in either dialect", async () => {
  const dispatcher = new Agent();
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    for (const dialect of ["synapse", "livy"] as const) {
      for (const count of [0, 19, 20, 21, 45, 61]) {
        Object.assign(livy, { sessions: Array.from({ length: count }, (_, k): Batch => ({ id: k, name: `b-${k}`, state: "success", appId: null })), cap: 20, forgettingPages: 0 });
        const endpoint = { ...plainLivy(url, undefined, dispatcher), dialect };
        expect([dialect, count, (await new LivyClient(endpoint).listBatches()).length]).toEqual([dialect, count, count]);
      }
    }
  } finally {
    livy.cap = undefined;
    await dispatcher.close();
  }
});
