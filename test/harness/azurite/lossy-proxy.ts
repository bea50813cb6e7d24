/**
 * A loopback HTTP proxy in front of a real service (Azurite) that can lose answers: a chosen request is
 * forwarded and applied upstream, then the client's connection is cut instead of answering, as when a
 * gateway or the network drops a response. Every request is recorded, so a test can pick one by its index.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface LossyProxy {
  /** `http://127.0.0.1:<port>`: the upstream's URL with this proxy's host and port. */
  url: string;
  /** Method and path of every request so far, in order. */
  requests: string[];
  /** Lose the answer to the request that arrives as number `index` (0-based, counted over all requests). */
  loseAnswerTo(index: number): void;
  /** The indices whose answers were lost. */
  lost: number[];
  stop(): Promise<void>;
}

export async function startLossyProxy(upstream: string): Promise<LossyProxy> {
  const target = new URL(upstream);
  const requests: string[] = [];
  const lose = new Set<number>();
  const lost: number[] = [];
  const server = http.createServer((req, res) => {
    const index = requests.push(`${req.method} ${req.url}`) - 1;
    const forwarded = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () => {
          if (lose.delete(index)) {
            lost.push(index);
            req.socket.destroy(); // applied upstream; the client never hears of it
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(chunks));
        });
      },
    );
    forwarded.on("error", () => req.socket.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    lost,
    loseAnswerTo: (index) => void lose.add(index),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
