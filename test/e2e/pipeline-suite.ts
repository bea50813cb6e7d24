/**
 * The one scenario that ties the product together, run once per target shape (pipeline.spec.ts: the BDC's,
 * through the Knox gateway; pipeline-livy.spec.ts: a plain Livy and NameNode, no gateway), on the local stack (`npm start`'s): the simulator at a steady
 * rate, deploy v1, deploy v2 while data flows, deploy v3 (a migration that adds a column, then a job that fails at
 * start, so the deploy restores v2), SIGKILL of the streaming driver and `ensure`'s restart, drain.
 * Then, from the tables read through the shared metastore and from both topics: every produced reading is in
 * the data table exactly once, every malformed one in the rejected table with its reason, the stats over all
 * batches equal the readings' own, and the stats topic agrees with the stats table after dedupe by
 * (run_id, batch_id, sensor).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { StatusReport } from "../../src/deployer/commands/status";
import type { ReadBackMessage } from "../simulator/read-back";
import type { LocalTarget } from "../../src/local/local-plan";
import { fileDirectories, lossReport, type ObservedTables } from "./loss-report";
import { MIGRATED_COLUMN } from "./scenario-constants";

const ROOT = resolve(__dirname, "..", "..");
jest.setTimeout(20 * 60_000);

interface Observed {
  simulator: { acknowledged: number; failed: number };
  versions: { v1: string; v2: string; v3: string };
  deployV1: { action: string; artifactHash: string };
  deployV2: { action: string; artifactHash: string };
  deployV3: { failed: boolean; message: string };
  liveAfterRollback: string | null;
  liveBatchBeforeV3: number | null;
  liveBatchAfterRollback: number | null;
  snapshot: { took: { batchId: number; wholeMs: number; rows: number }[] };
  rollbackGapMs: number;
  ensure: { action: string; artifactHash: string };
  killed: number;
  backlog: { produced: number; stopped: { code: number; report: StatusReport }; after: { code: number; report: StatusReport }; measured: { code: number; report: StatusReport; produced: number; secondsAfter: number }; caughtUpMs: number };
  frozen: { frozen: number; produced: number; actions: string[]; notifications: string[]; limit: number };
  replacementGapMs: number;
  restartGapMs: number;
  readings: ReadBackMessage[];
  stats: ReadBackMessage[];
  tables: ObservedTables;
}

/** The job's reason, as the simulator's kind of malformed message (src/simulator/malformed.ts). */
function kindOf(reason: string): string {
  if (reason === "unparseable JSON") return "unparseable_json";
  if (reason === "missing sensor") return "missing_sensor";
  if (reason.startsWith("non-finite")) return "non_finite_measure";
  if (reason.startsWith("non-numeric") || reason.startsWith("missing measure")) return "non_numeric_measure";
  return `unexpected reason: ${reason}`;
}

