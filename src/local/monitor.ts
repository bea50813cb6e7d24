/**
 * Watches the local pipeline from the outside, as an operator would, through the sources that know:
 * the readings topic (what was produced, and when), the stats topic (what came out), the checkpoint over
 * WebHDFS (what was committed, and which offsets each batch read), Livy (what runs, and the job's one line
 * per written batch with its counts and rejection reasons) and Kafka's end offsets (the backlog).
 */
import { Consumer, stringDeserializers } from "@platformatic/kafka";
import { writtenBatches, type WrittenBatch } from "../deployer/batch-log";
import { backlogOf, readCheckpointProgress, readCommittedBatch, type CheckpointProgress } from "../deployer/checkpoint";
import { readState } from "../deployer/deploy-state";
import type { LivyClient } from "../deployer/livy-client";
import type { DeployPlanConfig } from "../deployer/plan-config";
import { endOffsets } from "../deployer/topic-offsets";
import type { WebHdfsClient } from "../deployer/webhdfs-client";
import { batchLatencies, percentiles, ProduceTimes, type Percentiles } from "./latency";

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
}


export class PipelineMonitor {
  private readonly produced = new ProduceTimes();
  private producedCount = 0;
  private readonly statsArrivals = new Map<number, number>();
  private readonly measured = new Set<number>();
  private readonly latencies: number[] = [];
  private readonly batchCounts = new Map<string, WrittenBatch>();
  private readonly latestStats: Record<string, SensorStats> = {};
  private statsMessages = 0;
  private job: PipelineSnapshot["job"] = null;
  private checkpoint: CheckpointProgress = {};
  private backlog: number | null = null;
  private readonly consumers: Consumer<string, string, string, string>[] = [];
  private readonly streams: { close(): Promise<unknown> | unknown }[] = [];

  constructor(
    private readonly plan: DeployPlanConfig,
    private readonly gateway: { hdfs: WebHdfsClient; livy: LivyClient },
  ) {}

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

  private async consume(topic: string, onMessage: (m: { partition: number; offset: bigint; timestamp: bigint; value: string }) => void): Promise<void> {
    const consumer = new Consumer<string, string, string, string>({
      clientId: `local-monitor-${topic}`,
      groupId: `local-monitor-${topic}-${process.pid}-${Date.now()}`,
      bootstrapBrokers: [this.plan.job.bootstrap_servers],
      deserializers: stringDeserializers,
      maxWaitTime: 200,
      autocommit: false,
    });
    this.consumers.push(consumer);
    const stream = await consumer.consume({ topics: [topic], mode: "earliest" });
    this.streams.push(stream);
    stream.on("data", onMessage);
  }

  /** One round of the slow sources: Livy (state and log), the checkpoint, the backlog; then new latencies. */
  async poll(): Promise<void> {
    const { hdfs, livy } = this.gateway;
    const state = await readState(hdfs, this.plan.hdfs.stateDir);
    if (state?.batch) {
      const batch = await livy.findBatch(state.batch.id);
      this.job = { batchId: state.batch.id, state: batch?.state ?? "gone" };
      if (batch) for (const written of writtenBatches(await livy.getLogTail(state.batch.id, 400))) this.count(written);
    }
    const checkpoint = this.plan.job.checkpoint_location;
    this.checkpoint = await readCheckpointProgress(hdfs, checkpoint);
    const end = await endOffsets({ bootstrap: this.plan.job.bootstrap_servers }, this.plan.job.input_topic);
    const backlog = backlogOf(end, this.checkpoint.last?.offsets[this.plan.job.input_topic]);
    this.backlog = Object.values(backlog).reduce((a, b) => a + b, 0);
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
    };
  }

  async stop(): Promise<void> {
    for (const stream of this.streams) await stream.close();
    for (const consumer of this.consumers) await consumer.close(true);
  }
}
