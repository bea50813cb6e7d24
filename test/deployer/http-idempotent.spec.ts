/**
 * Only requests marked idempotent are retried (http.ts): a loopback server applies each request, then
 * drops the connection before answering the first time (answered-but-lost); a request sent once must
 * reach the server exactly once, so its caller reads back what happened.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createDispatcher, send } from "../../src/deployer/core/http";

let server: Server;
const applied = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const n = (applied.get(req.url!) ?? 0) + 1;
    applied.set(req.url!, n);
    if (n === 1) req.socket.destroy(); // applied, answer lost
    else res.end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

test.each([
  ["PUT", true],
  ["PUT", false],
  ["POST", false],
  ["DELETE", false],
  ["DELETE", true],
  ["GET", true],
] as const)("%s idempotent=%s: retried only when idempotent", async (method, idempotent) => {
  const dispatcher = createDispatcher({ retry: { maxRetries: 3, minTimeoutMs: 10, maxTimeoutMs: 20 } });
  const path = `/${method}-${idempotent}`;
  try {
    const outcome = send(dispatcher, { method, url: new URL(path, base()), label: path, idempotent });
    if (idempotent) await expect(outcome).resolves.toMatchObject({ status: 200 });
    else await expect(outcome).rejects.toThrow(/failed/);
    expect(applied.get(path)).toBe(idempotent ? 2 : 1);
  } finally {
    await dispatcher.close();
  }
});
