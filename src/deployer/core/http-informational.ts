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
  /** PEM of the CA that signed an https server's certificate. @default the system's trusted CAs */
  readonly ca?: Buffer;
  /** Idle timeout of one attempt, in ms. @default 60000 */
  readonly timeoutMs?: number;
  /** Total deadline of the request, retries included, in ms. @default 300000 */
  readonly deadlineMs?: number;
  /** Retries after the first attempt, for an idempotent request. @default 3 */
  readonly retries?: number;
}

export async function sendSkippingInformational(req: HttpRequest, options: InformationalOptions = {}): Promise<HttpResponse> {
  const retries = req.idempotent ? (options.retries ?? 3) : 0;
  const deadlineMs = options.deadlineMs ?? 300_000;
  const signal = AbortSignal.timeout(deadlineMs);
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await once(req, options, signal);
      if (res.status < 500 || attempt >= retries) return res;
    } catch (err) {
      const why = signal.aborted ? `no complete answer within the ${Math.round(deadlineMs / 1000)}s request deadline` : (err as Error).message;
      if (attempt >= retries || signal.aborted) throw new DeployError(`${req.method} ${req.label} failed: ${why}`, { cause: err });
    }
    await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
  }
}

function once(req: HttpRequest, options: InformationalOptions, signal: AbortSignal): Promise<HttpResponse> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
  const headers = { ...req.headers, ...(body ? { "content-length": String(body.length) } : {}) };
  return new Promise((resolve, reject) => {
    const answer = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    };
    const outgoing =
      req.url.protocol === "https:"
        ? https.request(req.url, { method: req.method, headers, timeout: timeoutMs, signal, ...(options.ca ? { ca: options.ca } : {}) }, answer)
        : http.request(req.url, { method: req.method, headers, timeout: timeoutMs, signal }, answer);
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer for ${timeoutMs} ms`)));
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}
