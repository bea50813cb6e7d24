/**
 * Where a Livy-compatible batch API is and how each request authenticates (issue 25): the BDC's Knox
 * gateway, HDInsight's `/livy`, a Synapse Spark pool, or a plain Apache Livy. LivyClient speaks to any of them;
 * the URL shapes are contracts/batch-endpoints.ts's.
 */
import type { Dispatcher } from "undici";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { HDINSIGHT_LIVY_PATH, KNOX_LIVY_PATH, SYNAPSE_HOST_SUFFIXES, SYNAPSE_TOKEN_SCOPE, synapseLivyPath, type LivyDialect } from "../../../contracts/batch-endpoints";
import { DeployError, NotSentError } from "../core/errors";
import { basicAuth, type Gateway, type GatewayCredentials } from "./gateway";

export interface LivyEndpoint {
  /** The batch API's root: `/batches` goes below it. */
  readonly base: URL;
  readonly dialect: LivyDialect;
  readonly dispatcher: Dispatcher;
  /** The headers that authenticate one request (a bearer token is fetched again before it expires). */
  headers(): Promise<Record<string, string>>;
}

/** Livy's CSRF protection (livy.server.csrf-protection) refuses a POST or DELETE without it. */
const REQUESTED_BY = "bdc-sensor-deployer";

/** The gateway's URL is checked where it is parsed (gateway.ts gatewayUrl). */
export function knoxLivy(gateway: Gateway): LivyEndpoint {
  return basicEndpoint(new URL(KNOX_LIVY_PATH, gateway.url), gateway.credentials, gateway.dispatcher);
}

/** `https://<cluster>.azurehdinsight.net/livy`, with the cluster login. */
export function hdinsightLivy(cluster: URL, credentials: GatewayCredentials, dispatcher: Dispatcher): LivyEndpoint {
  return basicEndpoint(new URL(HDINSIGHT_LIVY_PATH, httpsOnly(cluster, "HDInsight cluster")), credentials, dispatcher);
}

/**
 * A Spark pool's batches under `https://<workspace>.dev.azuresynapse.net`, with an Entra token (workload or managed
 * identity, or `az login`). The token goes only to a Synapse host (`anyHost`: a test's loopback stand-in).
 */
export function synapseLivy(workspace: URL, pool: string, credential: TokenCredential, dispatcher: Dispatcher, options: { anyHost?: boolean } = {}): LivyEndpoint {
  httpsOnly(workspace, "Synapse workspace");
  if (!options.anyHost && !SYNAPSE_HOST_SUFFIXES.some((suffix) => workspace.hostname.endsWith(suffix))) {
    throw new DeployError(`Synapse workspace URL "${workspace.href}": not a workspace development endpoint (${SYNAPSE_HOST_SUFFIXES.map((s) => `<workspace>${s}`).join(", ")}); the data-plane token goes nowhere else`);
  }
  let token: AccessToken | null = null;
  return {
    base: new URL(synapseLivyPath(pool), workspace),
    dialect: "synapse",
    dispatcher,
    async headers() {
      // Fetched again five minutes before it expires: a long deploy outlives one token.
      if (!token || token.expiresOnTimestamp - Date.now() < 300_000) {
        token = await credential.getToken(SYNAPSE_TOKEN_SCOPE).catch((err: unknown) => {
          throw new NotSentError(`no Entra token for ${SYNAPSE_TOKEN_SCOPE}: ${(err as Error).message.split("\n")[0]}`, { cause: err });
        });
      }
      if (!token) throw new NotSentError(`no Entra token for ${SYNAPSE_TOKEN_SCOPE}: sign in (az login) or give the deployer an identity with access to the workspace`);
      return { authorization: `Bearer ${token.token}` };
    },
  };
}

/** An Apache Livy at `url`, with basic auth or none (then plain HTTP is allowed: no credential crosses it). */
export function plainLivy(url: URL, credentials: GatewayCredentials | undefined, dispatcher: Dispatcher): LivyEndpoint {
  if (credentials) return basicEndpoint(httpsOnly(url, "Livy"), credentials, dispatcher);
  return { base: url, dialect: "livy", dispatcher, headers: async () => ({ "x-requested-by": REQUESTED_BY }) };
}

function basicEndpoint(base: URL, credentials: GatewayCredentials, dispatcher: Dispatcher): LivyEndpoint {
  const authorization = basicAuth(credentials);
  return { base, dialect: "livy", dispatcher, headers: async () => ({ authorization, "x-requested-by": REQUESTED_BY }) };
}

/** Basic auth and tokens cross TLS only. */
function httpsOnly(url: URL, what: string): URL {
  if (url.protocol !== "https:") throw new DeployError(`${what} URL "${url.href}" must use https (credentials cross TLS only)`);
  return url;
}
