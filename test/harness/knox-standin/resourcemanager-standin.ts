/**
 * YARN ResourceManager STAND-IN, served by the Knox stand-in under Knox's RESOURCEMANAGER path
 * (`/gateway/default/resourcemanager/v1` → RM `/ws/v1`). The tests' Spark runs its drivers in local mode under
 * Livy, so no real ResourceManager knows them: this one knows the applications a test registers, each a local
 * process. Built from the RM REST API's Cluster Application State resource:
 *   GET /cluster/apps/{id}/state              → 200 {"state": "RUNNING" | "KILLED" | ...}; 404 for an unknown id
 *   PUT /cluster/apps/{id}/state {"state":"KILLED"}
 *                                             → 202 {"state": <current>} while it kills, 200 {"state": <final>} once ended
 * and from the NodeManager's container kill: SIGTERM, then SIGKILL after
 * yarn.nodemanager.sleep-delay-before-sigkill.ms (250 ms by default).
 * `serveResourceManager` serves it as the RM's own HTTP endpoint (`/ws/v1/...`), for the real Knox to proxy.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

const SIGKILL_DELAY_MS = 250;

export interface ResourceManagerStandIn {
  /** Makes the RM know `appId` as the application running in process `pid`. */
  register(appId: string, pid: number): void;
  /** The kill requests it received, by application id. */
  readonly kills: string[];
  /** Answers a request below the RM prefix; undefined when the path is not a Cluster Application State resource. */
  handle(method: string, path: string, body: Buffer): { status: number; body: string } | undefined;
}

export function resourceManagerStandIn(): ResourceManagerStandIn {
  const apps = new Map<string, { pid: number; killed: boolean }>();
  const kills: string[] = [];
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const stateOf = (app: { pid: number; killed: boolean }): string => (alive(app.pid) ? "RUNNING" : app.killed ? "KILLED" : "FINISHED");
  const json = (status: number, value: unknown) => ({ status, body: JSON.stringify(value) });

  return {
    kills,
    register(appId, pid) {
      apps.set(appId, { pid, killed: false });
    },
    handle(method, path, body) {
      const match = /^\/cluster\/apps\/([^/]+)\/state$/.exec(path);
      if (!match) return undefined;
      const appId = decodeURIComponent(match[1]!);
      const app = apps.get(appId);
      if (!app) return json(404, { RemoteException: { exception: "NotFoundException", message: `app with id: ${appId} not found` } });
      if (method === "GET") return json(200, { state: stateOf(app) });
      if (method !== "PUT") return json(405, { RemoteException: { exception: "WebApplicationException", message: `${method} not allowed` } });
      const wanted = (JSON.parse(body.toString("utf8") || "{}") as { state?: string }).state;
      if (wanted !== "KILLED") return json(400, { RemoteException: { exception: "BadRequestException", message: "Only 'KILLED' is allowed as a target state." } });
      kills.push(appId);
      if (!alive(app.pid)) return json(200, { state: stateOf(app) });
      const before = stateOf(app);
      app.killed = true;
      process.kill(app.pid, "SIGTERM");
      setTimeout(() => {
        if (alive(app.pid)) process.kill(app.pid, "SIGKILL");
      }, SIGKILL_DELAY_MS).unref();
      return json(202, { state: before });
    },
  };
}

/** The stand-in on its own loopback HTTP port as the RM serves it (`http://127.0.0.1:<port>/ws`), recording each request's URL. */
export async function serveResourceManager(rm: ResourceManagerStandIn): Promise<{ url: string; requests: { method: string; url: string }[]; stop(): Promise<void> }> {
  const requests: { method: string; url: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "GET", url: req.url ?? "/" });
      // The RM's web services tolerate a trailing slash (Knox's rewrite appends one).
      const path = new URL(req.url ?? "/", "http://rm").pathname.replace(/\/+$/, "");
      const answer = (path.startsWith("/ws/v1/") ? rm.handle(req.method ?? "GET", path.slice("/ws/v1".length), Buffer.concat(chunks)) : undefined) ?? {
        status: 404,
        body: JSON.stringify({ RemoteException: { exception: "NotFoundException", message: "not a ResourceManager resource" } }),
      };
      res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
