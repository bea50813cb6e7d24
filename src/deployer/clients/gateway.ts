/** What the WebHDFS and Livy clients share: the Knox gateway's base URL, basic-auth credentials and HTTP dispatcher. */
import type { Dispatcher } from "undici";
import { DeployError } from "../core/errors";

export interface GatewayCredentials {
  /** Gateway (Knox) user: `root` before CU5, the AZDATA_USERNAME user after. */
  readonly username: string;
  readonly password: string;
}

export interface Gateway {
  /** `https://<host>:<port>` of the BDC gateway. */
  readonly url: URL;
  readonly credentials: GatewayCredentials;
  readonly dispatcher: Dispatcher;
}

/** Parses and checks the gateway URL: https only (basic auth must never cross plain HTTP). */
export function gatewayUrl(value: string): URL {
  return serviceUrl(value, "gateway URL", { httpsOnly: true });
}

/** Parses a service URL from the plan; credentials never ride in it (they come from BDC_GATEWAY_USERNAME/PASSWORD). */
export function serviceUrl(value: string, name: string, options: { httpsOnly: boolean }): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DeployError(`${name} "${value}" is not a URL; expected ${options.httpsOnly ? "https" : "http(s)"}://<host>:<port>`);
  }
  if (options.httpsOnly && url.protocol !== "https:") throw new DeployError(`${name} "${value}" must use https (basic auth over TLS only)`);
  if (url.username || url.password) throw new DeployError(`${name} must not carry credentials; use BDC_GATEWAY_USERNAME/PASSWORD`);
  return url;
}

export function basicAuth(credentials: GatewayCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}

/** True when `target` is on the same scheme, host and port as the gateway (redirects may not leave it). */
export function sameOrigin(gateway: URL, target: URL): boolean {
  return target.origin === gateway.origin;
}
