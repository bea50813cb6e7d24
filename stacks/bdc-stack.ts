// `sensors-<env>-bdc`: the wiring of the job's deployment (artifact storage and the in-cluster deployer that
// keeps the streaming job running through Livy) and, optionally, the sensor simulator, with their providers
// and gateway credentials. Deployed after `sensors-<env>-eventhubs`, whose values arrive as cross-stack
// references (remote-state lookups).
import type { Construct, Node } from "constructs";
import { TerraformElement, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { azurermProvider } from "./lib/azurerm-provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { environmentTags, resourceGroupNames, SIMULATOR_PRINCIPAL, type EnvironmentConfig } from "../config";
import type { EventHubsStack } from "./eventhubs-stack";
import { artifactFiles, computeManifest, type ArtifactFile, type ArtifactManifest } from "../jobs/sensor_aggregation/build/manifest";
import { bundleDeployerSync, type DeployerBundle } from "../src/deployer/cli/bundle";
import type { ArtifactStorage } from "./constructs/artifact-storage";
import { JobDeployment } from "./constructs/job-deployment";
import type { KubernetesDeployer } from "./constructs/kubernetes-deployer";
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

/** Construct id of the job's deployment; transparent in Terraform addresses (allocateLogicalId). */
const JOB_DEPLOYMENT_ID = "job";

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
    const deployment = new JobDeployment(this, JOB_DEPLOYMENT_ID, {
      env,
      resourceGroupName: resourceGroup.name,
      tags,
      manifest: this.manifest,
      artifactFiles: files,
      eventhubs: { kafkaBootstrap: props.eventhubs.kafkaBootstrap, input: props.eventhubs.readings, output: props.eventhubs.stats },
      gateway: { username: gatewayUsername.stringValue, password: gatewayPassword.stringValue },
      deployerBundle: props.deployerBundle ?? defaultDeployerBundle(),
      deploySasValidity: props.deploySasValidity ?? "6h",
    });
    this.artifacts = deployment.artifacts;
    this.deployer = deployment.deployer;

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
   * Logical ids as if the job deployment's resources were the stack's own: grouping them in one construct
   * must not change a Terraform address (a new address destroys and re-creates the resource, the artifact
   * storage account included). cdktf documents this method as the place to customize the naming scheme.
   */
  public override allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    if (!node.scopes.some((scope) => scope instanceof JobDeployment)) return super.allocateLogicalId(element);
    const scopes = node.scopes.filter((scope) => !(scope instanceof JobDeployment));
    return super.allocateLogicalId({ scopes } as unknown as Node);
  }
}

let deployerBundle: DeployerBundle | undefined;
/** The deployer bundle, built once per process: every environment's stack ships the same code. */
function defaultDeployerBundle(): DeployerBundle {
  deployerBundle ??= bundleDeployerSync();
  return deployerBundle;
}

/** The manifest must be built for the Spark line of the configured BDC release. */
function requireMatchingLine(manifest: ArtifactManifest, line: string, envName: string): void {
  if (!manifest.sparkVersion.startsWith(`${line}.`)) {
    throw new Error(
      `${envName}: artifact built for Spark ${manifest.sparkVersion} — allowed: Spark ${line}.x, the line of the configured BDC release`,
    );
  }
}
