/** Builds the gateway clients (WebHDFS, Livy, the YARN ResourceManager) from a plan and the gateway credentials. */
import type { Dispatcher } from "undici";
import { gatewayUrl, type GatewayCredentials } from "./gateway";
import { createDispatcher } from "../core/http";
import { LivyClient } from "./livy-client";
import { knoxLivy } from "./livy-endpoint";
import type { DeployPlanConfig } from "../core/plan-config";
import { WebHdfsClient } from "./webhdfs-client";
import { ResourceManagerClient } from "./yarn-client";

export interface GatewayClients {
  hdfs: WebHdfsClient;
  livy: LivyClient;
  yarn: ResourceManagerClient;
  dispatcher: Dispatcher;
  close(): Promise<void>;
}

export function gatewayClients(plan: DeployPlanConfig, credentials: GatewayCredentials, caBundlePath = plan.gatewayCaBundlePath): GatewayClients {
  const dispatcher = createDispatcher({ caBundlePath, retry: plan.retry, deadlineMs: plan.timing.requestDeadlineSeconds * 1000 });
  const gateway = { url: gatewayUrl(plan.gatewayUrl), credentials, dispatcher };
  return {
    hdfs: new WebHdfsClient(gateway),
    livy: new LivyClient(knoxLivy(gateway)),
    yarn: new ResourceManagerClient(gateway),
    dispatcher,
    close: () => dispatcher.close(),
  };
}
