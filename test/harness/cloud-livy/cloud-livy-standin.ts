/**
 * Stand-ins for the cloud front doors of Livy, in front of a real Apache Livy (HTTPS on loopback, the test CA),
 * built from the public REST docs and named as such; they check what the cloud would and forward the rest:
 *   - Synapse-shaped: `/livyApi/versions/2020-12-01/sparkPools/<pool>/batches[/<id>]` (Synapse data-plane
 *     "Spark Batch": Create answers 200, Get/List take `detailed`, Cancel is DELETE; there is no `/state` or
 *     `/log` resource), with `Authorization: Bearer <token>` checked against the one token it accepts;
 *   - HDInsight-shaped: `/livy/batches...` (HDInsight "Submit Spark jobs remotely using Livy"), with basic
 *     auth of the cluster login and `X-Requested-By` required on a POST or DELETE, as Livy's CSRF check asks.
 * The URL shapes here are written from the docs, not imported from the product (contracts/batch-endpoints.ts),
 * so a wrong constant there fails against them.
 */
import http from "node:http";
import https from "node:https";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";

export interface CloudLivyStandIn {
  url: string;
  /** Method and path of every request, as received. */
  requests: { method: string; url: string; status: number }[];
  stop(): Promise<void>;
}

interface Common {
  livyUrl: string;
  tls: { certPath: string; keyPath: string };
}

/** A Synapse workspace's development endpoint with one Spark pool. */
export function startSynapseStandIn(options: Common & { pool: string; token: string }): Promise<CloudLivyStandIn> {
  const root = `/livyApi/versions/2020-12-01/sparkPools/${options.pool}`;
  return serve(options, (req) => {
    if (req.headers.authorization !== `Bearer ${options.token}`) return { status: 401, body: '{"code":"Unauthorized","message":"Token validation failed"}' };
    const url = new URL(req.url ?? "/", "https://synapse");
    if (!url.pathname.startsWith(`${root}/batches`)) return { status: 404, body: '{"code":"NotFound"}' };
    const rest = url.pathname.slice(root.length); // /batches or /batches/<id>
    if (!/^\/batches(\/\d+)?$/.test(rest)) return { status: 404, body: '{"code":"NotFound","message":"no such resource"}' };
    url.searchParams.delete("detailed"); // Livy ignores it; the batch object carries its log lines either way
    // "size": 20 by default, and the maximum (the docs): a larger size gets 20.
    if (rest === "/batches") url.searchParams.set("size", String(Math.min(Number(url.searchParams.get("size") ?? 20), 20)));
    const query = url.searchParams.toString();
    // Synapse answers a created batch with 200 where Livy says 201.
    return { forward: `${rest}${query ? `?${query}` : ""}`, status201As: 200 };
  });
}

/** An HDInsight cluster's HTTPS endpoint. */
export function startHdinsightStandIn(options: Common & { username: string; password: string }): Promise<CloudLivyStandIn> {
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`;
  return serve(options, (req) => {
    if (req.headers.authorization !== expected) return { status: 401, body: "Unauthorized" };
    const url = new URL(req.url ?? "/", "https://hdinsight");
    if (!url.pathname.startsWith("/livy/")) return { status: 404, body: "Not Found" };
    if ((req.method === "POST" || req.method === "DELETE") && !req.headers["x-requested-by"]) return { status: 400, body: "Missing Required Header for CSRF protection." };
    return { forward: `${url.pathname.slice("/livy".length)}${url.search}` };
  });
}

type Decision = { status: number; body: string } | { forward: string; status201As?: number };

async function serve(options: Common, decide: (req: http.IncomingMessage) => Decision): Promise<CloudLivyStandIn> {
  const requests: CloudLivyStandIn["requests"] = [];
  const server = https.createServer({ cert: readFileSync(options.tls.certPath), key: readFileSync(options.tls.keyPath) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const record = { method: req.method ?? "GET", url: req.url ?? "/", status: 0 };
      requests.push(record);
      const reply = (status: number, headers: http.OutgoingHttpHeaders, body: Buffer | string) => {
        record.status = status;
        res.writeHead(status, headers).end(body);
      };
      const decision = decide(req);
      if ("status" in decision) return reply(decision.status, { "content-type": "application/json" }, decision.body);
      const body = Buffer.concat(chunks);
      const up = http.request(
        new URL(decision.forward, options.livyUrl),
        // Behind the cloud's front door Livy's CSRF check is satisfied; the client's own header is checked above.
        { method: record.method, headers: { "content-type": req.headers["content-type"] ?? "application/json", "x-requested-by": "cloud-standin", "content-length": body.length } },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (c: Buffer) => parts.push(c));
          answer.on("end", () => {
            const status = answer.statusCode === 201 && decision.status201As ? decision.status201As : (answer.statusCode ?? 502);
            reply(status, { "content-type": answer.headers["content-type"] ?? "application/json" }, Buffer.concat(parts));
          });
        },
      );
      up.on("error", (err) => reply(502, { "content-type": "text/plain" }, `stand-in: Livy unreachable: ${err.message}`));
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
