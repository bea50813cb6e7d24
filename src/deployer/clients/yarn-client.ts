/**
 * The YARN ResourceManager's REST API over the gateway (Knox's RESOURCEMANAGER service:
 * `<gateway>/gateway/default/resourcemanager/v1` → `http://<rm>:8088/ws/v1`). The deployer uses it for one
 * thing: to stop a driver that holds the checkpoint's lease while Livy has no record of it (issue 24 item 0),
 * so that the next driver can take the lease. Not every gateway offers the service: `kill` says so, and the
 * caller falls back to telling the operator how to stop it by hand.
 */
import { basicAuth, type Gateway } from "./gateway";
import { HttpStatusError } from "../core/errors";
import { send, statusError, type HttpRequest } from "../core/http";

export const RESOURCEMANAGER_PREFIX = "/gateway/default/resourcemanager/v1";
const REQUESTED_BY = "bdc-sensor-deployer";

/** The application states after which it runs no more (YARN's YarnApplicationState). */
export const FINAL_APP_STATES: ReadonlySet<string> = new Set(["FINISHED", "FAILED", "KILLED"]);

export type KillAnswer =
  /** The ResourceManager accepted the kill (or the application had ended); `state` is what it reported. */
  | { outcome: "accepted"; state: string }
  /** The gateway offers no ResourceManager API, or the ResourceManager does not know the application. */
  | { outcome: "unavailable"; why: string };

export class ResourceManagerClient {
  constructor(private readonly gateway: Gateway) {}

  /**
   * Asks the ResourceManager to kill the application: `PUT /cluster/apps/{id}/state {"state":"KILLED"}`
   * (202 while it kills, 200 once it ended). It sets a desired state, so a repeat after a lost answer
   * changes nothing more: retried.
   */
  async kill(appId: string): Promise<KillAnswer> {
    const res = await this.call("PUT", appId, JSON.stringify({ state: "KILLED" }));
    if (res.status === 404) return { outcome: "unavailable", why: `the ResourceManager behind the gateway does not know ${appId}, or the gateway offers no ResourceManager API` };
    return { outcome: "accepted", state: res.state };
  }

  /** The application's state (`GET /cluster/apps/{id}/state`), or undefined when the ResourceManager does not know it. */
  async state(appId: string): Promise<string | undefined> {
    const res = await this.call("GET", appId);
    return res.status === 404 ? undefined : res.state;
  }

  private async call(method: "GET" | "PUT", appId: string, body?: string): Promise<{ status: number; state: string }> {
    const path = `${RESOURCEMANAGER_PREFIX}/cluster/apps/${encodeURIComponent(appId)}/state`;
    const req: HttpRequest = {
      method,
      url: new URL(path, this.gateway.url),
      label: `${path} (YARN ResourceManager)`,
      headers: {
        authorization: basicAuth(this.gateway.credentials),
        "x-requested-by": REQUESTED_BY,
        accept: "application/json",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body,
      // A read, and a desired-state write (KILLED stays KILLED): both leave the same end state when repeated.
      idempotent: true,
    };
    const res = await send(this.gateway.dispatcher, req);
    if (res.status === 404) return { status: 404, state: "" };
    if (res.status !== 200 && res.status !== 202) throw statusError(req, res);
    try {
      return { status: res.status, state: String((JSON.parse(res.body.toString("utf8")) as { state?: unknown }).state ?? "") };
    } catch {
      throw new HttpStatusError(method, req.label, res.status, "answer is not the ResourceManager's JSON");
    }
  }
}
