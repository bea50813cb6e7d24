/**
 * Knox gateway STAND-IN for tests, kept for what the real Apache Knox (test/harness/knox/, which the
 * gateway scenarios run through: test/deployer/knox-gateway.spec.ts) cannot do on demand: faults and
 * call counts. Built from Knox's documented WebHDFS/Livy proxying: HTTPS, HTTP basic auth, then
 *   /gateway/default/webhdfs/v1/*  → NameNode /webhdfs/v1/* as the authenticated user (user.name),
 *     with a DataNode redirect's Location rewritten to the gateway (/gateway/default/webhdfs/data/v1/…)
 *     and that data leg proxied to the DataNode, as Knox does;
 *   /gateway/default/livy/v1/*     → Livy /*;
 *   /gateway/default/resourcemanager/v1/* → the YARN ResourceManager STAND-IN (resourcemanager-standin.ts):
 *     the tests' drivers run in local mode, which no real ResourceManager knows.
 * It counts calls and bytes (for the benchmark), records every request (for secret scans) and
 * injects faults for failure scenarios, which a real Knox cannot produce on demand: N× 5xx,
 * connection resets, a redirect to another host, a lost response (forwarded, then the connection
 * cut), a held request (never forwarded, never answered), slow answers, synthetic older
 * batches ahead of Livy's own in `GET /batches` (paged by from/size as Livy pages), and a Livy that
 * lost its record of a batch whose driver still runs.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { resourceManagerStandIn, type ResourceManagerStandIn } from "./resourcemanager-standin";

export interface KnoxStandInOptions {
  /** NameNode HTTP base, e.g. http://127.0.0.1:9870 */
  webhdfsUrl: string;
  /** Livy base, e.g. http://127.0.0.1:8998 */
  livyUrl: string;
  username: string;
  password: string;
  tls: { certPath: string; keyPath: string };
}

export interface RecordedRequest {
  method: string;
  /** Path and query as received (never carries credentials: those are in the Authorization header). */
  url: string;
  service: "webhdfs" | "webhdfs-data" | "livy" | "resourcemanager" | "other";
  body: Buffer;
  status: number;
}

export type Fault =
  | { kind: "status"; status: number }
  | { kind: "reset" }
  | { kind: "redirect-elsewhere"; location: string }
  /** Forward the request, then cut the connection instead of answering (the upstream acted; the client never knows). */
  | { kind: "lose-response" }
  /** Neither forward nor answer, until the client goes away. */
  | { kind: "hold" }
  /** Answer normally after a delay. */
  | { kind: "delay"; ms: number }
  /** Run `action` (e.g. change the file system), then forward: a change that lands between two requests of the client. */
  | { kind: "before"; action: () => Promise<void> };

export interface KnoxStandIn {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Queue `count` faults for requests matching `match` (default: every request). */
  inject(fault: Fault, count: number, match?: (method: string, url: string) => boolean): void;
  clearFaults(): void;
  /** Calls and request-body bytes since the last reset. */
  stats(): { calls: number; uploadedBytes: number; livySubmissions: number };
  resetStats(): void;
  /** List `count` finished batches of other names ahead of Livy's own in GET /batches (0 = none). */
  padBatchList(count: number): void;
  /** Answer as a Livy that lost its record of these batches (404, left out of lists); empty = none. */
  hideBatches(ids: readonly number[]): void;
  /** The ResourceManager behind the gateway's RESOURCEMANAGER path. */
  resourceManager: ResourceManagerStandIn;
  stop(): Promise<void>;
}

const WEBHDFS = "/gateway/default/webhdfs/v1";
const WEBHDFS_DATA = "/gateway/default/webhdfs/data/v1";
const LIVY = "/gateway/default/livy/v1";
const RESOURCEMANAGER = "/gateway/default/resourcemanager/v1";

