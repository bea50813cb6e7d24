/**
 * WebHDFS through a WebHdfsEndpoint (webhdfs-endpoint.ts): the BDC gateway's
 * `<gateway>/gateway/default/webhdfs/v1`, or a NameNode directly. Data operations (CREATE, OPEN, APPEND)
 * are two-step: the NameNode answers 307 with a DataNode location (which Knox rewrites to itself); we
 * follow it ourselves, and the endpoint decides where a data step may go (through Knox: only back to the
 * gateway, so credentials never go elsewhere).
 */
import type { Gateway } from "./gateway";
import { KNOX_WEBHDFS_PATH, knoxWebHdfs, type WebHdfsEndpoint } from "./webhdfs-endpoint";
import { DeployError } from "../core/errors";
import { send, statusError, type HttpRequest, type HttpResponse } from "../core/http";

export const WEBHDFS_PREFIX = KNOX_WEBHDFS_PATH;

/** The subset of WebHDFS FileStatus the deployer reads. */
export interface FileStatus {
  pathSuffix: string;
  type: "FILE" | "DIRECTORY" | "SYMLINK";
  length: number;
  /** Octal permission as WebHDFS gives it, e.g. "600". */
  permission: string;
  owner: string;
  modificationTime: number;
  /** The NameNode's inode id: a file replaced at the same path gets a new one. */
  fileId?: number;
}

export interface CreateOptions {
  /** Octal mode the file is created with (applied at creation, so it is never readable more widely). @default "644" */
  readonly permission?: string;
  /** Replace an existing file. @default true */
  readonly overwrite?: boolean;
}

type Method = HttpRequest["method"];
/** Whether a request may be retried blindly (http.ts): said per call below. */
const IDEMPOTENT = true;
const ONCE = false;

export class WebHdfsClient {
  private readonly endpoint: WebHdfsEndpoint;

  /** A Gateway means the BDC's Knox (knoxWebHdfs). */
  constructor(target: Gateway | WebHdfsEndpoint) {
    this.endpoint = "base" in target ? target : knoxWebHdfs(target);
  }

  async mkdirs(path: string, permission = "755"): Promise<void> {
    const res = await this.call("PUT", path, "MKDIRS", { permission }, IDEMPOTENT); // true whether it was made now or before
    const ok = res.status === 200 && (JSON.parse(res.body.toString()) as { boolean: boolean }).boolean;
    if (!ok) throw statusError(this.describe("PUT", path, "MKDIRS"), res);
  }

  /** Writes `data` to `path` (two-step CREATE). Returns the bytes sent. */
  async create(path: string, data: Buffer, options: CreateOptions = {}): Promise<number> {
    // The first step only asks the NameNode where to write: nothing changes yet.
    const first = await this.call("PUT", path, "CREATE", {
      overwrite: String(options.overwrite ?? true),
      permission: options.permission ?? "644",
    }, IDEMPOTENT);
    if (first.status !== 307) throw statusError(this.describe("PUT", path, "CREATE"), first);
    const location = this.redirectTarget(first, path, "CREATE");
    const req: HttpRequest = {
      method: "PUT",
      url: location,
      label: `${path} (WebHDFS CREATE, data step)`,
      headers: { ...this.endpoint.headers, "content-type": "application/octet-stream" },
      body: data,
      // Overwriting with the same bytes ends the same; a create-only write answered "exists" after a lost answer must be read back by the caller.
      idempotent: options.overwrite ?? true,
    };
    const second = await this.endpoint.sendData(req);
    if (second.status !== 201) throw statusError(req, second);
    return data.length;
  }

