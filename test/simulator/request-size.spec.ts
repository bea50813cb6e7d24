import { EVENT_HUBS_MAX_MESSAGE_BYTES } from "../../contracts/eventhubs-limits";
import { createRandom } from "../../src/simulator/random";
import type { SimulatedMessage } from "../../src/simulator/readings";
import { estimatedRecordBytes, REQUEST_OVERHEAD_BYTES, splitByRequestSize } from "../../src/simulator/request-size";

const HEADER = "simulator-malformed";

/** Generated batches: many small messages, some multi-byte text, some near the limit alone. */
function generatedBatch(seed: number): SimulatedMessage[] {
  const random = createRandom(seed);
  const big = random.int(4) === 0;
  const count = 1 + random.int(big ? 40 : 6_000);
  return Array.from({ length: count }, (_, i) => ({
    key: `sensor-${random.int(500)}`,
    value: (random.int(3) === 0 ? "é€" : "x").repeat(big ? random.int(200_000) : random.int(400)) + i,
    malformedKind: random.int(10) === 0 ? ("truncated" as SimulatedMessage["malformedKind"]) : undefined,
  }));
}

describe("splitByRequestSize (Event Hubs max.request.size)", () => {
  it.each(Array.from({ length: 40 }, (_, seed) => seed))("seed %i: chunks keep every message in order, each under the limit", (seed) => {
    const batch = generatedBatch(seed);
    const chunks = splitByRequestSize(batch, EVENT_HUBS_MAX_MESSAGE_BYTES, HEADER);
    expect(chunks.flat()).toEqual(batch);
    for (const chunk of chunks) {
      expect(chunk.length).toBeGreaterThan(0);
      const bytes = chunk.reduce((sum, m) => sum + estimatedRecordBytes(m, HEADER), REQUEST_OVERHEAD_BYTES);
      expect(bytes).toBeLessThanOrEqual(EVENT_HUBS_MAX_MESSAGE_BYTES);
      // The payload itself (what the estimate bounds from above) is under the limit too.
      const payload = chunk.reduce((sum, m) => sum + Buffer.byteLength(m.key) + Buffer.byteLength(m.value), 0);
      expect(payload).toBeLessThan(EVENT_HUBS_MAX_MESSAGE_BYTES);
    }
  });

  it("splits the default 5000-message batch of ~250-byte readings, which alone would exceed the limit", () => {
    const batch = Array.from({ length: 5_000 }, (_, i) => ({ key: `sensor-${i % 100}`, value: "v".repeat(250) }));
    expect(splitByRequestSize(batch, EVENT_HUBS_MAX_MESSAGE_BYTES, HEADER).length).toBeGreaterThan(1);
  });

  it("refuses a single message larger than the limit, naming its size", () => {
    const huge = [{ key: "k", value: "x".repeat(EVENT_HUBS_MAX_MESSAGE_BYTES) }];
    expect(() => splitByRequestSize(huge, EVENT_HUBS_MAX_MESSAGE_BYTES, HEADER)).toThrow(/exceeds the 1046528-byte/);
  });
});
