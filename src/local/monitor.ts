/**
 * Watches the local pipeline from the outside, as an operator would, through the sources that know:
 * the readings topic (what was produced, and when), the stats topic (what came out), the checkpoint over
 * WebHDFS (what was committed, and which offsets each batch read), Livy (what runs, and the job's one line
 * per written batch with its counts and rejection reasons) and Kafka's end offsets (the backlog).
 *
 * It outlives an outage of what it watches, as the cluster does: when the broker or the gateway (Livy, WebHDFS)
 * stops answering, the snapshot says so (brokerOutage, gatewayOutage), keeps the last figures read, and the
 * monitor keeps trying; a topic's consumer that failed is started again and skips what it had already counted.
 */
import { Consumer, stringDeserializers } from "@platformatic/kafka";
import { tookBatches, writtenBatches, type TookBatch, type WrittenBatch } from "../deployer/clients/batch-log";
import { backlogOf, readCheckpointProgress, readCommittedBatch, type CheckpointProgress } from "../deployer/state/checkpoint";
import { readState } from "../deployer/state/deploy-state";
import type { LivyClient } from "../deployer/clients/livy-client";
import type { DeployPlanConfig } from "../deployer/core/plan-config";
import { endOffsets } from "../deployer/clients/topic-offsets";
import type { WebHdfsClient } from "../deployer/clients/webhdfs-client";
import { batchLatencies, percentiles, ProduceTimes, type Percentiles } from "./latency";
import { OutageTracker, type Outage } from "./outage";

/** A topic's consumer that failed (the broker went away) is started again this much later. */
export const CONSUMER_RESTART_MS = 2000;

export interface SensorStats {
  measure1Avg: number;
  measure2Avg: number;
  count: number;
  batchId: number;
}

export interface PipelineSnapshot {
  /** Readings on the input topic, as the readings consumer saw them. */
  produced: number;
  job: { batchId: number; state: string } | null;
  lastCommit: { batchId: number; secondsAgo: number } | null;
  /** From the job's per-batch lines, each batch counted once (a replayed batch logs again). */
  tables: { batches: number; readings: number; rejected: number; reasons: Record<string, number> };
  latestStats: Record<string, SensorStats>;
  statsMessages: number;
  backlog: number | null;
  /** Input records the last committed batch had read up to, over all partitions. */
  consumed: number;
  /** Over the readings of every batch measured (since resetLatencies()). */
  latency: Percentiles | undefined;
  /** How long each batch took, from the job's `took` lines (since resetLatencies()), in batch order. */
  took: TookBatch[];
  /** Since when Livy or WebHDFS (through the gateway) has not answered, and why; null while they answer. */
  gatewayOutage: Outage | null;
  /** Since when the Kafka broker has not answered (a topic's consumer or the end offsets), and why. */
  brokerOutage: Outage | null;
}


/** Closes without waiting for a broker that may be gone; never throws. */
function closeConsumer(consumer: Consumer<string, string, string, string>): Promise<void> {
  return new Promise((resolve) => consumer.close(true, () => resolve()));
}

export class PipelineMonitor {
  private readonly produced = new ProduceTimes();
  private producedCount = 0;
  private readonly statsArrivals = new Map<number, number>();
  private readonly measured = new Set<number>();
  private readonly latencies: number[] = [];
  private readonly batchCounts = new Map<string, WrittenBatch>();
  private readonly took = new Map<string, TookBatch>();
  /** The batches whose took lines came before the last resetLatencies(): the log window still shows them. */
  private readonly tookBefore = new Set<string>();
  private readonly latestStats: Record<string, SensorStats> = {};
  private statsMessages = 0;
  private job: PipelineSnapshot["job"] = null;
  private checkpoint: CheckpointProgress = {};
  private backlog: number | null = null;
  private readonly consumers = new Map<string, { consumer: Consumer<string, string, string, string>; stream?: { close(): Promise<unknown> | unknown } }>();
  private readonly restarts = new Set<NodeJS.Timeout>();
  private stopped = false;
  private readonly gatewayDown: OutageTracker;
  private readonly brokerDown: OutageTracker;

