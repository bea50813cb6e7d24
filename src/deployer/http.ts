/**
 * HTTP for the gateway and the artifact store: undici with TLS verified against an optional CA
 * bundle (verification is never turned off), and undici's RetryAgent for bounded retries with
 * exponential backoff on connection errors and 5xx/429. POST is not retried (a Livy batch
 * submission must not be duplicated); GET/PUT/DELETE are idempotent in WebHDFS and Livy.
 */
import { readFileSync } from "node:fs";
import { Agent, RetryAgent, errors, request, type Dispatcher } from "undici";
import { DeployError, HttpStatusError } from "./errors";

export interface RetryPolicy {
  /** Retries after the first attempt. @default 4 */
  readonly maxRetries?: number;
  /** First backoff in ms, doubled each retry. @default 500 */
  readonly minTimeoutMs?: number;
  /** Upper bound of one backoff in ms. @default 8000 */
  readonly maxTimeoutMs?: number;
}

export interface HttpOptions {
  /** PEM file of the CA that signed the server's certificate. @default the system's trusted CAs */
  readonly caBundlePath?: string;
  /** Retry policy for connection errors and 5xx. @default see RetryPolicy */
  readonly retry?: RetryPolicy;
  /** Per-request timeout for headers and body, in ms. @default 60000 */
  readonly timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpRequest {
  method: "GET" | "PUT" | "POST" | "DELETE";
  url: URL;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** How the URL is named in errors and progress (no query string, so never a SAS or credentials). */
  label: string;
}

/** One retrying dispatcher per endpoint; close() when done so no socket keeps the process alive. */
export function createDispatcher(options: HttpOptions = {}): Dispatcher {
  const timeout = options.timeoutMs ?? 60_000;
  const ca = options.caBundlePath !== undefined ? readCa(options.caBundlePath) : undefined;
  const agent = new Agent({
    connect: ca !== undefined ? { ca, rejectUnauthorized: true } : { rejectUnauthorized: true },
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const retry = options.retry ?? {};
  return new RetryAgent(agent, {
    maxRetries: retry.maxRetries ?? 4,
    minTimeout: retry.minTimeoutMs ?? 500,
    maxTimeout: retry.maxTimeoutMs ?? 8000,
    timeoutFactor: 2,
  });
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new DeployError(`cannot read the gateway CA bundle ${path}: ${(err as Error).message}`);
  }
}

/** Sends one request (with the dispatcher's retries); never follows redirects. */
export async function send(dispatcher: Dispatcher, req: HttpRequest): Promise<HttpResponse> {
  try {
    const res = await request(req.url, {
      dispatcher,
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, headers: res.headers, body };
  } catch (err) {
    throw describeFailure(req, err);
  }
}

/** A connection/TLS failure or exhausted retries, as an error naming method, path and cause. */
function describeFailure(req: HttpRequest, err: unknown): Error {
  if (err instanceof errors.RequestRetryError) {
    return new HttpStatusError(req.method, req.label, err.statusCode, "still failing after retries");
  }
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? "";
  const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
  const why = tls
    ? `TLS certificate not trusted (${code}); set the gateway CA bundle to the cluster's CA`
    : `${code || e.name}: ${e.message}`;
  return new DeployError(`${req.method} ${req.label} failed: ${why}`, { cause: err });
}

/** The error for an unexpected status, with a short, single-line excerpt of the server's message. */
export function statusError(req: Pick<HttpRequest, "method" | "label">, res: HttpResponse): HttpStatusError {
  return new HttpStatusError(req.method, req.label, res.status, excerpt(res.body));
}

function excerpt(body: Buffer): string {
  const text = body.toString("utf8");
  try {
    const parsed = JSON.parse(text) as { RemoteException?: { message?: string }; msg?: string; message?: string };
    const msg = parsed.RemoteException?.message ?? parsed.msg ?? parsed.message;
    if (typeof msg === "string") return msg.slice(0, 300);
  } catch {
    /* not JSON: fall through */
  }
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}