  /** The file's content, or undefined when it does not exist. */
  async open(path: string): Promise<Buffer | undefined> {
    const first = await this.call("GET", path, "OPEN", {}, IDEMPOTENT);
    if (first.status === 404) return undefined;
    if (first.status === 200) return first.body; // a gateway that streams OPEN itself
    if (first.status !== 307) throw statusError(this.describe("GET", path, "OPEN"), first);
    const location = this.redirectTarget(first, path, "OPEN");
    const req: HttpRequest = {
      method: "GET",
      url: location,
      label: `${path} (WebHDFS OPEN, data step)`,
      headers: { ...this.endpoint.headers },
      idempotent: true,
    };
    const second = await this.endpoint.sendData(req);
    // Deleted after the NameNode's redirect (a driver re-creating its lease file does): missing when answered. Only the
    // DataNode's own FileNotFoundException counts: any other 404 (a gateway that cannot route the data step) is an error.
    if (second.status === 404 && refusal(second)?.exception === "FileNotFoundException") return undefined;
    if (second.status !== 200) throw statusError(req, second);
    return second.body;
  }

  /**
   * Appends nothing to `path` (two-step APPEND with an empty body), which the NameNode grants only while no other
   * writer holds the file, and which starts the recovery of a writer's lapsed lease: the probe of a driver's
   * checkpoint lease (driver-lease.ts). "refused" carries the HDFS exception's class and message.
   * Idempotent: an empty append changes no byte and closes the file again.
   */
  async appendNothing(path: string): Promise<{ outcome: "appended" | "missing" } | { outcome: "refused"; exception: string; message: string }> {
    const first = await this.call("POST", path, "APPEND", {}, IDEMPOTENT); // asks the NameNode where to write: changes nothing
    if (first.status === 404) return { outcome: "missing" };
    if (first.status !== 307) return refusal(first) ?? Promise.reject(statusError(this.describe("POST", path, "APPEND"), first));
    const req: HttpRequest = {
      method: "POST",
      url: this.redirectTarget(first, path, "APPEND"),
      label: `${path} (WebHDFS APPEND, data step)`,
      headers: { ...this.endpoint.headers, "content-type": "application/octet-stream" },
      body: Buffer.alloc(0),
      idempotent: true, // no bytes: a repeat appends nothing either
    };
    const second = await this.endpoint.sendData(req);
    if (second.status === 200) return { outcome: "appended" };
    if (second.status === 404) return { outcome: "missing" };
    const refused = refusal(second);
    if (refused) return refused;
    throw statusError(req, second);
  }

  /** The server's clock (ms) from the `Date` header of a status read (the gateway's, 1 s resolution); undefined without one. */
  async serverDate(path: string): Promise<number | undefined> {
    const res = await this.call("GET", path, "GETFILESTATUS", {}, IDEMPOTENT);
    if (res.status !== 200 && res.status !== 404) throw statusError(this.describe("GET", path, "GETFILESTATUS"), res);
    // Hadoop's HTTP server sends Date twice (its own filter and Jetty's): the first one is as good as the other.
    const raw = res.headers["date"];
    const date = Array.isArray(raw) ? raw[0] : raw;
    const parsed = date ? Date.parse(date) : NaN;
    return Number.isNaN(parsed) ? undefined : parsed;
  }

  async getFileStatus(path: string): Promise<FileStatus | undefined> {
    const res = await this.call("GET", path, "GETFILESTATUS", {}, IDEMPOTENT);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw statusError(this.describe("GET", path, "GETFILESTATUS"), res);
    return (JSON.parse(res.body.toString()) as { FileStatus: FileStatus }).FileStatus;
  }

  /** The directory's entries by name, or undefined when it does not exist. */
  async listStatus(path: string): Promise<Map<string, FileStatus> | undefined> {
    const res = await this.call("GET", path, "LISTSTATUS", {}, IDEMPOTENT);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw statusError(this.describe("GET", path, "LISTSTATUS"), res);
    const list = (JSON.parse(res.body.toString()) as { FileStatuses: { FileStatus: FileStatus[] } }).FileStatuses.FileStatus;
    return new Map(list.map((s) => [s.pathSuffix, s]));
  }