  constructor(
    private readonly plan: DeployPlanConfig,
    private readonly gateway: { hdfs: WebHdfsClient; livy: LivyClient },
    log: (line: string) => void = () => undefined,
  ) {
    this.gatewayDown = new OutageTracker("livy/webhdfs", log);
    this.brokerDown = new OutageTracker("kafka broker", log);
  }

  /** Starts consuming both topics from the beginning. */
  async start(): Promise<void> {
    await this.consume(this.plan.job.input_topic, (m) => {
      this.produced.add(m.partition, Number(m.offset), Number(m.timestamp));
      this.producedCount += 1;
    });
    await this.consume(this.plan.job.output_topic, (m) => {
      const arrivedAt = Date.now();
      const stats = JSON.parse(m.value) as { sensor: string; measure1_avg: number; measure2_avg: number; count_sensor: number; batch_id: number };
      this.statsMessages += 1;
      if (!this.statsArrivals.has(stats.batch_id)) this.statsArrivals.set(stats.batch_id, arrivedAt);
      this.latestStats[stats.sensor] = { measure1Avg: stats.measure1_avg, measure2Avg: stats.measure2_avg, count: stats.count_sensor, batchId: stats.batch_id };
    });
  }

  /**
   * Consumes a topic from its beginning; when the stream fails (the broker went away), records the outage and
   * starts again from the beginning, every message counted once by its offset.
   */
  private async consume(topic: string, onMessage: (m: { partition: number; offset: bigint; timestamp: bigint; value: string }) => void): Promise<void> {
    const seen = new Map<number, bigint>(); // next offset to count, per partition
    const attempt = async (): Promise<void> => {
      const consumer = new Consumer<string, string, string, string>({
        clientId: `local-monitor-${topic}`,
        groupId: `local-monitor-${topic}-${process.pid}-${Date.now()}`,
        bootstrapBrokers: [this.plan.job.bootstrap_servers],
        deserializers: stringDeserializers,
        maxWaitTime: 200,
        autocommit: false,
      });
      const entry: { consumer: typeof consumer; stream?: { close(): Promise<unknown> | unknown } } = { consumer };
      this.consumers.set(topic, entry);
      const stream = await consumer.consume({ topics: [topic], mode: "earliest" });
      entry.stream = stream;
      stream.on("data", (m) => {
        if (m.offset < (seen.get(m.partition) ?? 0n)) return;
        seen.set(m.partition, m.offset + 1n);
        onMessage(m);
      });
      // Without a listener, a stream's error (a broker outage) is an uncaught exception that ends npm start.
      stream.on("error", (err: unknown) => void failed(err, consumer));
    };
    const failed = async (err: unknown, consumer: Consumer<string, string, string, string>): Promise<void> => {
      this.brokerDown.failed(err);
      await closeConsumer(consumer);
      if (this.stopped) return;
      const timer = setTimeout(() => {
        this.restarts.delete(timer);
        if (this.stopped) return;
        attempt().catch((again: unknown) => void failed(again, this.consumers.get(topic)!.consumer));
      }, CONSUMER_RESTART_MS);
      this.restarts.add(timer);
    };
    await attempt();
  }

  /**
   * One round of the slow sources: Livy (state and log), the checkpoint, the backlog; then new latencies. It does
   * not throw: a source that does not answer is recorded as an outage and the round goes on with the others.
   */
  async poll(): Promise<void> {
    await this.pollGateway().then(
      () => this.gatewayDown.ok(),
      (err: unknown) => this.gatewayDown.failed(err),
    );
    await endOffsets({ bootstrap: this.plan.job.bootstrap_servers }, this.plan.job.input_topic).then(
      (end) => {
        const backlog = backlogOf(end, this.checkpoint.last?.offsets[this.plan.job.input_topic]);
        this.backlog = Object.values(backlog).reduce((a, b) => a + b, 0);
        if (this.restarts.size === 0) this.brokerDown.ok();
      },
      (err: unknown) => this.brokerDown.failed(err),
    );
  }

