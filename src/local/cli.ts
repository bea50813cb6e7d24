/**
 * `npm start [-- --rate N --duration 90s --trigger "5 seconds" --keep]`: the whole pipeline on this machine.
 * Brings up the local environment's services (src/local/services.ts), deploys the job with the real deployer,
 * runs the simulator, and shows live what flows: readings, committed micro-batches, rows and rejection reasons,
 * the latest stats per sensor, the backlog and the end-to-end latency. Ctrl-C (or --duration) stops it all,
 * leaving no process behind; --keep leaves the stack up after the simulator stops, until Ctrl-C.
 *
 * It survives what the cluster survives. A deploy that fails (Livy or WebHDFS not answering at start) is tried
 * again every RETRY_AFTER_FAILURE_MS until one succeeds, then ensure runs every ENSURE_EVERY_MS and restarts the job
 * if an outage ended it (src/local/reconcile-loop.ts). A broker or gateway outage shows on the view as its own line
 * while the last figures stay (src/local/monitor.ts); the simulator retries with backoff meanwhile. Every process
 * the run started is stopped on any exit, an uncaught error included (src/local/exit-cleanup.ts). Exit code 1 when
 * the job was never deployed or the simulator gave readings up.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Command, Option } from "commander";
import type { LocalTarget } from "./local-plan";
import { parseDurationMs } from "../simulator/options";
import { renderPlain, renderView, terminalPainter, type DisplayContext } from "./display";
import { onEveryExit } from "./exit-cleanup";
import { localEnvironment } from "./local-plan";
import { startLocalPipeline, type LocalPipeline } from "./pipeline";
import { startReconcileLoop } from "./reconcile-loop";
import { LOCAL_GATEWAY_PASSWORD, LOCAL_GATEWAY_USER } from "./services";

const ROOT = resolve(__dirname, "..", "..");
const REFRESH_MS = 2000;
/** Output that is not a terminal gets a line this often. */
const PLAIN_EVERY_MS = 10_000;

interface StartOptions {
  rate?: string;
  duration?: string;
  trigger?: string;
  keep: boolean;
  target: LocalTarget;
}

function fail(message: string): never {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(2);
}

function parse(argv: readonly string[]): { rate: number; durationMs?: number; trigger?: string; keep: boolean; target: LocalTarget } {
  const opts = new Command("start")
    .description("Runs the whole pipeline on this machine: simulator → Kafka → the job deployed by the real deployer → tables and stats, live")
    .option("--rate <readings/s>", "simulator rate (default: bdc.simulator.eventsPerSecond of config/environments/local.ts)")
    .option("--duration <time>", "stop after this long, e.g. 90s or 5m (default: until Ctrl-C)")
    .option("--trigger <interval>", 'the job\'s trigger interval, e.g. "5 seconds" (default: the local environment\'s)')
    .option("--keep", "leave the stack up after the run and print how to reach it (Ctrl-C ends it)", false)
    .addOption(new Option("--target <kind>", "how the deployer reaches the stack: bdc (through the Knox gateway) or livy (Livy and WebHDFS directly)").choices(["bdc", "livy"]).default("bdc"))
    .parse([...argv], { from: "user" })
    .opts<StartOptions>();
  const rate = opts.rate === undefined ? localEnvironment().config.bdc.simulator.eventsPerSecond : Number(opts.rate);
  if (!Number.isFinite(rate) || rate <= 0) fail(`--rate: got '${opts.rate}'; a number of readings per second above 0`);
  const durationMs = opts.duration === undefined ? undefined : parseDurationMs(opts.duration);
  if (opts.duration !== undefined && (durationMs === undefined || durationMs <= 0)) fail(`--duration: got '${opts.duration}'; a duration such as 90s or 5m`);
  if (opts.trigger !== undefined && !/^[1-9]\d* (seconds?|minutes?)$/.test(opts.trigger)) fail(`--trigger: got '${opts.trigger}'; '<n> seconds' or '<n> minutes'`);
  return { rate, durationMs, trigger: opts.trigger, keep: opts.keep, target: opts.target };
}