  /** Deletes the path; false when there was nothing to delete. */
  async delete(path: string, recursive = false): Promise<boolean> {
    const res = await this.call("DELETE", path, "DELETE", { recursive: String(recursive) }, IDEMPOTENT); // gone either way; only the boolean differs
    if (res.status !== 200) throw statusError(this.describe("DELETE", path, "DELETE"), res);
    return (JSON.parse(res.body.toString()) as { boolean: boolean }).boolean;
  }

  /** Whether the gateway user may write into the path (WebHDFS CHECKACCESS), asked before a change that needs it. */
  async canWrite(path: string): Promise<boolean> {
    const res = await this.call("GET", path, "CHECKACCESS", { fsaction: "-w-" }, IDEMPOTENT);
    if (res.status === 200) return true;
    if (res.status === 403) return false;
    throw statusError(this.describe("GET", path, "CHECKACCESS"), res);
  }

  /** Renames the path (atomic at the NameNode); false when the source is missing or the destination exists. */
  async rename(path: string, destination: string): Promise<boolean> {
    const res = await this.call("PUT", path, "RENAME", { destination }, ONCE); // a repeat answers false: the caller checks the destination
    if (res.status !== 200) throw statusError(this.describe("PUT", path, "RENAME"), res);
    return (JSON.parse(res.body.toString()) as { boolean: boolean }).boolean;
  }

  async setPermission(path: string, permission: string): Promise<void> {
    const res = await this.call("PUT", path, "SETPERMISSION", { permission }, IDEMPOTENT);
    if (res.status !== 200) throw statusError(this.describe("PUT", path, "SETPERMISSION"), res);
  }

  /** A `user.` extended attribute's text value, or undefined when the path or attribute is missing. */
  async getXAttr(path: string, name: string): Promise<string | undefined> {
    const res = await this.call("GET", path, "GETXATTRS", { "xattr.name": name, encoding: "base64" }, IDEMPOTENT);
    if (res.status === 404) return undefined;
    // A missing attribute is a 403/400 RemoteException (XAttr ... not found / At least one of the attributes ...).
    if ((res.status === 403 || res.status === 400) && /xattr|attribute/i.test(res.body.toString())) return undefined;
    if (res.status !== 200) throw statusError(this.describe("GET", path, "GETXATTRS"), res);
    const attrs = (JSON.parse(res.body.toString()) as { XAttrs: { name: string; value: string | null }[] }).XAttrs;
    const value = attrs.find((a) => a.name === name)?.value;
    if (value === undefined || value === null) return undefined;
    return Buffer.from(value.replace(/^0s/, ""), "base64").toString("utf8");
  }

  /** Every `user.` attribute of the path with its text value (one GETXATTRS); empty when the path is missing. */
  async listXAttrs(path: string): Promise<Map<string, string>> {
    const res = await this.call("GET", path, "GETXATTRS", { encoding: "base64" }, IDEMPOTENT);
    if (res.status === 404) return new Map();
    if (res.status !== 200) throw statusError(this.describe("GET", path, "GETXATTRS"), res);
    const attrs = (JSON.parse(res.body.toString()) as { XAttrs: { name: string; value: string | null }[] }).XAttrs;
    return new Map(attrs.filter((a) => a.value !== null).map((a) => [a.name, Buffer.from(a.value!.replace(/^0s/, ""), "base64").toString("utf8")]));
  }

  /**
   * Sets a `user.` attribute, creating or replacing it. `sendOnce`: the REPLACE is not re-sent by the HTTP agent
   * (the caller checks its right to write before each attempt: a re-send minutes later could land after another
   * writer's).
   */
  async setXAttr(path: string, name: string, value: string, options: { sendOnce?: boolean } = {}): Promise<void> {
    if (await this.putXAttr(path, name, value, "REPLACE", options.sendOnce)) return;
    // REPLACE fails when the attribute does not exist yet: create it.
    if (!(await this.putXAttr(path, name, value, "CREATE"))) throw new DeployError(`${path}: cannot set ${name}`);
  }

