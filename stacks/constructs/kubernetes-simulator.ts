// Runs the sensor simulator in the cluster as a Deployment: its bundled code in a ConfigMap, its
// send-only Event Hubs connection string in its own Secret (it never sees the deployer's credentials).
import { Construct } from "constructs";
import { Token } from "cdktf";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { KubernetesDeployment } from "../lib/kubernetes-workloads";
import { nodePodSpec, type NodeContainerResources } from "./kubernetes-node-pod";
import { requireConfigMapSize, type ScriptBundle } from "../../src/build/script-bundle";
import { scriptFileValue } from "../lib/script-asset";

/** Where the simulator's code is mounted in its container. */
export const SIMULATOR_SCRIPT_PATH = "/simulator/simulator.js";

export interface KubernetesSimulatorProps {
  /** Namespace to run in. */
  readonly namespace: string;
  /** Prefix of every object's name. @default "sensor-simulator" */
  readonly name?: string;
  /** Image with Node 20 or later. */
  readonly image: string;
  /** Pull secrets for a private registry. @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** The bundled simulator CLI. */
  readonly bundle: ScriptBundle;
  /** Arguments after the script (topic, rate, ...); no secret. */
  readonly args: readonly string[];
  /** Send-only Event Hubs connection string, as a Terraform token (literals are refused). */
  readonly connectionString: string;
  /** Environment variable through which the simulator reads the connection string. @default "EVENTHUBS_CONNECTION_STRING" */
  readonly connectionStringEnv?: string;
  /** Number of simulator pods. @default 1 */
  readonly replicas?: number;
  /** CPU and memory of the container. @default see NodeContainerResources */
  readonly resources?: NodeContainerResources;
}

export class KubernetesSimulator extends Construct {
  /** Secret with the send-only connection string. */
  public readonly secret: SecretV1;
  /** ConfigMap with simulator.js. */
  public readonly configMap: ConfigMapV1;
  /** The Deployment. */
  public readonly deployment: KubernetesDeployment;

  constructor(scope: Construct, id: string, props: KubernetesSimulatorProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.connectionString)) {
      throw new Error("simulator connectionString: a literal string — allowed: a Terraform variable or reference");
    }
    requireConfigMapSize("simulator bundle", props.bundle.code);
    const name = props.name ?? "sensor-simulator";
    const namespace = props.namespace;
    const envName = props.connectionStringEnv ?? "EVENTHUBS_CONNECTION_STRING";
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/component": "simulator", "app.kubernetes.io/managed-by": "cdktf" };

    this.secret = new SecretV1(this, "secret", {
      metadata: { name, namespace, labels },
      type: "Opaque",
      data: { [envName]: props.connectionString },
    });
    this.configMap = new ConfigMapV1(this, "code", {
      metadata: { name, namespace, labels },
      data: { "simulator.js": scriptFileValue(this, "simulator-script", props.bundle, "simulator.js") },
    });
    this.deployment = new KubernetesDeployment(this, "deployment", {
      metadata: { name, namespace, labels },
      spec: {
        replicas: String(props.replicas ?? 1),
        selector: { matchLabels: labels },
        template: {
          // A new bundle rolls the pods; the ConfigMap is mounted by subPath and would not refresh by itself.
          metadata: { labels, annotations: { "sensors.bdc/code-sha256": props.bundle.sha256 } },
          spec: nodePodSpec({
            name: "simulator",
            image: props.image,
            command: ["node", SIMULATOR_SCRIPT_PATH, ...props.args],
            configMapName: this.configMap.metadata.name,
            files: [{ key: "simulator.js", mountPath: SIMULATOR_SCRIPT_PATH }],
            secretEnv: [{ name: envName, secretName: this.secret.metadata.name, key: envName }],
            restartPolicy: "Always",
            imagePullSecrets: props.imagePullSecrets,
            resources: props.resources,
          }),
        },
      },
      waitForRollout: true,
    });
  }
}
