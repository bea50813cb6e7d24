/**
 * The local pipeline, assembled: the services, the artifact of this machine's Spark line (built when the one
 * in dist/ is not the sources'), the real deployer's deploy, the simulator and the monitor. `npm start`, the
 * end-to-end test and bench:e2e all run it through this one module.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { READINGS_TOPIC, STATS_TOPIC } from "../../config";
import { buildArtifact } from "../../jobs/sensor_aggregation/build/build-artifact";
import { artifactDir, computeManifest, LOCAL_SPARK_LINE, type ArtifactLine, type ArtifactManifest } from "../../jobs/sensor_aggregation/build/manifest";
import { gatewayClients, type GatewayClients } from "../deployer/clients/clients";
import type { DeployPlanConfig } from "../deployer/core/plan-config";
import { connectKafka } from "../simulator/kafka-producer";
import { parseSimulatorOptions } from "../simulator/options";
import { emptyCounts, type DeliveryCounts, type RunSummary } from "../simulator/progress";
import { runSimulation } from "../simulator/run";
import { localDeployer, type LocalDeployer } from "./deployer-run";
import { localEnvironment, localPlan, localSecrets, type LocalEnvironment, type LocalTarget } from "./local-plan";
import { PipelineMonitor } from "./monitor";
import { LOCAL_GATEWAY_PASSWORD, LOCAL_GATEWAY_USER, startLocalServices, type LocalServices } from "./services";

/** The local line's artifact in dist/, built first unless what is there already matches the sources. */
export function localArtifact(log: (line: string) => void, line: ArtifactLine = LOCAL_SPARK_LINE): { dir: string; manifest: ArtifactManifest } {
  const dir = artifactDir(line);
  const wanted = computeManifest(line);
  const manifestPath = join(dir, "manifest.json");
  const built = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, "utf8")) as ArtifactManifest) : undefined;
  if (built?.hash === wanted.hash) {
    log(`artifact ${wanted.hash.slice(0, 12)} already built in ${dir}`);
    return { dir, manifest: built };
  }
  log(`building the artifact for Spark ${wanted.sparkVersion} into ${dir}`);
  return { dir, manifest: buildArtifact(line, { log }) };
}

export interface SimulatorRun {
  counts: DeliveryCounts;
  /** Settles when the run ends by itself (a count was given) or is stopped. */
  done: Promise<RunSummary>;
  /** Stops generating, waits for in-flight messages, and gives the summary. */
  stop(): Promise<RunSummary>;
}

export interface LocalPipeline {
  env: LocalEnvironment;
  services: LocalServices;
  /** The plan of the artifact the stack was started with. */
  plan: DeployPlanConfig;
  /** Deploys an artifact (default: the one the stack was started with) with the real deployer. */
  deploy(artifact?: { dir: string; manifest: ArtifactManifest }): Promise<Record<string, unknown>>;
  /**
   * The ensure CronJob's run: restarts the live release if it is not alive, checks the health rules of one that is.
   * health: other limits for this run (as bdc.health would give); webhookUrl: where it notifies (NOTIFY_WEBHOOK_URL).
   */
  ensure(options?: { health?: Partial<DeployPlanConfig["health"]>; webhookUrl?: string }): Promise<Record<string, unknown>>;
  gateway: GatewayClients;
  monitor: PipelineMonitor;
  startSimulator(options: SimulatorSettings): Promise<SimulatorRun>;
  stop(): Promise<void>;
}

export interface SimulatorSettings {
  ratePerSecond: number;
  malformedFraction?: number;
  seed?: number;
  /** Stop after this many readings. @default until stopped */
  count?: number;
}

export interface PipelineOptions {
  dir: string;
  triggerInterval?: string;
  /** The job's cap on readings per batch (bench:e2e makes the job undersized with a low one). @default the local config's */
  maxOffsetsPerTrigger?: number;
  /** An artifact directory to deploy instead of the local line's build (the end-to-end test's second version). */
  artifact?: { dir: string; manifest: ArtifactManifest };
  /** How the deployer reaches the stack (local-plan.ts). @default "bdc" */
  target?: LocalTarget;
  log(line: string): void;
}

/** Starts the services and the monitor; the caller deploys (deployer.run("deploy")) and starts the simulator. */
export async function startLocalPipeline(options: PipelineOptions): Promise<LocalPipeline> {
  const { log } = options;
  const env = localEnvironment({ triggerInterval: options.triggerInterval, maxOffsetsPerTrigger: options.maxOffsetsPerTrigger });
  const artifact = options.artifact ?? localArtifact(log);
  const services = await startLocalServices({ dir: options.dir, topics: [READINGS_TOPIC, STATS_TOPIC], partitions: env.stack.partitions, sparkMaster: env.stack.sparkMaster, log });
  const stops: (() => Promise<unknown>)[] = [() => services.stop()];
  const stop = async (): Promise<void> => {
    for (const step of stops.reverse()) await step().catch((err: unknown) => log(`stopping: ${(err as Error).message}`));
    stops.length = 0;
  };
  try {
    const target = options.target ?? "bdc";
    const plan = localPlan(env, services, artifact.manifest, artifact.dir, target);
    const deployer: LocalDeployer = localDeployer(join(options.dir, "deployer"), localSecrets(services.kafka.bootstrap), (line) => log(`  ${line}`));
    stops.push(async () => deployer.stop());
    const deploy = (other = artifact) => deployer.run(localPlan(env, services, other.manifest, other.dir, target), "deploy");
    const ensure: LocalPipeline["ensure"] = (o = {}) =>
      deployer.run({ ...plan, health: { ...plan.health, ...o.health } }, "ensure", [], o.webhookUrl ? { NOTIFY_WEBHOOK_URL: o.webhookUrl } : {});
    const gateway = gatewayClients(plan, { username: LOCAL_GATEWAY_USER, password: LOCAL_GATEWAY_PASSWORD }, services.gateway.caCertPath);
    stops.push(() => gateway.close());
    const monitor = new PipelineMonitor(plan, gateway, log);
    await monitor.start();
    stops.push(() => monitor.stop());
    const startSimulator = async (sim: SimulatorSettings): Promise<SimulatorRun> => {
      const simulatorOptions = parseSimulatorOptions({
        topic: READINGS_TOPIC,
        bootstrapServer: services.kafka.bootstrap,
        rate: String(sim.ratePerSecond),
        sensors: String(env.stack.sensors),
        malformedFraction: String(sim.malformedFraction ?? env.stack.malformedFraction),
        progressInterval: "1s",
        ...(sim.count !== undefined ? { count: String(sim.count) } : {}),
      });
      const sink = await connectKafka(simulatorOptions, { bootstrapServers: [services.kafka.bootstrap] });
      const abort = new AbortController();
      let counts = emptyCounts();
      const running = runSimulation(simulatorOptions, sim.seed ?? 1, sink, {
        stopSignal: abort.signal,
        onProgress: (_line, now) => void (counts = now),
        onError: (message) => log(`simulator: ${message}`),
      }).then(async (summary) => {
        counts = summary;
        await sink.close();
        return summary;
      });
      const run: SimulatorRun = {
        get counts() {
          return counts;
        },
        done: running,
        stop: async () => {
          abort.abort();
          return running;
        },
      };
      stops.push(() => run.stop());
      return run;
    };
    return { env, services, plan, deploy, ensure, gateway, monitor, startSimulator, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
