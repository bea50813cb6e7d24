import { createPacer, type Pacer } from "../../src/simulator/pacer";

/** Drives a pacer over simulated time; returns (time, batch size) of every send. */
function simulate(pacer: Pacer, untilMs: number, stallAt?: { atMs: number; forMs: number }): Array<[number, number]> {
  const sends: Array<[number, number]> = [];
  let now = 0;
  let stalled = false;
  while (now < untilMs) {
    if (stallAt && !stalled && now >= stallAt.atMs) {
      now += stallAt.forMs;
      stalled = true;
    }
    const decision = pacer.decide(now);
    if ("send" in decision) {
      sends.push([now, decision.send]);
      pacer.sent(decision.send);
    } else {
      expect(decision.waitMs).toBeGreaterThanOrEqual(1);
      now += decision.waitMs;
    }
  }
  return sends;
}

const total = (sends: Array<[number, number]>) => sends.reduce((s, [, n]) => s + n, 0);

describe("pacer", () => {
  it("hands out full batches when unthrottled", () => {
    const pacer = createPacer({ ratePerSecond: Infinity, maxBatch: 500 });
    expect(pacer.decide(0)).toEqual({ send: 500 });
  });

  it("keeps a low rate exactly, one message at a time", () => {
    const sends = simulate(createPacer({ ratePerSecond: 0.5, maxBatch: 1000 }), 60_000);
    expect(total(sends)).toBe(30);
    expect(sends.every(([, n]) => n === 1)).toBe(true);
    expect(sends[1][0] - sends[0][0]).toBeCloseTo(2000, -1);
  });

  it("keeps a high rate in batches of about linger time's worth", () => {
    const sends = simulate(createPacer({ ratePerSecond: 10_000, maxBatch: 1000, lingerMs: 20 }), 10_000);
    expect(Math.abs(total(sends) - 100_000)).toBeLessThanOrEqual(200);
    expect(Math.min(...sends.map(([, n]) => n))).toBeGreaterThanOrEqual(200);
  });

  it("never exceeds maxBatch", () => {
    const sends = simulate(createPacer({ ratePerSecond: 1_000_000, maxBatch: 300 }), 100);
    expect(Math.max(...sends.map(([, n]) => n))).toBeLessThanOrEqual(300);
  });

  it("catches up at most one second's worth after a stall", () => {
    const sends = simulate(createPacer({ ratePerSecond: 100, maxBatch: 10_000 }), 20_000, { atMs: 5_000, forMs: 10_000 });
    const burst = sends.find(([at]) => at >= 15_000);
    expect(burst?.[1]).toBeLessThanOrEqual(101);
    // 5 s before the stall + at most 1 s of backlog + 5 s after it.
    expect(total(sends)).toBeLessThanOrEqual(1_102);
    expect(total(sends)).toBeGreaterThanOrEqual(1_000);
  });

  it("refuses a non-positive rate or batch", () => {
    expect(() => createPacer({ ratePerSecond: 0, maxBatch: 1 })).toThrow(/ratePerSecond must be > 0/);
    expect(() => createPacer({ ratePerSecond: 1, maxBatch: 0 })).toThrow(/maxBatch must be an integer/);
  });
});
