// `npm run bench:simulator`: events/s the sensor simulator delivers (acknowledged, acks=all) to a
// real local Kafka broker, unthrottled, from one process. Goal: ≥ 50,000 events/s. Starts its own
// broker with the shared harness, runs each configuration after a warm-up, prints figures and
// whether the goal is met; asserts nothing.
import * as os from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { startBroker } from "../test/harness/kafka/broker";
import { describeKafkaError } from "../src/simulator/kafka-errors";
import { connectKafka } from "../src/simulator/kafka-producer";
import { parseSimulatorOptions, type RawSimulatorOptions } from "../src/simulator/options";
import { runSimulation } from "../src/simulator/run";

const GOAL_EVENTS_PER_SECOND = 50_000;
const PARTITIONS = 3;

interface Case {
  readonly label: string;
  readonly raw: Omit<RawSimulatorOptions, "topic" | "bootstrapServer">;
}

const CASES: readonly Case[] = [
  { label: "defaults (batch 5000, 8 in flight, no compression)", raw: {} },
  { label: "batch 1000", raw: { batchSize: "1000" } },
  { label: "keyed by sensor, 5% malformed", raw: { keyBySensor: true, malformedFraction: "0.05" } },
  { label: "gzip (as for Event Hubs)", raw: { compression: "gzip" } },
];

const fmt = (n: number): string => String(Math.round(n)).padStart(7);

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("a whole number ≥ 1");
  return n;
}

async function main(): Promise<void> {
  const args = new Command("bench:simulator")
    .option("--events <n>", "events per measured run", positiveInt, 300_000)
    .option("--repeat <n>", "measured runs per configuration (the best and median are printed)", positiveInt, 3)
    .parse()
    .opts<{ events: number; repeat: number }>();

  process.stderr.write("starting a local Kafka broker (shared harness)…\n");
  const broker = await startBroker({ partitions: PARTITIONS });
  const results: Array<{ label: string; best: number; median: number; perCpuSecond: number; peakRssMb: number }> = [];
  try {
    let topicNumber = 0;
    for (const benchCase of CASES) {
      const rates: number[] = [];
      const perCpuSecond: number[] = [];
      let peakRssMb = 0;
      // Run 0 is a warm-up (JIT, connections, topic creation) and is not counted.
      for (let run = 0; run <= args.repeat; run++) {
        const topic = `bench-simulator-${++topicNumber}`;
        await broker.createTopic(topic, PARTITIONS);
        const options = parseSimulatorOptions({
          ...benchCase.raw,
          topic,
          bootstrapServer: broker.bootstrap,
          rate: "max",
          count: String(run === 0 ? Math.min(50_000, args.events) : args.events),
          seed: "1",
          progressInterval: "1h",
        });
        const sink = await connectKafka(options, { bootstrapServers: options.bootstrapServers ?? [] });
        const rssTimer = setInterval(() => (peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 2 ** 20)), 100);
        const cpuBefore = process.cpuUsage();
        const summary = await runSimulation(options, 1, sink, {
          describeError: describeKafkaError,
          onError: (message) => process.stderr.write(`  error: ${message}\n`),
        });
        const cpu = process.cpuUsage(cpuBefore);
        clearInterval(rssTimer);
        await sink.close();
        if (summary.failed > 0) throw new Error(`${summary.failed} deliveries failed in '${benchCase.label}'`);
        if (run > 0) {
          rates.push(summary.eventsPerSecond);
          // The simulator's own CPU cost: what one core could do if the broker and other work did not share it.
          perCpuSecond.push(summary.acknowledged / ((cpu.user + cpu.system) / 1e6));
          process.stderr.write(`  ${benchCase.label}: run ${run}: ${Math.round(summary.eventsPerSecond)} events/s\n`);
        }
      }
      const sorted = [...rates].sort((a, b) => a - b);
      const cpuSorted = [...perCpuSecond].sort((a, b) => a - b);
      results.push({
        label: benchCase.label,
        best: sorted[sorted.length - 1],
        median: sorted[Math.floor(sorted.length / 2)],
        perCpuSecond: cpuSorted[Math.floor(cpuSorted.length / 2)],
        peakRssMb,
      });
    }
  } finally {
    await broker.stop();
  }

  console.log(`sensor simulator → local Kafka (${PARTITIONS} partitions, acks=all), ${args.events} events per run, ${args.repeat} runs each, one process`);
  for (const r of results) {
    console.log(
      `  ${r.label.padEnd(52)} median ${fmt(r.median)} events/s   best ${fmt(r.best)} events/s   ` +
        `${fmt(r.perCpuSecond)} events per simulator CPU-second   peak RSS ${Math.round(r.peakRssMb)} MiB`,
    );
  }
  console.log(`  (load average during the run: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} on ${os.cpus().length} cores; the broker shares them)`);
  const headline = results[0].median;
  const met = headline >= GOAL_EVENTS_PER_SECOND;
  console.log(`goal ≥ ${GOAL_EVENTS_PER_SECOND} events/s (defaults, median): ${Math.round(headline)} events/s — ${met ? "met" : "NOT met"}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:simulator failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
