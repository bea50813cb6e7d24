import { describeKafkaError } from "../../src/simulator/kafka-errors";
import { formatProgress, formatSummary, ratePerSecond } from "../../src/simulator/progress";

describe("progress and summary lines", () => {
  it("computes the acknowledged rate between samples", () => {
    expect(ratePerSecond({ atMs: 1000, acknowledged: 100 }, { atMs: 3000, acknowledged: 2100 })).toBe(1000);
    expect(ratePerSecond({ atMs: 1000, acknowledged: 0 }, { atMs: 1000, acknowledged: 5 })).toBe(0);
  });

  it("prints sent, acknowledged, failed, in flight and rate", () => {
    expect(formatProgress({ sent: 1500, acknowledged: 1000, failed: 100, malformed: 3 }, 812.4)).toBe(
      "progress: sent 1500, acknowledged 1000, failed 100, in flight 400, rate 812/s",
    );
    expect(
      formatSummary({ sent: 10, acknowledged: 10, failed: 0, malformed: 1, seconds: 2, eventsPerSecond: 5, seed: 7, stoppedBy: "count" }),
    ).toBe("done (count): sent 10, acknowledged 10, failed 0, malformed 1, 2.0 s, 5 events/s, seed 7");
  });
});

describe("Kafka error description", () => {
  it("flattens nested aggregate errors into their distinct innermost messages", () => {
    const refused = new Error("connect ECONNREFUSED 127.0.0.1:9");
    const nested = new AggregateError([new Error("Connection failed.", { cause: refused }), new Error("Connection failed.", { cause: refused })], "Cannot connect to any broker.");
    expect(describeKafkaError(nested)).toBe("connect ECONNREFUSED 127.0.0.1:9");
    expect(describeKafkaError(new AggregateError([new Error("a"), new Error("b")]))).toBe("a; b");
    expect(describeKafkaError("plain")).toBe("plain");
  });
});
