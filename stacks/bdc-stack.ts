// `sensors-<env>-bdc`: puts the job artifact in Azure Storage and, in the BDC's Kubernetes
// namespace, runs the deployer that copies it into HDFS and (re)starts the streaming job through
// Livy; optionally runs the sensor simulator. Deployed after `sensors-<env>-eventhubs`, whose
// values arrive as cross-stack references (remote-state lookups).
import { relative, resolve } from "node:path";
import { Construct } from "constructs";
import { App, Fn, TerraformStack, TerraformVariable, TerraformOutput } from "cdktf";
import { azurermProvider } from "./lib/azurerm-provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { environmentTags, JOB_PRINCIPAL, resourceGroupNames, SIMULATOR_PRINCIPAL, type EnvironmentConfig } from "../config";
import type { EventHubsStack } from "./eventhubs-stack";
import { artifactFiles, computeManifest, type ArtifactFile, type ArtifactManifest } from "../jobs/sensor_aggregation/build/manifest";
import { bundleDeployerSync, type DeployerBundle } from "../src/deployer/bundle";
import { deployJobDeadlineSeconds, deployPlanConfig, maintainJobDeadlineSeconds } from "../src/deployer/plan-config";
import { ArtifactStorage } from "./constructs/artifact-storage";
import { KubernetesDeployer } from "./constructs/kubernetes-deployer";
import { ServicePrivateEndpoint } from "./constructs/private-endpoint";
import { KubernetesSimulator } from "./constructs/kubernetes-simulator";
import { bundleScriptSync, type ScriptBundle } from "../src/build/script-bundle";
import { inClusterSimulatorArgs, SIMULATOR_CONNECTION_STRING_ENV, SIMULATOR_ENTRY } from "../src/simulator/in-cluster";


/** What the bdc stack reads from the eventhubs stack (readonly properties; cross-stack references). */
export type BdcEventHubsInputs = Pick<EventHubsStack, "kafkaBootstrap" | "readings" | "stats">;

export interface BdcStackProps {
  /** The environment's validated config. */
  readonly env: EnvironmentConfig;
  /** Values of the environment's eventhubs stack. */
  readonly eventhubs: BdcEventHubsInputs;
  /** The artifact to deploy. @default computeManifest() for the Spark line of `env.bdc.release` */
  readonly manifest?: ArtifactManifest;
  /** The artifact's local files. @default artifactFiles() for that Spark line (built by `npm run build:job`) */
  readonly artifactFiles?: readonly ArtifactFile[];
  /** The bundled deployer. @default bundleDeployerSync() */
  readonly deployerBundle?: DeployerBundle;
  /** The bundled simulator, used when `env.bdc.simulator.enabled`. @default bundle of src/simulator/cli.ts */
  readonly simulatorBundle?: ScriptBundle;
  /** Validity of the artifact SAS given to each deploy Job (a Terraform duration). @default "6h" */
  readonly deploySasValidity?: string;
}

export class BdcStack extends TerraformStack {
  /** Artifact storage account and container. */
  public readonly artifacts: ArtifactStorage;
  /** The in-cluster deployer (Secret, ConfigMap, Job, CronJob). */
  public readonly deployer: KubernetesDeployer;
  /** The simulator, when enabled. */
  public readonly simulator?: KubernetesSimulator;
  /** The deployed artifact's manifest. */
  public readonly manifest: ArtifactManifest;

