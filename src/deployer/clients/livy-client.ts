/**
 * Livy batches through a LivyEndpoint (livy-endpoint.ts): the BDC gateway's `/gateway/default/livy/v1`,
 * HDInsight's `/livy`, a Synapse Spark pool's batch API, or a plain Apache Livy; each request carries the
 * endpoint's auth headers. Synapse's dialect has no `/state` or `/log` resource: both come with the batch.
 */
import { HttpStatusError } from "../core/errors";
import { send, statusError, type HttpRequest } from "../core/http";
import type { LivyEndpoint } from "./livy-endpoint";
import { SYNAPSE_MAX_PAGE_SIZE } from "../../../contracts/batch-endpoints";

/** Livy batch states (Livy REST API, "Session State"). */
export type BatchState =
  | "not_started"
  | "starting"
  | "recovering"
  | "idle"
  | "running"
  | "busy"
  | "shutting_down"
  | "error"
  | "dead"
  | "killed"
  | "success";

/** States in which a batch is (or will be) running. */
export const ALIVE_STATES: ReadonlySet<BatchState> = new Set(["not_started", "starting", "recovering", "idle", "running", "busy"]);

export interface Batch {
  id: number;
  name: string | null;
  state: BatchState;
  appId: string | null;
}

/** Body of POST /batches (Livy REST API). Never put a secret here: Livy shows it in its UI and logs. */
export interface BatchRequest {
  file: string;
  name: string;
  args?: string[];
  jars?: string[];
  pyFiles?: string[];
  files?: string[];
  driverMemory?: string;
  driverCores?: number;
  executorMemory?: string;
  executorCores?: number;
  numExecutors?: number;
  conf?: Record<string, string>;
}

export class LivyClient {
  constructor(private readonly endpoint: LivyEndpoint) {}

  /**
   * Every batch Livy knows, across all pages of `GET /batches?from=&size=` (Livy lists oldest
   * first, so one capped page can miss the newest batches). Paging goes on while `total` says more
   * remain, even after a short page: Synapse caps a page at 20, whatever size is asked.
   */
  async listBatches(pageSize = this.endpoint.dialect === "synapse" ? SYNAPSE_MAX_PAGE_SIZE : 500): Promise<Batch[]> {
    const all: Batch[] = [];
    for (let from = 0; ; ) {
      const page = JSON.parse(await this.call({ method: "GET", path: `/batches?from=${from}&size=${pageSize}` })) as { total?: number; sessions: Batch[] };
      all.push(...page.sessions);
      from += page.sessions.length;
      const more = page.total !== undefined ? from < page.total : page.sessions.length >= pageSize;
      if (page.sessions.length === 0 || !more) return all;
    }
  }

  /**
   * The list, read until two passes agree on which batches exist and their states: Livy forgets old
   * sessions while one pages with `from`, so one pass can skip a batch that slid to a lower index.
   */
  async listBatchesStable(relevant: (b: Batch) => boolean = () => true, maxPasses = 5): Promise<Batch[]> {
    // Only the batches the caller looks at must agree: other users' batches come and go all the time.
    const key = (list: readonly Batch[]) => list.filter(relevant).map((b) => `${b.id}:${b.state}`).sort().join(",");
    let last = await this.listBatches();
    for (let pass = 1; pass < maxPasses; pass++) {
      const again = await this.listBatches();
      if (key(again) === key(last)) return again;
      last = again;
    }
    return last;
  }

  /** The batch, or undefined when Livy has no record of it (deleted, or lost in a Livy restart). */
  async findBatch(id: number): Promise<Batch | undefined> {
    try {
      return JSON.parse(await this.call({ method: "GET", path: `/batches/${id}` })) as Batch;
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 404) return undefined;
      throw err;
    }
  }

  async createBatch(request: BatchRequest): Promise<Batch> {
    return JSON.parse(await this.call({ method: "POST", path: "/batches", body: JSON.stringify(request) }, 201)) as Batch;
  }

  /**
   * Kills and forgets the batch; a batch that is already gone counts as deleted. Sent once: when its
   * answer is lost (or is a gateway's 5xx, which may come after Livy applied it), the batch is read back, and a
   * batch no longer alive counts as stopped.
   */
  async deleteBatch(id: number): Promise<void> {
    try {
      await this.call({ method: "DELETE", path: `/batches/${id}` });
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 404) return;
      if (err instanceof HttpStatusError && err.status < 500) throw err;
      const after = await this.findBatch(id);
      if (after === undefined || !ALIVE_STATES.has(after.state)) return;
      throw err;
    }
  }

  async getState(id: number): Promise<BatchState> {
    const path = this.endpoint.dialect === "synapse" ? `/batches/${id}` : `/batches/${id}/state`;
    return (JSON.parse(await this.call({ method: "GET", path })) as { state: BatchState }).state;
  }

  /** The last `lines` lines of the batch's log (spark-submit output); on Synapse at most its last 10 (SYNAPSE_LOG_LINES). */
  async getLogTail(id: number, lines = 40): Promise<string[]> {
    const path = this.endpoint.dialect === "synapse" ? `/batches/${id}?detailed=true` : `/batches/${id}/log?size=${lines}`;
    const res = JSON.parse(await this.call({ method: "GET", path })) as { log?: string[] | null };
    return (res.log ?? []).slice(-lines);
  }

  private async call(c: { method: HttpRequest["method"]; path: string; body?: string; idempotent?: boolean }, expected = 200): Promise<string> {
    const root = this.endpoint.base.pathname.replace(/\/+$/, "");
    const url = new URL(`${root}${c.path}`, this.endpoint.base);
    const req: HttpRequest = {
      method: c.method,
      url,
      label: `${url.pathname} (Livy)`,
      headers: {
        ...(await this.endpoint.headers()),
        ...(c.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: c.body,
      // Reads are retried; a submission (a second driver) and a stop (a renumbered id may name another batch) are sent once.
      idempotent: c.idempotent ?? c.method === "GET",
    };
    const res = await send(this.endpoint.dispatcher, req);
    if (res.status !== expected && !(expected === 201 && res.status === 200)) throw statusError(req, res);
    return res.body.toString("utf8");
  }
}
