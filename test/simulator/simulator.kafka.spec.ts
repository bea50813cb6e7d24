/**
 * The simulator CLI against a real Kafka broker (KRaft, started by the shared harness), its
 * messages read back with the same Kafka client.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBroker, type RunningBroker } from "../harness/kafka/broker";
import { classify, meanAndStddev } from "./classify";
import { readBack, simulate, startSimulator, summaryOf } from "./child";

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({ partitions: 3, saslSsl: true });
}, 200_000);

afterAll(async () => {
  await broker?.stop();
});

const local = (topic: string, ...args: string[]) => ["--topic", topic, "--bootstrap-server", broker.bootstrap, "--progress-interval", "500ms", ...args];

describe("sensor simulator against a real Kafka broker", () => {
  it("delivers N messages and N are read back, keyed by sensor, with the malformed fraction honoured", async () => {
    const n = 20_000;
    const run = await simulate(local("sim-count", "--count", String(n), "--rate", "max", "--seed", "42", "--key-by-sensor", "--malformed-fraction", "0.1"));
    expect(run.code).toBe(0);
    expect(summaryOf(run)).toMatchObject({ sent: n, acknowledged: n, failed: 0, malformed: n / 10, seed: 42, stoppedBy: "count" });
    expect(run.stderr).toMatch(/done \(count\): sent 20000, acknowledged 20000, failed 0/);

    const { endOffsetsTotal, messages } = await readBack(broker.bootstrap, "sim-count");
    expect(endOffsetsTotal).toBe(n);
    expect(messages).toHaveLength(n);

    const verdicts = messages.map((m) => ({ message: m, verdict: classify(m.value) }));
    const rejected = verdicts.filter(({ verdict }) => verdict.kind !== "valid");
    expect(rejected).toHaveLength(n / 10);
    for (const kind of ["unparseable_json", "missing_sensor", "non_numeric_measure", "non_finite_measure"]) {
      expect(rejected.filter(({ verdict }) => verdict.kind === kind).length).toBeGreaterThan(n / 100);
    }
    // The header names the reason the job will reject each one for.
    for (const { message, verdict } of rejected) expect(message.malformedHeader).toBe(verdict.kind);

    // Keyed by sensor: the key is the reading's sensor, and one sensor always lands on one partition.
    const partitionOfSensor = new Map<string, number>();
    for (const { message, verdict } of verdicts) {
      if (verdict.kind === "valid") expect(message.key).toBe(verdict.sensor);
      const seen = partitionOfSensor.get(message.key ?? "");
      if (seen === undefined) partitionOfSensor.set(message.key ?? "", message.partition);
      else expect(message.partition).toBe(seen);
    }
    expect([...partitionOfSensor.keys()].sort()).toEqual(["Sensor 1", "Sensor 2", "Sensor 3"]);

    // The values read back follow the seed's distributions.
    const valid = verdicts.flatMap(({ verdict }) => (verdict.kind === "valid" ? [verdict] : []));
    const m1 = meanAndStddev(valid.map((v) => v.measure1));
    const m2 = meanAndStddev(valid.map((v) => v.measure2));
    expect(Math.abs(m1.mean - 37)).toBeLessThan(0.25); // ~5 standard errors for 18000 values
    expect(Math.abs(m1.stddev - 7)).toBeLessThan(0.2);
    expect(Math.abs(m2.mean - 0.5)).toBeLessThan(0.012);
  });

  it("sends the same data for the same seed (and other data for another seed)", async () => {
    const args = ["--count", "3000", "--rate", "max", "--key-by-sensor", "--malformed-fraction", "0.05"];
    const runs = await Promise.all([
      simulate(local("sim-seed-a", ...args, "--seed", "7")),
      simulate(local("sim-seed-b", ...args, "--seed", "7")),
      simulate(local("sim-seed-c", ...args, "--seed", "8")),
    ]);
    for (const run of runs) expect(run.code).toBe(0);
    const [a, b, c] = await Promise.all(["sim-seed-a", "sim-seed-b", "sim-seed-c"].map((t) => readBack(broker.bootstrap, t)));
    // Per partition, order is the send order; keyed messages land on the same partitions each run.
    const byPartition = (msgs: typeof a.messages) =>
      [0, 1, 2].map((p) => msgs.filter((m) => m.partition === p).sort((x, y) => Number(x.offset) - Number(y.offset)).map((m) => `${m.key}|${m.value}`));
    expect(a.messages).toHaveLength(3000);
    expect(byPartition(b.messages)).toEqual(byPartition(a.messages));
    expect(byPartition(c.messages)).not.toEqual(byPartition(a.messages));
  });

  it("compresses with gzip and the messages still read back", async () => {
    const run = await simulate(local("sim-gzip", "--count", "2000", "--rate", "max", "--compression", "gzip", "--seed", "1"));
    expect(run.code).toBe(0);
    const { messages } = await readBack(broker.bootstrap, "sim-gzip");
    expect(messages).toHaveLength(2000);
    expect(messages.every((m) => classify(m.value).kind === "valid")).toBe(true);
  });

  it("keeps to the requested rate and reports progress", async () => {
    const run = await simulate(local("sim-rate", "--duration", "3s", "--rate", "200", "--seed", "3"));
    expect(run.code).toBe(0);
    const summary = summaryOf(run);
    expect(summary.stoppedBy).toBe("duration");
    // 200/s for 3 s is 601 messages (the first goes at once); never more; fewer only when a busy machine stalls the timers.
    expect(summary.acknowledged).toBeGreaterThanOrEqual(300);
    expect(summary.acknowledged).toBeLessThanOrEqual(601);
    expect(run.stderr).toMatch(/progress: sent \d+, acknowledged \d+, failed 0, in flight \d+, rate \d+\/s/);
  });

  it("on SIGINT stops, delivers what is in flight, and exits 0 with everything acknowledged", async () => {
    const sim = startSimulator(local("sim-sigint", "--rate", "5000", "--seed", "4"));
    await sim.waitForStderr("progress:");
    sim.child.kill("SIGINT");
    const run = await sim.done;
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("SIGINT: stopping");
    const summary = summaryOf(run);
    expect(summary).toMatchObject({ stoppedBy: "signal", failed: 0 });
    expect(summary.acknowledged).toBe(summary.sent);
    expect(summary.sent).toBeGreaterThan(0);
    const { endOffsetsTotal } = await readBack(broker.bootstrap, "sim-sigint");
    expect(endOffsetsTotal).toBe(summary.acknowledged);
  });
});

describe("sensor simulator over SASL_SSL/PLAIN (the Event Hubs protocol) against the real broker", () => {
  const eventHubs = (topic: string, ...args: string[]) => {
    const sasl = broker.saslSsl;
    if (!sasl) throw new Error("broker started without its SASL_SSL listener");
    return ["--topic", topic, "--security-protocol", "SASL_SSL", "--bootstrap-server", sasl.bootstrap, "--ca-file", sasl.caFile, ...args];
  };

  it("authenticates as $ConnectionString with the connection string from a file or the environment, over TLS, gzip", async () => {
    await broker.createTopic("sim-eventhubs", 2); // an event hub exists before anyone sends to it
    const sasl = broker.saslSsl!;
    const fromFile = await simulate(eventHubs("sim-eventhubs", "--connection-string-file", sasl.connectionStringFile, "--count", "1500", "--rate", "max", "--compression", "gzip"));
    expect(fromFile.code).toBe(0);
    expect(fromFile.stderr).toContain("(SASL_SSL)");
    const env = { ...process.env, SIM_TEST_EH: readFileSync(sasl.connectionStringFile, "utf8") };
    const fromEnv = await simulate(eventHubs("sim-eventhubs", "--connection-string-env", "SIM_TEST_EH", "--count", "500", "--rate", "max"), env);
    expect(fromEnv.code).toBe(0);
    expect(summaryOf(fromFile).acknowledged + summaryOf(fromEnv).acknowledged).toBe(2000);
    const { messages } = await readBack(broker.bootstrap, "sim-eventhubs");
    expect(messages).toHaveLength(2000);
    // The secret is never printed.
    const key = /SharedAccessKey=([^;]+)/.exec(env.SIM_TEST_EH)?.[1] ?? "";
    expect(key.length).toBeGreaterThan(10);
    expect(fromFile.stderr + fromFile.stdout + fromEnv.stderr + fromEnv.stdout).not.toContain(key);
  });

  it("exits 1 with a clear message on a wrong key, and does not print it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-cs-"));
    const wrong = "Endpoint=sb://localhost/;SharedAccessKeyName=harness-send;SharedAccessKey=WRONG-KEY-VALUE";
    writeFileSync(join(dir, "cs"), wrong, { mode: 0o600 });
    const run = await simulate(eventHubs("sim-eventhubs", "--connection-string-file", join(dir, "cs"), "--count", "10"));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error: cannot reach Kafka at 127\.0\.0\.1:\d+ \(SASL_SSL\) for topic 'sim-eventhubs': SASL authentication failed/);
    expect(run.stderr).not.toContain("WRONG-KEY-VALUE");
  });

  it("does not create a missing event hub, and says so", async () => {
    const run = await simulate(eventHubs("no-such-hub", "--connection-string-file", broker.saslSsl!.connectionStringFile, "--count", "10"));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("topic 'no-such-hub' does not exist at");
  });
});

describe("sensor simulator refusals", () => {
  it("exits 1 with a clear message when the broker cannot be reached", async () => {
    const port = await closedPort();
    const run = await simulate(["--topic", "t", "--bootstrap-server", `127.0.0.1:${port}`, "--count", "10", "--connect-timeout", "2s"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: cannot reach Kafka at 127.0.0.1:${port} (PLAINTEXT) for topic 't'`);
    expect(run.stderr).toContain("ECONNREFUSED");
    expect(run.stdout).toBe("");
  });

  it("exits 2 naming each bad option and what is allowed", async () => {
    const run = await simulate(["--topic", "t", "--rate", "fast", "--malformed-fraction", "2"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--rate: got 'fast'; allowed: events per second");
    expect(run.stderr).toContain("--malformed-fraction: got '2'; allowed: a fraction from 0 to 1");
  });

  it("refuses a connection string given as an argument, without printing it", async () => {
    const secret = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=TOP-SECRET-VALUE";
    for (const args of [["--connection-string", secret], [`--connection-string=${secret}`], ["--password", "TOP-SECRET-VALUE"]]) {
      const run = await simulate(["--topic", "t", "--security-protocol", "SASL_SSL", ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("refusing a secret on the command line");
      expect(run.stderr + run.stdout).not.toContain("TOP-SECRET-VALUE");
    }
  });

  it("asks for the connection string when SASL_SSL has none", async () => {
    const env = { ...process.env };
    delete env.EVENTHUBS_CONNECTION_STRING;
    const run = await simulate(["--topic", "t", "--security-protocol", "SASL_SSL"], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("set the environment variable EVENTHUBS_CONNECTION_STRING");
  });
});

/** A loopback port with nothing listening on it. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
