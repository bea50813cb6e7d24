/**
 * HTTP for the gateway and the artifact store: undici with TLS verified against an optional CA
 * bundle (verification is never turned off), and undici's RetryAgent for bounded retries with
 * exponential backoff on connection errors and 5xx/429. Only requests marked `idempotent` go through
 * it: a request whose repetition changes more than the first one did (a Livy submission, a stop, an xattr
 * CREATE or REMOVE, a RENAME) is sent once, and its caller reads back what happened when the answer is lost.
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
  /** Idle timeout for headers and for each pause in the body, in ms. @default 60000 */
  readonly timeoutMs?: number;
  /** Total deadline of one request, retries included, in ms: a slow trickle cannot hold a run forever. @default 300000 */
  readonly deadlineMs?: number;
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
  /**
   * Whether sending it again after an applied but unanswered attempt leaves the same end state; only
   * these are retried. Every call site says which it is.
   */
  idempotent: boolean;
  /** Refuse a response body larger than this (checked on Content-Length, then while reading). @default no limit */
  maxBodyBytes?: number;
}

const DEFAULT_DEADLINE_MS = 300_000;
/** Each dispatcher's total request deadline (set by createDispatcher, read by send). */
const deadlines = new WeakMap<Dispatcher, number>();
/** Each retrying dispatcher's agent without retries, for requests that must be sent once. */
const sendOnce = new WeakMap<Dispatcher, Dispatcher>();

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
  const dispatcher = new RetryAgent(agent, {
    maxRetries: retry.maxRetries ?? 4,
    minTimeout: retry.minTimeoutMs ?? 500,
    maxTimeout: retry.maxTimeoutMs ?? 8000,
    timeoutFactor: 2,
  });
  deadlines.set(dispatcher, options.deadlineMs ?? DEFAULT_DEADLINE_MS);
  sendOnce.set(dispatcher, agent);
  return dispatcher;
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new DeployError(`cannot read the gateway CA bundle ${path}: ${(err as Error).message}`);
  }
}

/** Sends one request (with the dispatcher's retries, within its total deadline); never follows redirects. */
export async function send(dispatcher: Dispatcher, req: HttpRequest): Promise<HttpResponse> {
  const deadlineMs = deadlines.get(dispatcher) ?? DEFAULT_DEADLINE_MS;
  try {
    const res = await request(req.url, {
      dispatcher: req.idempotent ? dispatcher : (sendOnce.get(dispatcher) ?? dispatcher),
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.timeout(deadlineMs),
    });
    const body = await readBody(req, res.headers, res.body);
    return { status: res.statusCode, headers: res.headers, body };
  } catch (err) {
    if (err instanceof DeployError) throw err;
    throw describeFailure(req, err, deadlineMs);
  }
}

async function readBody(req: HttpRequest, headers: HttpResponse["headers"], body: AsyncIterable<Buffer> & { destroy(): void }): Promise<Buffer> {
  const limit = req.maxBodyBytes ?? Number.POSITIVE_INFINITY;
  const tooLarge = (n: number | string) => new DeployError(`${req.method} ${req.label}: response of ${n} bytes is over the expected ${limit}; refused`);
  const declared = Number(headers["content-length"] ?? NaN);
  if (declared > limit) {
    body.destroy();
    throw tooLarge(declared);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw tooLarge(`more than ${limit}`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A connection/TLS failure or exhausted retries, as an error naming method, path and cause. */
function describeFailure(req: HttpRequest, err: unknown, deadlineMs: number): Error {
  if ((err as Error).name === "TimeoutError" || (err as Error).name === "AbortError") {
    return new DeployError(`${req.method} ${req.label} failed: no complete answer within the ${Math.round(deadlineMs / 1000)}s request deadline`, { cause: err });
  }
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
