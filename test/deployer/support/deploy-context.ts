/** Runs the deployer against the test services, capturing its progress lines for assertions and secret scans. */
import { gatewayClients } from "../../../src/deployer/clients/clients";
import { runDeploy } from "../../../src/deployer/commands/deploy";
import type { DeployMode, DeployResult } from "../../../src/deployer/reconcile/context";
import { runEnsure } from "../../../src/deployer/commands/ensure";
import type { Notifier } from "../../../src/deployer/health/notify";
import type { DeployPlanConfig } from "../../../src/deployer/core/plan-config";
import { GATEWAY_PASSWORD, GATEWAY_USER } from "./services";

export interface RunCapture {
  lines: string[];
}

export async function deployOnce(
  plan: DeployPlanConfig,
  artifactDir: string,
  connectionStrings: { listen: string; send: string },
  mode: DeployMode,
  capture: RunCapture,
  caBundlePath: string,
  lockOwner?: string,
  notifier?: Notifier,
): Promise<DeployResult> {
  const clients = gatewayClients(plan, { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, caBundlePath);
  const gateway = {
    plan,
    hdfs: clients.hdfs,
    livy: clients.livy,
    yarn: clients.yarn,
    lockOwner,
    notifier,
    progress: { step: (step: string, detail: string) => capture.lines.push(`${step}: ${detail}`) },
  };
  try {
    return mode === "deploy"
      ? await runDeploy({
          ...gateway,
          artifact: { location: artifactDir },
          gatewayUser: GATEWAY_USER,
          eventHubsConnectionString: connectionStrings.listen,
          eventHubsSendConnectionString: connectionStrings.send,
        })
      : await runEnsure(gateway);
  } catch (err) {
    capture.lines.push(`error: ${(err as Error).message}`);
    throw err;
  } finally {
    await clients.close();
  }
}
