// The streaming job's deployment on one BDC: its artifact in Azure Storage (reached privately when configured),
// the deploy plan, and the in-cluster deployer that copies the artifact into HDFS and keeps the job running
// through Livy. What is deployed comes from the artifact's manifest; how, from the environment's config.
import { relative, resolve } from "node:path";
import { App, Fn, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { JOB_PRINCIPAL, type EnvironmentConfig } from "../../config";
import type { ArtifactFile, ArtifactManifest } from "../../jobs/sensor_aggregation/build/manifest";
import type { DeployerBundle } from "../../src/deployer/cli/bundle";
import { deployJobDeadlineSeconds, deployPlanConfig, maintainJobDeadlineSeconds } from "../../src/deployer/core/plan-config";
import { ArtifactStorage } from "./artifact-storage";
import type { IEventHubTopic } from "./eventhubs-hub";
import { KubernetesDeployer } from "./kubernetes-deployer";
import { ServicePrivateEndpoint } from "./private-endpoint";

/** The Event Hubs side of the job: the namespace's Kafka bootstrap, the hub it reads and the hub it writes. */
export interface JobEventHubs {
  readonly kafkaBootstrap: string;
  readonly input: IEventHubTopic;
  readonly output: IEventHubTopic;
}

export interface JobDeploymentProps {
  /** The environment's validated config. */
  readonly env: EnvironmentConfig;
  readonly resourceGroupName: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The artifact to deploy, and its local files (built by `npm run build:job`). */
  readonly manifest: ArtifactManifest;
  readonly artifactFiles: readonly ArtifactFile[];
  readonly eventhubs: JobEventHubs;
  /** The BDC gateway (Knox) credentials: Terraform variables, never literals. */
  readonly gateway: { readonly username: string; readonly password: string };
  readonly deployerBundle: DeployerBundle;
  /** Validity of the artifact SAS given to each deploy Job (a Terraform duration). */
  readonly deploySasValidity: string;
}

export class JobDeployment extends Construct {
  /** Artifact storage account and container. */
  public readonly artifacts: ArtifactStorage;
  /** The in-cluster deployer (Secrets, ConfigMaps, the deploy Job, its CronJobs). */
  public readonly deployer: KubernetesDeployer;

  constructor(scope: Construct, id: string, props: JobDeploymentProps) {
    super(scope, id);
    const { env, manifest, tags } = props;
    const bdc = env.bdc;
    const accountName = artifactAccountName(env);
    this.artifacts = new ArtifactStorage(this, "artifacts", {
      accountName,
      resourceGroupName: props.resourceGroupName,
      location: env.location,
      tags,
      network: bdc.artifactStorage,
    });
    const endpoint = bdc.artifactStorage.privateEndpoint;
    if (endpoint !== undefined) {
      new ServicePrivateEndpoint(this, "artifacts-private-endpoint", {
        name: `pe-${accountName}-blob`,
        resourceGroupName: props.resourceGroupName,
        location: env.location,
        subnetId: endpoint.subnetId,
        resourceId: this.artifacts.account.id,
        subresource: "blob",
        privateDnsZoneIds: endpoint.privateDnsZoneIds,
        tags,
      });
    }
    const stored = this.artifacts.addArtifact("artifact", {
      name: manifest.name,
      hash: manifest.hash,
      files: manifest.files.map((f) => ({ path: f.path, source: pathForTerraform(this, builtPathOf(props.artifactFiles, f.path)) })),
    });

    const plan = deployPlanConfig(env, manifest, stored.baseUrl, {
      bootstrap: props.eventhubs.kafkaBootstrap,
      inputTopic: props.eventhubs.input.hubName,
      outputTopic: props.eventhubs.output.hubName,
    });
    this.deployer = new KubernetesDeployer(this, "deployer", {
      namespace: bdc.namespace,
      // Environments may share a BDC (and its namespace): their objects must not collide.
      baseName: `sensor-aggregation-${env.name}`,
      image: bdc.deployerImage,
      bundle: props.deployerBundle,
      plan,
      artifactHash: manifest.hash,
      secrets: {
        gatewayUsername: props.gateway.username,
        gatewayPassword: props.gateway.password,
        // Hub-scoped rules: the job listens on its input hub and sends on its output hub, one connection string each.
        eventhubsJobConnectionString: props.eventhubs.input.grantListen(JOB_PRINCIPAL),
        eventhubsJobSendConnectionString: props.eventhubs.output.grantSend(JOB_PRINCIPAL),
        ...(bdc.notifyWebhook
          ? {
              notifyWebhookUrl: new TerraformVariable(TerraformStack.of(this), "alert_webhook_url", {
                type: "string",
                sensitive: true,
                nullable: false,
                description: "Incoming webhook (Teams, Slack) the deployer notifies. Set TF_VAR_alert_webhook_url (the eventhubs stack's alerts use it too).",
              }).stringValue,
            }
          : {}),
        artifactSasToken: this.artifacts.readOnlySas("deploy-read-sas", { validFor: props.deploySasValidity }),
      },
      gatewayCaBundle: bdc.gatewayCaBundlePath !== undefined ? Fn.file(pathForTerraform(this, resolve(bdc.gatewayCaBundlePath))) : undefined,
      egress: { ...bdc.deployerEgress, gatewayPort: Number(new URL(bdc.gatewayUrl).port || 443) },
      ensureSchedule: bdc.ensureSchedule,
      maintenanceSchedule: bdc.maintenance.schedule === "off" ? undefined : bdc.maintenance.schedule,
      maintenanceDeadlineSeconds: maintainJobDeadlineSeconds(plan),
      teardownOnDestroy: bdc.teardownOnDestroy ? { kubeconfigPath: bdc.kubeconfigPath, kubeContext: bdc.kubeContext } : undefined,
      deployDeadlineSeconds: deployJobDeadlineSeconds(plan),
      // The Job downloads the blobs: it must not start before Terraform has uploaded them.
      dependsOn: stored.blobs,
    });
  }
}

/** `<prefix><env>` trimmed so that with `art<suffix>` it fits Azure's 24-character limit. */
export function artifactAccountName(env: EnvironmentConfig): string {
  const tail = `art${env.uniqueSuffix}`;
  return `${env.namePrefix}${env.name}`.slice(0, 24 - tail.length) + tail;
}

/**
 * A local file's path relative to the stack's synthesized directory, where Terraform runs: the synthesized
 * JSON then names no machine-specific absolute path and still works when the checkout (with cdktf.out/ and
 * dist/) moves, e.g. between pipeline jobs.
 */
function pathForTerraform(scope: Construct, absolutePath: string): string {
  const app = App.of(scope);
  const workingDirectory = resolve(app.outdir, app.manifest.forStack(TerraformStack.of(scope)).workingDirectory);
  return relative(workingDirectory, absolutePath);
}

function builtPathOf(files: readonly ArtifactFile[], path: string): string {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`artifact file "${path}" is in the manifest but not among the artifact's files`);
  return file.builtPath;
}