export async function startKnoxStandIn(options: KnoxStandInOptions): Promise<KnoxStandIn> {
  const requests: RecordedRequest[] = [];
  let faults: { fault: Fault; remaining: number; match: (m: string, u: string) => boolean }[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`;
  let port = 0;
  let padding = 0;
  let hidden = new Set<number>();
  const resourceManager = resourceManagerStandIn();

  const server = https.createServer(
    { cert: readFileSync(options.tls.certPath), key: readFileSync(options.tls.keyPath) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const url = req.url ?? "/";
        const record: RecordedRequest = { method: req.method ?? "GET", url, service: serviceOf(url), body, status: 0 };
        requests.push(record);
        const reply = (status: number, headers: http.OutgoingHttpHeaders, data: Buffer | string): void => {
          record.status = status;
          res.writeHead(status, headers).end(data);
        };

        const fault = takeFault(record.method, url);
        if (fault?.kind === "reset") {
          record.status = -1;
          req.socket.destroy();
          return;
        }
        if (fault?.kind === "status") return reply(fault.status, { "content-type": "text/plain" }, `stand-in fault ${fault.status}`);
        if (req.headers.authorization !== expectedAuth) {
          return reply(401, { "www-authenticate": 'Basic realm="knox stand-in"' }, "unauthorized");
        }
        if (fault?.kind === "redirect-elsewhere") return reply(307, { location: fault.location }, "");
        if (fault?.kind === "hold") {
          record.status = -2;
          return;
        }
        const lost = () => {
          record.status = -1;
          req.socket.destroy();
        };
        const answer = fault?.kind === "lose-response" ? lost : fault?.kind === "delay" ? (...args: Parameters<typeof reply>) => setTimeout(() => reply(...args), fault.ms) : reply;
        if (record.service === "resourcemanager") {
          const rm = resourceManager.handle(record.method, new URL(url, "https://gateway").pathname.slice(RESOURCEMANAGER.length), body);
          return rm ? answer(rm.status, { "content-type": "application/json" }, rm.body) : answer(404, {}, "not a ResourceManager resource");
        }
        if (fault?.kind === "lose-response") return forward(record, req.headers, body, lost);
        if (fault?.kind === "before") {
          void fault.action().then(
            () => forward(record, req.headers, body, answer),
            (err: unknown) => reply(599, { "content-type": "text/plain" }, `stand-in action failed: ${String(err)}`),
          );
          return;
        }
        const livyId = record.service === "livy" ? /\/batches\/(-?\d+)/.exec(new URL(url, "https://gateway").pathname)?.[1] : undefined;
        if (livyId !== undefined && hidden.has(Number(livyId))) return reply(404, { "content-type": "application/json" }, '{"msg":"Session not found"}');
        if ((padding > 0 || hidden.size > 0) && record.service === "livy" && record.method === "GET" && /\/batches\/?$/.test(new URL(url, "https://gateway").pathname)) {
          return paddedList(record, req.headers, answer);
        }
        forward(record, req.headers, body, answer);
      });
    },
  );

  function takeFault(method: string, url: string): Fault | undefined {
    const entry = faults.find((f) => f.remaining > 0 && f.match(method, url));
    if (!entry) return undefined;
    entry.remaining -= 1;
    return entry.fault;
  }

  function forward(
    record: RecordedRequest,
    headers: http.IncomingHttpHeaders,
    body: Buffer,
    reply: (status: number, headers: http.OutgoingHttpHeaders, data: Buffer | string) => void,
  ): void {
    const incoming = new URL(record.url, "https://gateway");
    let target: URL;
    if (record.service === "webhdfs") {
      target = new URL(`/webhdfs/v1${incoming.pathname.slice(WEBHDFS.length)}${incoming.search}`, options.webhdfsUrl);
      // Knox asserts the authenticated user; a client cannot choose another.
      target.searchParams.delete("doas");
      target.searchParams.set("user.name", options.username);
    } else if (record.service === "webhdfs-data") {
      const datanode = incoming.searchParams.get("_");
      if (!datanode) return reply(400, {}, "missing data node");
      incoming.searchParams.delete("_");
      target = new URL(`${incoming.pathname.slice(WEBHDFS_DATA.length)}${incoming.search}`, `http://${Buffer.from(datanode, "base64url").toString()}`);
    } else if (record.service === "livy") {
      target = new URL(`${incoming.pathname.slice(LIVY.length) || "/"}${incoming.search}`, options.livyUrl);
    } else {
      return reply(404, {}, "not a gateway path");
    }
    const upstreamHeaders: http.OutgoingHttpHeaders = {};
    for (const name of ["content-type", "x-requested-by", "accept"]) if (headers[name]) upstreamHeaders[name] = headers[name];
    upstreamHeaders["content-length"] = body.length;
    const up = http.request(target, { method: record.method, headers: upstreamHeaders }, (upRes) => {
      const parts: Buffer[] = [];
      upRes.on("data", (c: Buffer) => parts.push(c));
      upRes.on("end", () => {
        const out: http.OutgoingHttpHeaders = {};
        for (const name of ["content-type", "location"]) if (upRes.headers[name]) out[name] = upRes.headers[name];
        if (out.location) out.location = rewriteLocation(String(out.location), record.service);
        reply(upRes.statusCode ?? 502, out, Buffer.concat(parts));
      });
    });
    up.on("error", (err) => reply(502, { "content-type": "text/plain" }, `stand-in upstream error: ${err.message}`));
    up.end(body);
  }

  /** Livy's whole list with `padding` synthetic finished batches ahead of it (older, so lower ids: negative), paged by the client's from/size. */
  function paddedList(record: RecordedRequest, headers: http.IncomingHttpHeaders, reply: (status: number, headers: http.OutgoingHttpHeaders, data: Buffer | string) => void): void {
    const asked = new URL(record.url, "https://gateway");
    const from = Number(asked.searchParams.get("from") ?? 0);
    const size = Number(asked.searchParams.get("size") ?? 100);
    const whole: RecordedRequest = { ...record, url: `${LIVY}/batches?from=0&size=1000000` };
    forward(whole, headers, Buffer.alloc(0), (status, out, data) => {
      if (status !== 200) return reply(status, out, data);
      const real = (JSON.parse(data.toString()) as { sessions: { id: number }[] }).sessions.filter((b) => !hidden.has(b.id));
      const synthetic = Array.from({ length: padding }, (_, i) => ({ id: i - padding, name: `other-job-${i}`, state: "success", appId: null, owner: null, proxyUser: null, appInfo: {}, log: [] }));
      const all = [...synthetic, ...real];
      reply(200, { "content-type": "application/json" }, JSON.stringify({ from, total: all.length, sessions: all.slice(from, from + size) }));
    });
  }

  /** A DataNode URL becomes a gateway URL carrying the DataNode address (Knox encrypts it; encoding is enough here). */
  function rewriteLocation(location: string, service: RecordedRequest["service"]): string {
    // Livy answers POST /batches with a relative Location (/batches/<id>): keep it under the gateway path.
    if (location.startsWith("/")) return service === "livy" ? `${LIVY}${location}` : location;
    const loc = new URL(location);
    if (!loc.pathname.startsWith("/webhdfs/v1")) return location;
    loc.searchParams.set("_", Buffer.from(loc.host).toString("base64url"));
    return `https://127.0.0.1:${port}${WEBHDFS_DATA}${loc.pathname}${loc.search}`;
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  let since = 0;

  return {
    url: `https://127.0.0.1:${port}`,
    port,
    requests,
    inject(fault, count, match = () => true) {
      faults.push({ fault, remaining: count, match });
    },
    clearFaults() {
      faults = [];
    },
    stats() {
      const window = requests.slice(since);
      return {
        calls: window.length,
        uploadedBytes: window.filter((r) => r.service === "webhdfs-data" && r.method === "PUT").reduce((n, r) => n + r.body.length, 0),
        livySubmissions: window.filter((r) => r.service === "livy" && r.method === "POST" && /\/batches\/?$/.test(r.url.split("?")[0]!)).length,
      };
    },
    resetStats() {
      since = requests.length;
    },
    padBatchList(count) {
      padding = count;
    },
    hideBatches(ids) {
      hidden = new Set(ids);
    },
    resourceManager,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serviceOf(url: string): RecordedRequest["service"] {
  if (url.startsWith(`${WEBHDFS}/`) || url.startsWith(`${WEBHDFS}?`)) return "webhdfs";
  if (url.startsWith(`${WEBHDFS_DATA}/`)) return "webhdfs-data";
  if (url.startsWith(LIVY)) return "livy";
  if (url.startsWith(`${RESOURCEMANAGER}/`)) return "resourcemanager";
  return "other";
}