  /**
   * Creates the attribute only if it does not exist: atomic at the NameNode, so it serves as a lock.
   * Returns false when it already exists.
   */
  async createXAttr(path: string, name: string, value: string): Promise<boolean> {
    return this.putXAttr(path, name, value, "CREATE");
  }

  /** Replaces an existing attribute; false when it does not exist. */
  async replaceXAttr(path: string, name: string, value: string): Promise<boolean> {
    return this.putXAttr(path, name, value, "REPLACE");
  }

  /** Removes the attribute; false when it was not there. */
  async removeXAttr(path: string, name: string): Promise<boolean> {
    const res = await this.call("PUT", path, "REMOVEXATTR", { "xattr.name": name }, ONCE); // a repeat could remove what another run set since
    if (res.status === 200) return true;
    if (res.status === 404 || ((res.status === 403 || res.status === 400) && /xattr|attribute/i.test(res.body.toString()))) return false;
    throw statusError(this.describe("PUT", path, "REMOVEXATTR"), res);
  }

  /** SETXATTR with one flag: true when set, false when the flag's precondition failed (exists / does not exist). */
  private async putXAttr(path: string, name: string, value: string, flag: "CREATE" | "REPLACE", sendOnce = false): Promise<boolean> {
    const encoded = `0s${Buffer.from(value, "utf8").toString("base64")}`;
    // CREATE is sent once (a repeat answers "already exists" even when it was ours: the lock compares tokens);
    // REPLACE of the same value ends the same (the lock replaces only its own record; the state only under the fenced lock).
    const res = await this.call("PUT", path, "SETXATTR", { "xattr.name": name, "xattr.value": encoded, flag }, flag === "REPLACE" && !sendOnce);
    if (res.status === 200) return true;
    const text = res.body.toString();
    if (flag === "REPLACE" && /does not exist|XAttr.*not/i.test(text)) return false;
    if (flag === "CREATE" && /already exists/i.test(text)) return false;
    throw statusError(this.describe("PUT", path, "SETXATTR"), res);
  }

  private describe(method: Method, path: string, op: string): Pick<HttpRequest, "method" | "label"> {
    return { method, label: `${path} (WebHDFS ${op})` };
  }

  private call(method: Method, path: string, op: string, params: Record<string, string>, idempotent: boolean): Promise<HttpResponse> {
    if (!path.startsWith("/")) throw new DeployError(`HDFS path "${path}" must be absolute`);
    const url = new URL(`${this.endpoint.base.pathname.replace(/\/+$/, "")}${encodeHdfsPath(path)}`, this.endpoint.base);
    for (const [k, v] of Object.entries(this.endpoint.params)) url.searchParams.set(k, v);
    url.searchParams.set("op", op);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return send(this.endpoint.dispatcher, {
      method,
      url,
      label: `${path} (WebHDFS ${op})`,
      headers: { ...this.endpoint.headers },
      idempotent,
    });
  }

  /** The 307's Location, where the endpoint lets a data step go. */
  private redirectTarget(res: HttpResponse, path: string, op: string): URL {
    const raw = res.headers.location;
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (!value) throw new DeployError(`WebHDFS ${op} ${path}: redirect without a Location header`);
    const target = new URL(value, this.endpoint.base);
    this.endpoint.checkRedirect(target, `WebHDFS ${op} ${path}`);
    return target;
  }
}

/** A WebHDFS RemoteException answer (403/409/500 with {"RemoteException": {exception, message}}), if it is one. */
function refusal(res: HttpResponse): { outcome: "refused"; exception: string; message: string } | undefined {
  try {
    const remote = (JSON.parse(res.body.toString()) as { RemoteException?: { exception?: string; message?: string } }).RemoteException;
    if (!remote?.exception) return undefined;
    return { outcome: "refused", exception: remote.exception, message: (remote.message ?? "").split("\n")[0]! };
  } catch {
    return undefined;
  }
}

function encodeHdfsPath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