  constructor(scope: Construct, id: string, props: BdcStackProps) {
    super(scope, id);
    const env = props.env;
    const bdc = env.bdc;
    const sparkLine = env.sparkLine;
    this.manifest = props.manifest ?? computeManifest(sparkLine);
    const files = props.artifactFiles ?? artifactFiles(sparkLine);
    requireMatchingLine(this.manifest, sparkLine, env.name);

    azurermProvider(this, env);
    new KubernetesProvider(this, "kubernetes", { configPath: bdc.kubeconfigPath, configContext: bdc.kubeContext });

    const gatewayUsername = new TerraformVariable(this, "bdc_gateway_username", {
      type: "string",
      sensitive: true,
      nullable: false,
      description: "BDC gateway (Knox) user: root before CU5, the AZDATA_USERNAME user after. Set TF_VAR_bdc_gateway_username.",
    });
    const gatewayPassword = new TerraformVariable(this, "bdc_gateway_password", {
      type: "string",
      sensitive: true,
      nullable: false,
      description: "BDC gateway (Knox) password. Set TF_VAR_bdc_gateway_password; never commit it.",
    });

    const tags = environmentTags(env);
    const resourceGroup = new ResourceGroup(this, "resource-group", {
      name: resourceGroupNames(env).bdc,
      location: env.location,
      tags,
    });
    this.artifacts = new ArtifactStorage(this, "artifacts", {
      accountName: artifactAccountName(env),
      resourceGroupName: resourceGroup.name,
      location: env.location,
      tags,
      network: bdc.artifactStorage,
    });
    const endpoint = bdc.artifactStorage.privateEndpoint;
    if (endpoint !== undefined) {
      new ServicePrivateEndpoint(this, "artifacts-private-endpoint", {
        name: `pe-${artifactAccountName(env)}-blob`,
        resourceGroupName: resourceGroup.name,
        location: env.location,
        subnetId: endpoint.subnetId,
        resourceId: this.artifacts.account.id,
        subresource: "blob",
        privateDnsZoneIds: endpoint.privateDnsZoneIds,
        tags,
      });
    }
    const stored = this.artifacts.addArtifact("artifact", {
      name: this.manifest.name,
      hash: this.manifest.hash,
      files: this.manifest.files.map((f) => ({ path: f.path, source: this.pathForTerraform(builtPathOf(files, f.path)) })),
    });

    const plan = deployPlanConfig(env, this.manifest, stored.baseUrl, {
      bootstrap: props.eventhubs.kafkaBootstrap,
      inputTopic: props.eventhubs.readings.hubName,
      outputTopic: props.eventhubs.stats.hubName,
    });
    this.deployer = new KubernetesDeployer(this, "deployer", {
      namespace: bdc.namespace,
      // Environments may share a BDC (and its namespace): their objects must not collide.
      baseName: `sensor-aggregation-${env.name}`,
      image: bdc.deployerImage,
      bundle: props.deployerBundle ?? defaultDeployerBundle(),
      plan,
      artifactHash: this.manifest.hash,
      secrets: {
        gatewayUsername: gatewayUsername.stringValue,
        gatewayPassword: gatewayPassword.stringValue,
        // The job reads with its listen rule on the input hub; its send rule on the output hub is
        // passed beside it (hub-scoped rules: one connection string per hub).
        eventhubsJobConnectionString: props.eventhubs.readings.grantListen(JOB_PRINCIPAL),
        eventhubsJobSendConnectionString: props.eventhubs.stats.grantSend(JOB_PRINCIPAL),
        ...(bdc.notifyWebhook
          ? {
              notifyWebhookUrl: new TerraformVariable(this, "alert_webhook_url", {
                type: "string",
                sensitive: true,
                nullable: false,
                description: "Incoming webhook (Teams, Slack) the deployer notifies. Set TF_VAR_alert_webhook_url (the eventhubs stack's alerts use it too).",
              }).stringValue,
            }
          : {}),
        artifactSasToken: this.artifacts.readOnlySas("deploy-read-sas", { validFor: props.deploySasValidity ?? "6h" }),
      },
      gatewayCaBundle: bdc.gatewayCaBundlePath !== undefined ? Fn.file(this.pathForTerraform(resolve(bdc.gatewayCaBundlePath))) : undefined,
      egress: { ...bdc.deployerEgress, gatewayPort: Number(new URL(bdc.gatewayUrl).port || 443) },
      ensureSchedule: bdc.ensureSchedule,
      maintenanceSchedule: bdc.maintenance.schedule === "off" ? undefined : bdc.maintenance.schedule,
      maintenanceDeadlineSeconds: maintainJobDeadlineSeconds(plan),
      teardownOnDestroy: bdc.teardownOnDestroy ? { kubeconfigPath: bdc.kubeconfigPath, kubeContext: bdc.kubeContext } : undefined,
      deployDeadlineSeconds: deployJobDeadlineSeconds(plan),
      // The Job downloads the blobs: it must not start before Terraform has uploaded them.
      dependsOn: stored.blobs,
    });

    if (bdc.simulator.enabled) {
      // config/ refuses an enabled simulator without a send rule on the readings hub.
      const connectionString = props.eventhubs.readings.grantSend(SIMULATOR_PRINCIPAL);
      this.simulator = new KubernetesSimulator(this, "simulator", {
        namespace: bdc.namespace,
        name: `sensor-simulator-${env.name}`,
        image: bdc.simulator.image,
        bundle: props.simulatorBundle ?? bundleScriptSync(SIMULATOR_ENTRY),
        args: inClusterSimulatorArgs(props.eventhubs.readings.hubName, bdc.simulator.eventsPerSecond),
        connectionString,
        connectionStringEnv: SIMULATOR_CONNECTION_STRING_ENV,
      });
    }

    new TerraformOutput(this, "artifact_hash", { value: this.manifest.hash, description: "Hash of the deployed job artifact" });
    new TerraformOutput(this, "deploy_job_name", { value: this.deployer.jobName, description: "Kubernetes Job that ran this deploy (kubectl logs job/<name>)" });
  }

  /**
   * A local file's path relative to this stack's synthesized directory, where Terraform runs: the
   * synthesized JSON then names no machine-specific absolute path and still works when the checkout
   * (with cdktf.out/ and dist/) moves, e.g. between pipeline jobs.
   */
  private pathForTerraform(absolutePath: string): string {
    const app = App.of(this);
    const workingDirectory = resolve(app.outdir, app.manifest.forStack(this).workingDirectory);
    return relative(workingDirectory, absolutePath);
  }
}

let deployerBundle: DeployerBundle | undefined;
/** The deployer bundle, built once per process: every environment's stack ships the same code. */
function defaultDeployerBundle(): DeployerBundle {
  deployerBundle ??= bundleDeployerSync();
  return deployerBundle;
}

/** `<prefix><env>` trimmed so that with `art<suffix>` it fits Azure's 24-character limit. */
export function artifactAccountName(env: EnvironmentConfig): string {
  const tail = `art${env.uniqueSuffix}`;
  return `${env.namePrefix}${env.name}`.slice(0, 24 - tail.length) + tail;
}

function builtPathOf(files: readonly ArtifactFile[], path: string): string {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`artifact file "${path}" is in the manifest but not among the artifact's files`);
  return file.builtPath;
}

/** The manifest must be built for the Spark line of the configured BDC release. */
function requireMatchingLine(manifest: ArtifactManifest, line: string, envName: string): void {
  if (!manifest.sparkVersion.startsWith(`${line}.`)) {
    throw new Error(
      `${envName}: artifact built for Spark ${manifest.sparkVersion} — allowed: Spark ${line}.x, the line of the configured BDC release`,
    );
  }
}