export function pipelineSuite(target: LocalTarget): void {
  describe(`the pipeline deployed to the ${target} target`, () => {
    let observed: Observed;
    let work: string;

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), "e2e-"));
      const stdout = await new Promise<string>((done, fail) => {
        const child = execFile(join(ROOT, "node_modules", ".bin", "tsx"), [join(__dirname, "scenario.ts"), work, "200", target], { maxBuffer: 1 << 28 }, (err, out) => (err ? fail(err) : done(out)));
        child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
      });
      observed = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Observed;
      process.stderr.write(
        `stream gap of the replacement: ${observed.replacementGapMs} ms; of the restart: ${observed.restartGapMs} ms; ` +
          `backlog back to 0 ${observed.backlog.caughtUpMs} ms after ensure's restart\n`,
      );
    });
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    test("both versions went live in turn, and ensure restarted the killed driver", () => {
      expect(observed.killed).toBeGreaterThanOrEqual(1);
      expect(observed.deployV1).toMatchObject({ action: "started", artifactHash: observed.versions.v1 });
      expect(observed.deployV2).toMatchObject({ action: "replaced", artifactHash: observed.versions.v2 });
      expect(observed.ensure).toMatchObject({ action: "restarted", artifactHash: observed.versions.v2 });
      expect(observed.simulator.failed).toBe(0);
    });

    test("a migration that adds a column, then a failed start: the deploy restores the previous release, which writes on into the migrated table", () => {
      expect(observed.deployV3.failed).toBe(true);
      expect(observed.deployV3.message).toContain(`runs artifact ${observed.versions.v2.slice(0, 12)}`); // the deployer's "now:" line
      expect(observed.liveAfterRollback).toBe(observed.versions.v2);
      // v2 was stopped for the migration and restarted by the restore: another Livy batch.
      expect(observed.liveBatchAfterRollback).not.toBeNull();
      expect(observed.liveBatchAfterRollback).not.toBe(observed.liveBatchBeforeV3);
      expect(observed.tables.columns.data_table).toContain(MIGRATED_COLUMN);
      // The restored v2 committed batches after the rollback (moreCommits), and the driver ensure restarted later is v2's.
      expect(observed.ensure).toMatchObject({ artifactHash: observed.versions.v2 });
    });

    test("the job printed a took line per batch, which the monitor read from the driver's log", () => {
      expect(observed.snapshot.took.length).toBeGreaterThan(0);
      for (const took of observed.snapshot.took) expect(took.wholeMs).toBeGreaterThan(0);
    });

    test("status, with the job stopped and N readings produced, reports a backlog of exactly N and fails; after ensure's restart, 0", () => {
      const { produced, stopped, after } = observed.backlog;
      expect(produced).toBe(1000);
      expect(stopped.report.backlog?.records).toBe(produced);
      expect(stopped.code).toBe(1);
      expect(stopped.report.problems.join("\n")).toMatch(/not running/);
      expect(after.report.backlog?.records).toBe(0);
      expect(after.report.batch?.state).toBe("running");
    });

    test("status measures the input rate from Kafka against what the job processes, and a job that caught up is not undersized", () => {
      const { report, produced, secondsAfter } = observed.backlog.measured;
      const { throughput, problems } = report;
      expect(throughput).not.toBeNull();
      // `produced` readings went in just before (within the 60 s window): at least they count, as readings per second.
      expect(produced).toBeGreaterThan(0);
      expect(secondsAfter).toBeLessThan(throughput!.windowSeconds - 10);
      expect(throughput!.inputPerSecond).toBeGreaterThanOrEqual(produced / throughput!.windowSeconds);
      expect(throughput!.capacityPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(throughput!.capacityPerSecond)).toBe(true);
      // Nothing waits beyond the next batch (the backlog is drained): whatever the capacity measured on this machine.
      expect(throughput!.undersized).toBe(false);
      expect(problems.filter((p) => p.startsWith("undersized"))).toEqual([]);
    });

    test("a frozen driver with a backlog over the limit: ensure leaves it running and notifies the backlog once, then that it runs again", () => {
      const { frozen, produced, actions, notifications, limit } = observed.frozen;
      expect(frozen).toBe(1);
      expect(produced).toBe(1000);
      expect(actions).toEqual(["alive", "alive", "alive"]);
      expect(notifications).toHaveLength(2);
      const [backlog, recovered] = notifications as [string, string];
      const records = Number(/but its backlog (\d+) records > (\d+)/.exec(backlog)?.[1]);
      expect(backlog).toMatch(new RegExp(`^local: the streaming job runs \\(Livy batch \\d+\\), but its backlog \\d+ records > ${limit}`));
      expect(records).toBeGreaterThanOrEqual(produced);
      expect(recovered).toMatch(/^local: the streaming job runs again \(Livy batch \d+, /);
    });

    test("every produced reading is in the data table or the rejected table, exactly once", () => {
      const position = (partition: unknown, offset: unknown) => `${String(partition)}:${String(offset)}`;
      const produced = new Set(observed.readings.map((m) => position(m.partition, m.offset)));
      expect(produced.size).toBe(observed.simulator.acknowledged);
      const landed = [...observed.tables.data, ...observed.tables.rejected].map((row) => position(row[0], row[1]));
      const landedSet = new Set(landed);
      expect(landed.length).toBe(landedSet.size);
      const missing = [...produced].filter((p) => !landedSet.has(p));
      if (missing.length > 0) throw new Error(lossReport(missing, observed.tables, join(work, "stack", "hdfs", "hdfs-audit.log")));
      expect(landedSet).toEqual(produced);
    });

    test("each table's partition directories on HDFS are exactly the partitions the metastore lists", () => {
      for (const listing of Object.values(observed.tables.listing)) {
        expect(listing.registered.length).toBeGreaterThan(0);
        expect(fileDirectories(listing)).toEqual(listing.registered);
      }
    });

    test("valid readings keep their values; every malformed one is rejected with its reason", () => {
      const byPosition = new Map(observed.readings.map((m) => [`${m.partition}:${m.offset}`, m]));
      for (const [partition, offset, sensor, m1, m2] of observed.tables.data) {
        const message = byPosition.get(`${partition}:${offset}`)!;
        expect(message.malformedHeader).toBeNull();
        expect(JSON.parse(message.value)).toMatchObject({ sensor, measure1: m1, measure2: m2 });
      }
      expect(observed.tables.rejected.length).toBeGreaterThan(0);
      for (const [partition, offset, reason] of observed.tables.rejected) {
        expect(kindOf(String(reason))).toBe(byPosition.get(`${partition}:${offset}`)!.malformedHeader);
      }
    });

    test("the per-sensor stats over all batches equal the readings' own", () => {
      const own = new Map<string, { n: number; m1: number; m2: number }>();
      for (const m of observed.readings.filter((r) => r.malformedHeader === null)) {
        const r = JSON.parse(m.value) as { sensor: string; measure1: number; measure2: number };
        const s = own.get(r.sensor) ?? { n: 0, m1: 0, m2: 0 };
        own.set(r.sensor, { n: s.n + 1, m1: s.m1 + r.measure1, m2: s.m2 + r.measure2 });
      }
      const fromStats = new Map<string, { n: number; m1: number; m2: number }>();
      for (const [sensor, count, m1avg, m2avg] of observed.tables.stats) {
        const s = fromStats.get(String(sensor)) ?? { n: 0, m1: 0, m2: 0 };
        const n = Number(count);
        fromStats.set(String(sensor), { n: s.n + n, m1: s.m1 + n * Number(m1avg), m2: s.m2 + n * Number(m2avg) });
      }
      expect([...fromStats.keys()].sort()).toEqual([...own.keys()].sort());
      for (const [sensor, s] of own) {
        const t = fromStats.get(sensor)!;
        expect(t.n).toBe(s.n);
        expect(t.m1 / t.n).toBeCloseTo(s.m1 / s.n, 9);
        expect(t.m2 / t.n).toBeCloseTo(s.m2 / s.n, 9);
      }
    });

    test("the stats topic, deduplicated by (run_id, batch_id, sensor), equals the stats table", () => {
      const key = (run: unknown, batch: unknown, sensor: unknown) => `${String(run)}/${String(batch)}/${String(sensor)}`;
      const topic = new Map<string, number>();
      for (const m of observed.stats) {
        const s = JSON.parse(m.value) as { run_id: string; batch_id: number; sensor: string; count_sensor: number };
        topic.set(key(s.run_id, s.batch_id, s.sensor), s.count_sensor);
      }
      const table = new Map(observed.tables.stats.map(([sensor, count, , , run, batch]) => [key(run, batch, sensor), Number(count)]));
      expect(topic).toEqual(table);
    });
  });
}