  /** What Livy and WebHDFS tell; a failure leaves the figures of the last round that answered. */
  private async pollGateway(): Promise<void> {
    const { hdfs, livy } = this.gateway;
    const state = await readState(hdfs, this.plan.hdfs.stateDir);
    if (state?.batch) {
      const batch = await livy.findBatch(state.batch.id);
      this.job = { batchId: state.batch.id, state: batch?.state ?? "gone" };
      if (batch) {
        const lines = await livy.getLogTail(state.batch.id, 400);
        for (const written of writtenBatches(lines)) this.count(written);
        for (const took of tookBatches(lines)) {
          const key = `${took.runId}/${took.batchId}`;
          if (!this.tookBefore.has(key)) this.took.set(key, took);
        }
      }
    }
    const checkpoint = this.plan.job.checkpoint_location;
    this.checkpoint = await readCheckpointProgress(hdfs, checkpoint);
    for (const [batchId, arrivedAt] of this.statsArrivals) {
      if (this.measured.has(batchId)) continue;
      const topic = this.plan.job.input_topic;
      const ended = await readCommittedBatch(hdfs, checkpoint, batchId, 0).catch(() => undefined);
      const started = batchId === 0 ? undefined : await readCommittedBatch(hdfs, checkpoint, batchId - 1, 0).catch(() => undefined);
      if (ended === undefined || (batchId > 0 && started === undefined)) continue;
      this.measured.add(batchId);
      const range = { start: started?.offsets[topic] ?? {}, end: ended.offsets[topic] ?? {} };
      this.latencies.push(...batchLatencies(range, arrivedAt, this.produced));
    }
  }

  private count(written: WrittenBatch): void {
    const key = `${written.runId}/${written.batchId}`;
    if (!this.batchCounts.has(key)) this.batchCounts.set(key, written);
  }

  /** Latencies from here on only (a benchmark's warm-up is left out). */
  resetLatencies(): void {
    this.latencies.length = 0;
    for (const key of this.took.keys()) this.tookBefore.add(key);
    this.took.clear();
  }

  /** When each micro-batch's first stats message arrived (epoch ms). */
  arrivals(): IterableIterator<number> {
    return this.statsArrivals.values();
  }

  snapshot(now = Date.now()): PipelineSnapshot {
    const tables = { batches: 0, readings: 0, rejected: 0, reasons: {} as Record<string, number> };
    for (const counts of this.batchCounts.values()) {
      tables.batches += 1;
      tables.readings += counts.readings;
      tables.rejected += counts.rejected;
      for (const [reason, n] of Object.entries(counts.reasons)) tables.reasons[reason] = (tables.reasons[reason] ?? 0) + n;
    }
    const last = this.checkpoint.last;
    return {
      produced: this.producedCount,
      job: this.job,
      lastCommit: last ? { batchId: last.batchId, secondsAgo: Math.max(0, Math.round((now - last.committedAt) / 1000)) } : null,
      tables,
      latestStats: { ...this.latestStats },
      statsMessages: this.statsMessages,
      backlog: this.backlog,
      consumed: Object.values(last?.offsets[this.plan.job.input_topic] ?? {}).reduce((a, b) => a + b, 0),
      latency: percentiles(this.latencies),
      took: [...this.took.values()],
      gatewayOutage: this.gatewayDown.current(now),
      brokerOutage: this.brokerDown.current(now),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.restarts) clearTimeout(timer);
    this.restarts.clear();
    for (const { consumer, stream } of this.consumers.values()) {
      await Promise.resolve(stream?.close()).catch(() => undefined);
      await closeConsumer(consumer);
    }
  }
}
