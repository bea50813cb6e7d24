import { connect } from "node:net";
import { existsSync } from "node:fs";
import { startBroker } from "./broker";

function portAccepts(bootstrap: string): Promise<boolean> {
  const [host, port] = bootstrap.split(":");
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
  });
}

describe("Kafka broker harness (jest wrapper)", () => {
  it("starts a real broker on loopback, creates a topic, and stops it", async () => {
    const broker = await startBroker();
    try {
      expect(broker.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(await portAccepts(broker.bootstrap)).toBe(true);
      await expect(broker.createTopic("wrapper-check", 2)).resolves.toBeUndefined();
    } finally {
      await broker.stop();
    }
    expect(await portAccepts(broker.bootstrap)).toBe(false);
    expect(existsSync(broker.dir)).toBe(false);
  }, 240_000);
});
