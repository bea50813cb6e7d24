/**
 * Where WebHDFS is and how its requests authenticate (issue 25): the BDC's Knox gateway (basic auth; the
 * data step comes back through the gateway, and a redirect elsewhere is refused so credentials never leave
 * it), or a NameNode reached directly, as on a plain Hadoop cluster with a Livy beside it (simple auth: the
 * user goes in `user.name`, no credential exists to leak, and the data step goes to the DataNode it names).
 */
import type { Dispatcher } from "undici";
import { DeployError } from "../core/errors";
import { send, type HttpRequest, type HttpResponse } from "../core/http";
import { sendSkippingInformational, type InformationalOptions } from "../core/http-informational";
import { basicAuth, sameOrigin, type Gateway } from "./gateway";

/** Knox's WebHDFS service (topology `default`). */
export const KNOX_WEBHDFS_PATH = "/gateway/default/webhdfs/v1";
/** A NameNode's own WebHDFS root. */
export const NAMENODE_WEBHDFS_PATH = "/webhdfs/v1";

export interface WebHdfsEndpoint {
  /** The root the file system's paths go below. */
  readonly base: URL;
  readonly dispatcher: Dispatcher;
  /** Headers of every request, both steps. */
  readonly headers: Readonly<Record<string, string>>;
  /** Query parameters of every request to the NameNode (the data step's Location carries its own). */
  readonly params: Readonly<Record<string, string>>;
  /** Throws unless a data step may go to `target`. */
  checkRedirect(target: URL, what: string): void;
  /** Sends a data step (the request after the NameNode's redirect). */
  sendData(req: HttpRequest): Promise<HttpResponse>;
}

export function knoxWebHdfs(gateway: Gateway): WebHdfsEndpoint {
  const base = new URL(KNOX_WEBHDFS_PATH, gateway.url);
  return {
    base,
    dispatcher: gateway.dispatcher,
    headers: { authorization: basicAuth(gateway.credentials) },
    params: {},
    sendData: (req) => send(gateway.dispatcher, req),
    checkRedirect(target, what) {
      if (!sameOrigin(gateway.url, target)) {
        throw new DeployError(`${what}: refused redirect to ${target.protocol}//${target.host}, which is not the gateway ${gateway.url.host}; credentials are only sent to the gateway`);
      }
    },
  };
}

/**
 * A NameNode's WebHDFS at `namenode` (`http://<host>:9870`), as `user` (simple auth). `dataStep`: what the data
 * step to a DataNode goes with (it bypasses the dispatcher, core/http-informational.ts): the CA of an https
 * cluster, the deadline and the retries the dispatcher has.
 */
export function namenodeWebHdfs(namenode: URL, user: string, dispatcher: Dispatcher, dataStep: InformationalOptions = {}): WebHdfsEndpoint {
  if (!/^[A-Za-z0-9._-]+$/.test(user)) throw new DeployError(`HDFS user "${user}": letters, digits, '.', '_' and '-' only`);
  return {
    base: new URL(NAMENODE_WEBHDFS_PATH, namenode),
    dispatcher,
    headers: {},
    params: { "user.name": user },
    // The DataNode answers a CREATE or APPEND with an unsolicited 100 Continue first (core/http-informational.ts).
    sendData: (req) => sendSkippingInformational(req, dataStep),
    checkRedirect(target, what) {
      // No credential goes with it, but the bytes do: never to another scheme, nor from https down to http.
      if (target.protocol !== "http:" && target.protocol !== "https:") throw new DeployError(`${what}: refused redirect to a ${target.protocol} URL`);
      if (namenode.protocol === "https:" && target.protocol !== "https:") throw new DeployError(`${what}: refused redirect from https down to ${target.protocol}//${target.host}`);
    },
  };
}
