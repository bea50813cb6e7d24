/** One deployer run from a plan and the process environment: shared by the CLI and the in-cluster entry. */
import { isRemote, loadArtifact, type ArtifactLocation } from "../clients/artifact-source";
import type { EndOffsets } from "../health/backlog";
import { gatewayClients, needsGatewayCredentials, platformUser } from "../clients/clients";
import { describePlan, runDeploy } from "./deploy";
import type { DeployMode, DeployResult, GatewayContext } from "../reconcile/context";
import { DEPLOYER_SECRET_ENV } from "../../../contracts/deployer-container";
import { runEnsure } from "./ensure";
import { runMaintain } from "./maintain";
import { runNewRun } from "./new-run";
import { webhookNotifier } from "../health/notify";
import { runTeardown } from "./teardown";
import { createDispatcher } from "../core/http";
import type { DeployPlanConfig } from "../core/plan-config";
import { stderrProgress, type Progress } from "../core/progress";
import { readSecrets, secretsInEnvironment, secretValues, type DeploySecrets } from "../core/secrets";
import { needsStateStoreSas, planStores } from "../state/environment-stores";
import { planEndOffsets, planOffsetsAt, type OffsetsAt } from "../clients/topic-offsets-loader";

export interface RunOptions {
  /** The validated deploy plan. */
  plan: DeployPlanConfig;
  /** `deploy` puts the plan's artifact live; `ensure` keeps the live state's release running; `maintain` compacts its tables. */
  mode: DeployMode;
  /** Artifact directory or HTTPS base URL (deploy only). @default plan.artifact.baseUrl */
  artifact?: string;
  /** teardown only: also drop the tables and delete the checkpoint and job files. */
  purge?: boolean;
  /** teardown --purge of a protected environment: its name, again. */
  confirmPurge?: string;
  /** new-run only: earliest, latest or Spark's JSON offsets for the input topic. */
  startingOffsets?: string;
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

/** What one command gets: the gateway clients and context, the secrets, the run's options and the artifact's location. */
interface CommandInput {
  gateway: GatewayContext;
  secrets: DeploySecrets;
  options: RunOptions;
  artifact: ArtifactLocation;
  /** The input topic's offsets at one end, read with the job's listen key (undefined without it). */
  offsets(end?: "latest" | "earliest"): EndOffsets | undefined;
  /** The input topic's offsets at a time, for the input rate (undefined without the listen key). */
  offsetsAt: OffsetsAt | undefined;
}

/** A command: whether it reads the artifact and the job's Event Hubs keys, and what it runs. */
interface Command {
  readsArtifact: boolean;
  needsEventHubs: boolean;
  run(input: CommandInput): Promise<DeployResult>;
}

/** The deployer's commands by mode. */
const COMMANDS: Record<DeployMode, Command> = {
  deploy: {
    readsArtifact: true,
    needsEventHubs: true,
    run: ({ gateway, secrets, artifact }) =>
      runDeploy({
        ...gateway,
        artifact,
        gatewayUser: platformUser(gateway.plan, secrets.gatewayUsername),
        eventHubsConnectionString: secrets.eventHubsConnectionString,
        eventHubsSendConnectionString: secrets.eventHubsSendConnectionString,
      }),
  },
  // ensure never reads the artifact: it restarts what is on HDFS.
  ensure: { readsArtifact: false, needsEventHubs: false, run: ({ gateway, offsets, offsetsAt }) => runEnsure({ ...gateway, endOffsets: offsets(), offsetsAt }) },
  maintain: { readsArtifact: false, needsEventHubs: false, run: ({ gateway }) => runMaintain(gateway) },
  "new-run": {
    readsArtifact: false,
    needsEventHubs: false,
    run: ({ gateway, options, offsets }) => runNewRun({ ...gateway, endOffsets: offsets(), earliestOffsets: offsets("earliest") }, options.startingOffsets ?? ""),
  },
  teardown: {
    readsArtifact: false,
    needsEventHubs: false,
    run: ({ gateway, secrets, options }) => runTeardown(gateway, { gatewayUser: platformUser(gateway.plan, secrets.gatewayUsername), purge: options.purge, confirmPurge: options.confirmPurge }),
  },
};

export async function runFromEnvironment(options: RunOptions): Promise<DeployResult | undefined> {
  const env = options.env ?? process.env;
  const { plan, mode } = options;
  const command = COMMANDS[mode];
  const out = options.out ?? ((t: string) => process.stdout.write(t));
  const location = options.artifact ?? plan.artifact.baseUrl;
  const remote = command.readsArtifact || options.dryRun ? isRemote(location) : false;
  const artifactDispatcher = remote ? createDispatcher({ retry: plan.retry, deadlineMs: plan.timing.requestDeadlineSeconds * 1000 }) : undefined;
  try {
    if (options.dryRun) {
      const progress = options.progress ?? stderrProgress([env.ARTIFACT_SAS_TOKEN ?? ""].filter(Boolean));
      const artifact = await loadArtifact({ location, sasToken: env.ARTIFACT_SAS_TOKEN, dispatcher: artifactDispatcher }, progress, plan.artifact.hash);
      out(describePlan(plan, artifact, env.BDC_GATEWAY_USERNAME ?? "{user}", mode));
      return undefined;
    }
    const secrets = readSecrets(env, { needSas: remote, needEventHubs: command.needsEventHubs, needGateway: needsGatewayCredentials(plan.target), needStateStoreSas: needsStateStoreSas(plan) });
    // Every secret the environment holds is masked, also those this mode does not need (ensure still asks Kafka).
    const progress = options.progress ?? stderrProgress([...secretValues(secrets), ...secretsInEnvironment(env)]);
    const clients = gatewayClients(plan, { username: secrets.gatewayUsername, password: secrets.gatewayPassword }, options.caBundlePath);
    try {
      // Changes of the job's condition go to the webhook of NOTIFY_WEBHOOK_URL (from the Kubernetes Secret), if set.
      const webhookUrl = env[DEPLOYER_SECRET_ENV.notifyWebhookUrl];
      const notifier = webhookUrl ? webhookNotifier(webhookUrl) : undefined;
      const stores = planStores(plan, clients.hdfs, secrets.stateStoreSasToken);
      const gateway: GatewayContext = { plan, hdfs: clients.hdfs, livy: clients.livy, yarn: clients.yarn, stores, progress, notifier };
      // The job's listen key, for the input topic's offsets (ensure's backlog, new-run's committed).
      const listenKey = env[DEPLOYER_SECRET_ENV.jobListenConnectionString];
      const result = await command.run({
        gateway,
        secrets,
        options,
        artifact: { location, sasToken: secrets.artifactSasToken, dispatcher: artifactDispatcher },
        offsets: (end = "latest") => planEndOffsets(plan, listenKey, end),
        offsetsAt: planOffsetsAt(plan, listenKey),
      });
      out(`${JSON.stringify(result)}\n`);
      progress.step("now", result.runningNow);
      return result;
    } finally {
      await clients.close();
    }
  } finally {
    await artifactDispatcher?.close();
  }
}
