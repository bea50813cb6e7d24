/**
 * Renders the pipeline's snapshot: redrawn in place on a terminal, or one plain line per refresh otherwise
 * (CI logs, pipes), so both read well.
 */
import { recentDurations } from "../deployer/clients/batch-log";
import type { PipelineSnapshot } from "./monitor";

/** How many of the last batches the durations line is over (as `status`). */
const RECENT_DURATIONS = 10;

export interface DisplayContext {
  elapsedSeconds: number;
  sent: { acknowledged: number; failed: number };
  rate: string;
  trigger: string;
  /** The deploy's last word while it runs, then what it did. */
  deploy?: string;
}

const n = (value: number) => value.toLocaleString("en-US");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function reasons(snapshot: PipelineSnapshot): string {
  const entries = Object.entries(snapshot.tables.reasons).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? "none" : entries.map(([reason, count]) => `${reason} ${n(count)}`).join(" · ");
}

function latency(snapshot: PipelineSnapshot): string {
  const l = snapshot.latency;
  return l ? `p50 ${seconds(l.p50)} · p95 ${seconds(l.p95)} · max ${seconds(l.max)} (${n(l.count)} readings)` : "waiting for the first stats message";
}

function durations(snapshot: PipelineSnapshot, trigger: string): string {
  const took = recentDurations(snapshot.took, RECENT_DURATIONS);
  return took ? `last ${took.batches}: median ${seconds(took.medianMs)} · longest ${seconds(took.maxMs)} (trigger ${trigger})` : "no batch has reported yet";
}

function job(snapshot: PipelineSnapshot): string {
  const batch = snapshot.job ? `Livy batch ${snapshot.job.batchId} ${snapshot.job.state}` : "no batch yet";
  const commit = snapshot.lastCommit ? `last commit: micro-batch ${snapshot.lastCommit.batchId}, ${snapshot.lastCommit.secondsAgo} s ago` : "nothing committed yet";
  return `${batch}; ${commit}`;
}

/** One line per source that does not answer, for the view and the plain output alike. */
export function outageLines(snapshot: PipelineSnapshot): string[] {
  const line = (what: string, outage: PipelineSnapshot["gatewayOutage"]) => (outage ? [`${what.padEnd(18)} unreachable for ${outage.seconds} s (${outage.reason})`] : []);
  return [...line("kafka broker", snapshot.brokerOutage), ...line("livy/webhdfs", snapshot.gatewayOutage)];
}

/** The full view, one line per fact. */
export function renderView(snapshot: PipelineSnapshot, ctx: DisplayContext): string[] {
  const t = snapshot.tables;
  const lines = [
    `local pipeline · ${ctx.elapsedSeconds} s · simulator ${ctx.rate} · trigger ${ctx.trigger}`,
    `readings sent      ${n(ctx.sent.acknowledged)} acknowledged, ${n(ctx.sent.failed)} failed; ${n(snapshot.produced)} on the topic`,
    ...(ctx.deploy !== undefined ? [`deploy             ${ctx.deploy}`] : []),
    ...outageLines(snapshot),
    `job                ${job(snapshot)}`,
    `backlog            ${snapshot.backlog === null ? "unknown yet" : `${n(snapshot.backlog)} records`}`,
    `tables             sensor_data ${n(t.readings)} rows · sensor_data_rejected ${n(t.rejected)} rows · ${n(t.batches)} batches written`,
    `rejected by reason ${reasons(snapshot)}`,
    `batch durations    ${durations(snapshot, ctx.trigger)}`,
    `latency            ${latency(snapshot)}  (produce → stats message)`,
    `latest stats       ${n(snapshot.statsMessages)} messages on sensor-stats`,
  ];
  for (const [sensor, s] of Object.entries(snapshot.latestStats).sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))) {
    lines.push(`  ${sensor.padEnd(12)} measure1_avg ${s.measure1Avg.toFixed(2).padStart(6)} · measure2_avg ${s.measure2Avg.toFixed(3)} · count ${String(s.count).padStart(5)} · batch ${s.batchId}`);
  }
  return lines;
}

/** One line, for output that is not a terminal, and a line per source that does not answer (figures as last read). */
export function renderPlain(snapshot: PipelineSnapshot, ctx: DisplayContext): string[] {
  const t = snapshot.tables;
  const l = snapshot.latency;
  const figures =
    `[${ctx.elapsedSeconds} s] sent ${ctx.sent.acknowledged} · ${job(snapshot)} · backlog ${snapshot.backlog ?? "?"} · ` +
    `data ${t.readings} · rejected ${t.rejected} (${reasons(snapshot)}) · stats messages ${snapshot.statsMessages}` +
    (l ? ` · latency p50 ${seconds(l.p50)} p95 ${seconds(l.p95)}` : "");
  return [figures, ...outageLines(snapshot).map((line) => `[${ctx.elapsedSeconds} s] ${line}`)];
}

/** Draws the view over the previous one on a terminal. */
export function terminalPainter(write: (text: string) => void): (lines: string[]) => void {
  let previous = 0;
  return (lines) => {
    // Up to the first line of the previous view, then clear to the end of the screen.
    write(`${previous > 0 ? `\x1b[${previous}F` : ""}\x1b[J${lines.join("\n")}\n`);
    previous = lines.length;
  };
}
