/**
 * The run loop's own logic (stop conditions, in-flight bound, failure accounting) with an
 * in-memory sink; the real Kafka path is covered by simulator.kafka.spec.ts.
 */
import { parseSimulatorOptions, type RawSimulatorOptions } from "../../src/simulator/options";
import type { SimulatedMessage } from "../../src/simulator/readings";
import { MAX_CONSECUTIVE_FAILED_BATCHES, type MessageSink, runSimulation } from "../../src/simulator/run";

const options = (raw: Omit<RawSimulatorOptions, "topic">) => parseSimulatorOptions({ topic: "t", progressInterval: "1h", ...raw });

/** Records batches; each send settles after `delayMs`, failing when `fail` says so. */
function memorySink(delayMs = 1, fail: (batchNumber: number) => boolean = () => false) {
  const batches: SimulatedMessage[][] = [];
  let pending = 0;
  let maxPending = 0;
  const sink: MessageSink = {
    send(messages) {
      const number = batches.push([...messages]);
      pending += 1;
      maxPending = Math.max(maxPending, pending);
      return new Promise<void>((resolve, reject) =>
        setTimeout(() => {
          pending -= 1;
          if (fail(number)) reject(new Error("broker said no"));
          else resolve();
        }, delayMs),
      );
    },
  };
  return { sink, batches, maxPending: () => maxPending };
}

describe("simulation run loop", () => {
  it("sends exactly --count messages, in batches no larger than --batch-size, with bounded requests in flight", async () => {
    const memory = memorySink(5);
    const summary = await runSimulation(options({ count: "10007", rate: "max", batchSize: "1000", maxInFlight: "3", malformedFraction: "0.1" }), 9, memory.sink);
    expect(summary).toMatchObject({ sent: 10007, acknowledged: 10007, failed: 0, malformed: 1000, stoppedBy: "count", seed: 9 });
    expect(memory.batches.flat()).toHaveLength(10007);
    expect(Math.max(...memory.batches.map((b) => b.length))).toBeLessThanOrEqual(1000);
    expect(memory.maxPending()).toBeLessThanOrEqual(3);
  });

  const FAST_RETRY = { deliveryTimeoutMs: 30, initialBackoffMs: 1, maxBackoffMs: 4 };

  it("retries each batch until its delivery timeout, counts the ones given up, says each error once, and gives up after repeated failures", async () => {
    const errors: string[] = [];
    const memory = memorySink(1, () => true);
    const summary = await runSimulation(options({ rate: "max", batchSize: "10", maxInFlight: "1" }), 1, memory.sink, {
      onError: (message) => errors.push(message),
      describeError: (error) => (error as Error).message,
      // A timeout long enough for a second attempt even on a loaded machine (30 ms was not, beside the Spark suites).
      retry: { ...FAST_RETRY, deliveryTimeoutMs: 500 },
    });
    expect(summary.stoppedBy).toBe("failures");
    expect(summary.acknowledged).toBe(0);
    expect(summary.failed).toBe(summary.sent);
    expect(summary.sent).toBe(MAX_CONSECUTIVE_FAILED_BATCHES * 10);
    // Every batch was tried more than once before it was given up.
    expect(memory.batches.length).toBeGreaterThan(MAX_CONSECUTIVE_FAILED_BATCHES);
    expect(errors).toEqual(["delivery of 10 messages failed (retrying): broker said no", "delivery of 10 messages failed (given up): broker said no"]);
  });

  it("delivers every reading through an outage shorter than the delivery timeout", async () => {
    const outageEndsAt = Date.now() + 300;
    const memory = memorySink(1, () => Date.now() < outageEndsAt);
    const summary = await runSimulation(options({ count: "200", rate: "max", batchSize: "10", maxInFlight: "4" }), 1, memory.sink, {
      retry: { deliveryTimeoutMs: 10_000, initialBackoffMs: 5, maxBackoffMs: 50 },
    });
    expect(summary).toMatchObject({ sent: 200, acknowledged: 200, failed: 0, stoppedBy: "count" });
    expect(memory.batches.length).toBeGreaterThan(20);
  });

  it("keeps going through an occasional failure: the batch is retried and delivered", async () => {
    const memory = memorySink(1, (n) => n === 2);
    const summary = await runSimulation(options({ count: "50", rate: "max", batchSize: "10", maxInFlight: "1" }), 1, memory.sink, { retry: FAST_RETRY });
    expect(summary).toMatchObject({ sent: 50, acknowledged: 50, failed: 0, stoppedBy: "count" });
    expect(memory.batches).toHaveLength(6);
    expect(memory.batches[2]).toEqual(memory.batches[1]);
  });

  it("a stop during an outage ends the retries at once: what was in flight counts as failed", async () => {
    const stop = new AbortController();
    const memory = memorySink(1, () => true);
    setTimeout(() => stop.abort(), 100);
    const summary = await runSimulation(options({ rate: "max", batchSize: "10", maxInFlight: "2" }), 1, memory.sink, {
      stopSignal: stop.signal,
      retry: { deliveryTimeoutMs: 600_000, initialBackoffMs: 5, maxBackoffMs: 20 },
    });
    expect(summary).toMatchObject({ acknowledged: 0, stoppedBy: "signal" });
    expect(summary.failed).toBe(summary.sent);
    expect(summary.sent).toBeGreaterThan(0);
  });

  it("on the stop signal stops generating and still waits for what is in flight", async () => {
    const stop = new AbortController();
    const memory = memorySink(200);
    setTimeout(() => stop.abort(), 50);
    const summary = await runSimulation(options({ rate: "1000", maxInFlight: "64" }), 1, memory.sink, { stopSignal: stop.signal });
    expect(summary.stoppedBy).toBe("signal");
    expect(summary.sent).toBeGreaterThan(0);
    expect(summary.acknowledged).toBe(summary.sent);
  });

  it("stops after --duration at about --rate", async () => {
    const memory = memorySink(1);
    const summary = await runSimulation(options({ duration: "500ms", rate: "100" }), 1, memory.sink);
    expect(summary.stoppedBy).toBe("duration");
    // 100/s for 0.5 s is 51 messages (the first goes at once); timers may only make it fewer.
    expect(summary.sent).toBeLessThanOrEqual(51);
    expect(summary.sent).toBeGreaterThanOrEqual(25);
  });

  it("reports progress while running", async () => {
    const lines: string[] = [];
    await runSimulation(parseSimulatorOptions({ topic: "t", duration: "350ms", rate: "200", progressInterval: "100ms" }), 1, memorySink(1).sink, {
      onProgress: (line) => lines.push(line),
    });
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^progress: sent \d+, acknowledged \d+, failed 0, in flight \d+, rate \d+\/s$/);
  });
});