function reachability(pipeline: LocalPipeline): string {
  const { services, plan } = pipeline;
  return [
    "The stack stays up until Ctrl-C:",
    `  gateway (Apache Knox)   ${services.gateway.url}/gateway/default/{webhdfs,livy}/v1  user ${LOCAL_GATEWAY_USER}, password ${LOCAL_GATEWAY_PASSWORD}, CA ${services.gateway.caCertPath}`,
    `  Kafka                    ${services.kafka.bootstrap} (PLAINTEXT), topics ${plan.job.input_topic}, ${plan.job.output_topic}`,
    `  HDFS                     ${services.hdfs.rpc}, WebHDFS ${services.hdfs.webhdfs}`,
    `  Livy                     ${services.livy.url}`,
    `  status                   SENSORS_LOCAL_BDC_GATEWAY_URL=${services.gateway.url} SENSORS_LOCAL_BDC_GATEWAY_CA_BUNDLE=${services.gateway.caCertPath} ` +
      `BDC_GATEWAY_USERNAME=${LOCAL_GATEWAY_USER} BDC_GATEWAY_PASSWORD=${LOCAL_GATEWAY_PASSWORD} npm run status -- --env local --plaintext --bootstrap ${services.kafka.bootstrap}`,
  ].join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parse(argv);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // The deployer's lines: on a terminal, once the live view is drawn, its last one shows in the view instead.
  let deployLine = "starting";
  let deployLinesToView = false;
  const deployLog = (line: string) => {
    deployLine = line.trim().replace(/^\[deployer\]\s*/, "");
    if (!deployLinesToView) log(line);
  };
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, ".tmp", "local-"));
  let starting: Promise<LocalPipeline> | undefined;
  // Runs once, however the run ends: its end, Ctrl-C, SIGTERM, an uncaught error (then exit code 1).
  const exit = onEveryExit(async () => {
    log("stopping the local stack");
    // A stack still starting is stopped once it is up (startLocalPipeline stops what it started if it fails).
    await (await starting?.catch(() => undefined))?.stop();
    rmSync(dir, { recursive: true, force: true });
    log("stopped: no process of the local stack is left");
  }, log);
  const stopRequested = exit.stopRequested;
  const stopped = new Promise<void>((resolveStop) => stopRequested.addEventListener("abort", () => resolveStop(), { once: true }));
  const started = Date.now();
  try {
    log(`local environment in ${dir}`);
    starting = startLocalPipeline({ dir, triggerInterval: options.trigger, target: options.target, log: (line) => (line.startsWith("  ") ? deployLog(line) : log(line)) });
    const pipeline = await starting;
    if (stopRequested.aborted) return 130;
    // Readings flow from now on; the job, deployed next, starts at the earliest offset and catches up.
    const simulator = await pipeline.startSimulator({ ratePerSecond: options.rate });
    const runStarted = Date.now();
    log(`simulator: ${options.rate} readings/s to ${pipeline.plan.job.input_topic}`);
    log("deploying the job with the deployer (the in-cluster Job's bundle and code path); Kafka is PLAINTEXT locally, so the JAAS files it writes go unused");
    // Deploy until it succeeds, then ensure, as the cluster's Job and CronJob do; an outage is waited out.
    const reconcile = startReconcileLoop({ deploy: () => pipeline.deploy(), ensure: () => pipeline.ensure() }, stopRequested, (line) => {
      deployLine = line;
      if (!deployLinesToView || line.includes("failed")) log(`deploy: ${line}`);
    });
    const tty = process.stdout.isTTY === true;
    deployLinesToView = tty;
    const paint = tty ? terminalPainter((text) => process.stdout.write(text)) : (lines: string[]) => process.stdout.write(`${lines.join("\n")}\n`);
    const ctx = (): DisplayContext => ({
      elapsedSeconds: Math.round((Date.now() - runStarted) / 1000),
      sent: simulator.counts,
      rate: `${options.rate}/s`,
      trigger: pipeline.plan.job.trigger_interval,
      deploy: deployLine,
    });
    let lastPlain = 0;
    while (!stopRequested.aborted && (options.durationMs === undefined || Date.now() - runStarted < options.durationMs)) {
      // poll() records an outage of what it reads and keeps the last figures; it does not throw.
      await pipeline.monitor.poll();
      const snapshot = pipeline.monitor.snapshot();
      if (tty) paint(renderView(snapshot, ctx()));
      else if (Date.now() - lastPlain >= PLAIN_EVERY_MS) {
        paint(renderPlain(snapshot, ctx()));
        lastPlain = Date.now();
      }
      await sleep(REFRESH_MS, undefined, { signal: stopRequested }).catch(() => undefined);
    }
    const summary = await simulator.stop();
    // A run shorter than the first deploy: let that attempt end (Ctrl-C ends it at once) before the summary.
    await Promise.race([reconcile.firstAttempt, stopped]);
    await pipeline.monitor.poll();
    process.stdout.write(`\nsummary after ${Math.round((Date.now() - started) / 1000)} s (simulator ${summary.acknowledged} acknowledged, ${summary.failed} failed):\n`);
    process.stdout.write(`${renderView(pipeline.monitor.snapshot(), ctx()).map((line) => `  ${line}`).join("\n")}\n`);
    if (options.keep && !stopRequested.aborted) {
      process.stdout.write(`${reachability(pipeline)}\n`);
      await stopped;
    }
    if (!reconcile.deployed()) log("npm start: the job was never deployed (see the deploy lines above)");
    return summary.failed > 0 || !reconcile.deployed() ? 1 : 0;
  } catch (err) {
    log(`npm start: ${(err as Error).message}`);
    return 1;
  } finally {
    await exit.run();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
