/**
 * One request over Node's own HTTP client, for a server that sends an unsolicited `100 Continue` before its
 * answer: Hadoop's DataNode does so on every WebHDFS CREATE and APPEND. undici treats that as a protocol
 * error ("bad response") and has no way around it; node:http skips informational answers. Used only for the
 * data step to a DataNode reached without a gateway (clients/webhdfs-endpoint.ts). A request marked
 * idempotent is retried on a connection error or a 5xx, like send() does.
 */
import http from "node:http";
import https from "node:https";
import { DeployError } from "./errors";
import type { HttpRequest, HttpResponse } from "./http";

export interface InformationalOptions {
  readonly timeoutMs?: number;
  readonly retries?: number;
}

export async function sendSkippingInformational(req: HttpRequest, options: InformationalOptions = {}): Promise<HttpResponse> {
  const retries = req.idempotent ? (options.retries ?? 3) : 0;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await once(req, options.timeoutMs ?? 60_000);
      if (res.status < 500 || attempt >= retries) return res;
    } catch (err) {
      if (attempt >= retries) throw new DeployError(`${req.method} ${req.label} failed: ${(err as Error).message}`, { cause: err });
    }
    await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
  }
}

function once(req: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
  const transport = req.url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
    const outgoing = transport.request(req.url, { method: req.method, headers: { ...req.headers, ...(body ? { "content-length": String(body.length) } : {}) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)}s`)));
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}
