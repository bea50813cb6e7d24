/** One deployer run from a plan and the process environment: shared by the CLI and the in-cluster entry. */
import { isRemote, loadArtifact } from "./artifact-source";
import { gatewayClients } from "./clients";
import { describePlan, runDeploy, type DeployMode, type DeployResult } from "./deploy";
import { createDispatcher } from "./http";
import type { DeployPlanConfig } from "./plan-config";
import { stderrProgress, type Progress } from "./progress";
import { readSecrets, secretValues } from "./secrets";

export interface RunOptions {
  /** The validated deploy plan. */
  plan: DeployPlanConfig;
  /** `deploy` puts the plan's artifact live; `ensure` only restarts it when no batch is alive. */
  mode: DeployMode;
  /** Artifact directory or HTTPS base URL. @default plan.artifact.baseUrl */
  artifact?: string;
  /** Print the plan instead of deploying. @default false */
  dryRun?: boolean;
  /** Gateway CA bundle path. @default plan.gatewayCaBundlePath */
  caBundlePath?: string;
  /** Where the secrets are read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Where the plan (dry run) and the summary go. @default stdout */
  out?: (text: string) => void;
  /** Progress sink. @default stderr lines with secrets masked */
  progress?: Progress;
}

export async function runFromEnvironment(options: RunOptions): Promise<DeployResult | undefined> {
  const env = options.env ?? process.env;
  const location = options.artifact ?? options.plan.artifact.baseUrl;
  const remote = isRemote(location);
  const out = options.out ?? ((t: string) => process.stdout.write(t));
  const artifactDispatcher = remote ? createDispatcher({ retry: options.plan.retry }) : undefined;
  try {
    if (options.dryRun) {
      const progress = options.progress ?? stderrProgress([env.ARTIFACT_SAS_TOKEN ?? ""].filter(Boolean));
      const artifact = await loadArtifact({ location, sasToken: env.ARTIFACT_SAS_TOKEN, dispatcher: artifactDispatcher }, progress, options.plan.artifact.hash);
      out(describePlan(options.plan, artifact, env.BDC_GATEWAY_USERNAME ?? "{user}", options.mode));
      return undefined;
    }
    const secrets = readSecrets(env, { needSas: remote });
    const progress = options.progress ?? stderrProgress(secretValues(secrets));
    const clients = gatewayClients(options.plan, { username: secrets.gatewayUsername, password: secrets.gatewayPassword }, options.caBundlePath);
    try {
      const result = await runDeploy(
        {
          plan: options.plan,
          artifact: { location, sasToken: secrets.artifactSasToken, dispatcher: artifactDispatcher },
          hdfs: clients.hdfs,
          livy: clients.livy,
          gatewayUser: secrets.gatewayUsername,
          eventHubsConnectionString: secrets.eventHubsConnectionString,
          eventHubsSendConnectionString: secrets.eventHubsSendConnectionString,
          progress,
        },
        options.mode,
      );
      out(`${JSON.stringify(result)}\n`);
      return result;
    } finally {
      await clients.close();
    }
  } finally {
    await artifactDispatcher?.close();
  }
}
