/**
 * Builds the platform's clients from a plan: on a BDC (no `target`) WebHDFS, Livy and the YARN ResourceManager
 * through the Knox gateway with its credentials; on a `livy` target Livy and the NameNode (or HttpFS) reached
 * directly, with no ResourceManager (a driver outside Livy is then named, not killed: lease-guard.ts).
 */
import { readFileSync } from "node:fs";
import type { Dispatcher } from "undici";
import { gatewayUrl, serviceUrl, type GatewayCredentials } from "./gateway";
import { createDispatcher } from "../core/http";
import { DeployError } from "../core/errors";
import { LivyClient } from "./livy-client";
import { knoxLivy, plainLivy } from "./livy-endpoint";
import type { DeployPlanConfig } from "../core/plan-config";
import type { EnvironmentSettings } from "../../../config/schema";
import { WebHdfsClient } from "./webhdfs-client";
import { namenodeWebHdfs } from "./webhdfs-endpoint";
import { ResourceManagerClient } from "./yarn-client";

export interface GatewayClients {
  hdfs: WebHdfsClient;
  livy: LivyClient;
  yarn?: ResourceManagerClient;
  dispatcher: Dispatcher;
  close(): Promise<void>;
}

/**
 * Whether a platform takes the gateway credentials (BDC_GATEWAY_USERNAME/PASSWORD): a BDC, or a `livy` target
 * with basic auth. Takes the plan's target or the environment's, so the CLI can name a missing secret before it plans.
 */
export function needsGatewayCredentials(target: { readonly kind: string; readonly auth?: string } | undefined): boolean {
  return target === undefined || target.kind !== "livy" || target.auth === "basic";
}

/** The user who owns the job's files and fills `{user}` in the plan's paths: the `livy` target's, else the gateway's. */
export function platformUser(plan: DeployPlanConfig, gatewayUsername: string): string {
  return plan.target?.user ?? gatewayUsername;
}

/** The CA bundle a deployer outside the cluster trusts: the `livy` target's, else the BDC gateway's (both from the environment config). */
export function localCaBundlePath(config: Pick<EnvironmentSettings, "target" | "bdc">): string | undefined {
  return config.target?.kind === "livy" ? config.target.caBundlePath : config.bdc.gatewayCaBundlePath;
}

/** caBundlePath: the CA of the gateway or of the target's https endpoints. @default the plan's */
export function gatewayClients(plan: DeployPlanConfig, credentials: GatewayCredentials, caBundlePath = plan.target?.caBundlePath ?? plan.gatewayCaBundlePath): GatewayClients {
  const deadlineMs = plan.timing.requestDeadlineSeconds * 1000;
  const dispatcher = createDispatcher({ caBundlePath, retry: plan.retry, deadlineMs });
  const close = () => dispatcher.close();
  const target = plan.target;
  if (target !== undefined) {
    return {
      hdfs: new WebHdfsClient(namenodeWebHdfs(serviceUrl(target.webhdfsUrl, "target.webhdfsUrl", { httpsOnly: false }), target.user, dispatcher, { ca: caBundlePath !== undefined ? readFileSync(caBundlePath) : undefined, deadlineMs, retries: plan.retry.maxRetries })),
      livy: new LivyClient(plainLivy(serviceUrl(target.livyUrl, "target.livyUrl", { httpsOnly: false }), target.auth === "basic" ? credentials : undefined, dispatcher)),
      dispatcher,
      close,
    };
  }
  if (plan.gatewayUrl === undefined) throw new DeployError("the plan names neither a gateway nor a target");
  const gateway = { url: gatewayUrl(plan.gatewayUrl), credentials, dispatcher };
  return { hdfs: new WebHdfsClient(gateway), livy: new LivyClient(knoxLivy(gateway)), yarn: new ResourceManagerClient(gateway), dispatcher, close };
}
