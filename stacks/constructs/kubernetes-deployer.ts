// Runs the bundled BDC deployer inside the cluster: a Secret with the credentials, a ConfigMap with
// the code and plan.json, a Job named after what it deploys (so Terraform runs it exactly when that
// changes, and `wait_for_completion` fails `cdktf deploy` when the deploy fails), a CronJob that
// re-runs it in `ensure` mode to restart the streaming job if it died, and one in `maintain` mode
// that compacts and expires the job's tables.
import { createHash } from "node:crypto";
import { Construct } from "constructs";
import { Token, type ITerraformDependable, type LocalExecProvisioner } from "cdktf";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { KubernetesCronJob, KubernetesJob, KubernetesNetworkPolicy } from "../lib/kubernetes-workloads";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { nodePodSpec, type NodeContainerResources, type SecretEnv } from "./kubernetes-node-pod";
import { fingerprint } from "../lib/kubernetes-fingerprint";
import type { DeployerBundle } from "../../src/deployer/cli/bundle";
import { DEPLOYER_CA_FILE, DEPLOYER_CA_PATH, DEPLOYER_DIR, DEPLOYER_PLAN_FILE, DEPLOYER_SCRIPT, DEPLOYER_SECRET_ENV, TOPIC_OFFSETS_SCRIPT } from "../../contracts/deployer-container";
import { requireConfigMapSize } from "../../src/build/script-bundle";
import { scriptFileValue } from "../lib/script-asset";
import { EVENTHUBS_KAFKA_PORT } from "../../contracts/eventhubs-connection-string";
import { terraformLiteral } from "../lib/terraform-literal";

/** Where the contract (src/deployer) expects its files inside the container. */
export const DEPLOYER_SCRIPT_PATH = `${DEPLOYER_DIR}/${DEPLOYER_SCRIPT}`;
export const TOPIC_OFFSETS_SCRIPT_PATH = `${DEPLOYER_DIR}/${TOPIC_OFFSETS_SCRIPT}`;
export const DEPLOYER_PLAN_PATH = `${DEPLOYER_DIR}/${DEPLOYER_PLAN_FILE}`;
export { DEPLOYER_CA_PATH };

/** Secret values, as Terraform tokens (variables, cross-stack references, data sources); literals are refused. */
export interface DeployerSecrets {
  /** BDC gateway (Knox) user. */
  readonly gatewayUsername: string;
  /** BDC gateway (Knox) password. */
  readonly gatewayPassword: string;
  /** Event Hubs connection string the Spark job reads its input with (EVENTHUBS_JOB_CONNECTION_STRING). */
  readonly eventhubsJobConnectionString: string;
  /** The job's connection string for its output topic, when that is a separate hub-scoped rule. @default none */
  readonly eventhubsJobSendConnectionString?: string;
  /** Webhook URL for the deployer's notifications (NOTIFY_WEBHOOK_URL), a token: it holds one. @default none */
  readonly notifyWebhookUrl?: string;
  /** Read-only SAS for the artifact container (no leading "?"), for the deploy Job only: short-lived. `ensure` needs none. */
  readonly artifactSasToken: string;
}

export interface KubernetesDeployerProps {
  /** Namespace of the BDC in its Kubernetes cluster. */
  readonly namespace: string;
  /** Prefix of every object's name (include the environment when several share a namespace); at most 30 characters. @default "sensor-aggregation" */
  readonly baseName?: string;
  /** Image with Node 20 or later; point it at a mirror for private registries. */
  readonly image: string;
  /** Pull secrets for a private registry. @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** The bundled deployer (src/deployer/cli/bundle.ts): its two files and the sha256 over both. */
  readonly bundle: DeployerBundle;
  /** The deploy plan (plan.json); plain JSON with no secret; Terraform tokens are allowed in strings. */
  readonly plan: object;
  /** Content hash of the job artifact that the plan deploys. */
  readonly artifactHash: string;
  /** Credentials, from Terraform variables and references only. */
  readonly secrets: DeployerSecrets;
  /** PEM of the CA that signed the gateway's certificate, mounted at DEPLOYER_CA_PATH. @default none */
  readonly gatewayCaBundle?: string;
  /** Cron schedule of the `ensure` runs. */
  readonly ensureSchedule: string;
  /** Cron schedule of the `maintain` runs; undefined ships no maintenance CronJob. @default undefined */
  readonly maintenanceSchedule?: string;
  /**
   * Run `teardown` when Terraform destroys the deployer (`cdktf destroy`): a suspended CronJob whose
   * destroy-time provisioner starts it with kubectl (on the machine running Terraform, with this
   * kubeconfig and context) and waits for it, before the Secret and ConfigMap it needs are removed.
   * @default undefined (no teardown on destroy)
   */
  readonly teardownOnDestroy?: { readonly kubeconfigPath: string; readonly kubeContext: string; readonly timeoutSeconds?: number };
  /** Hard limit on one `maintain` run, in seconds: the maintenance batch's own limit plus the lock wait. @default 7200 */
  readonly maintenanceDeadlineSeconds?: number;
  /** Hard limit on the deploy Job's run, in seconds (Kubernetes activeDeadlineSeconds); Terraform waits a little longer. */
  readonly deployDeadlineSeconds: number;
  /** Pod retries of a failed deploy (the deployer itself retries HTTP calls). @default 1 */
  readonly backoffLimit?: number;
  /**
   * Seconds Kubernetes keeps the finished deploy Job before deleting it. Off by default: Terraform owns
   * this Job and deletes it when the next deploy creates its successor, so finished Jobs never pile up
   * and the last deploy's log stays readable; once Kubernetes deletes it, Terraform sees it missing and
   * plans to run it again (hashicorp/terraform-provider-kubernetes#2531), with an expired SAS.
   * @default undefined (no TTL)
   */
  readonly ttlSecondsAfterFinished?: number;
  /** Seconds Kubernetes keeps each finished `ensure` Job (not managed by Terraform). @default 86400 */
  readonly ensureTtlSecondsAfterFinished?: number;
  /** Hard limit on one `ensure` run, in seconds. @default 900 */
  readonly ensureDeadlineSeconds?: number;
  /** CPU and memory of the deployer container. @default see NodeContainerResources */
  readonly resources?: NodeContainerResources;
  /**
   * Where the deployer pods may connect, besides DNS in kube-system: the gateway on its port, the
   * artifact storage on 443. Everything else, and every connection to them, is refused.
   */
  readonly egress: {
    readonly gatewayCidrs: readonly string[];
    readonly gatewayPort: number;
    readonly storageCidrs: readonly string[];
    /** Event Hubs' Kafka endpoint (port 9093), for ensure's backlog rules. @default none (the backlog is not measured) */
    readonly eventHubsCidrs?: readonly string[];
  };
  /** What must exist before the deployer runs, e.g. the artifact's blobs (the plan names only their URL). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

export class KubernetesDeployer extends Construct {
  /** Secret with the gateway credentials and the job's Event Hubs connection string. */
  public readonly credentials: SecretV1;
  /** Secret with this deploy's artifact SAS tokens; renamed (so renewed) with every new Job. */
  public readonly artifactAccess: SecretV1;
  /** ConfigMap with deployer.js and plan.json. */
  public readonly configMap: ConfigMapV1;
  /** ConfigMap with topic-offsets.js, the Kafka client deployer.js loads beside itself. */
  public readonly kafkaClientMap: ConfigMapV1;
  /** The deploy Job. */
  public readonly job: KubernetesJob;
  /** The ensure CronJob. */
  public readonly cronJob: KubernetesCronJob;
  /** The pods' own ServiceAccount: no role binds it, and its token is never mounted. */
  public readonly serviceAccount: ServiceAccountV1;
  /** Egress only to DNS, the gateway and the artifact storage; no ingress. */
  public readonly networkPolicy: KubernetesNetworkPolicy;
  /** The maintain CronJob, when a schedule is given. */
  public readonly maintenanceCronJob?: KubernetesCronJob;
  /** The suspended teardown CronJob that `cdktf destroy` runs, when asked for. */
  public readonly teardownCronJob?: KubernetesCronJob;
  /** Name of the deploy Job: `<base>-<artifact hash 12>-<deploy key 8>`. */
  public readonly jobName: string;
  /** sha256 over artifact hash, deployer code and plan: changes exactly when what is deployed changes. */
  public readonly deployKey: string;

  constructor(scope: Construct, id: string, props: KubernetesDeployerProps) {
    super(scope, id);
    const base = props.baseName ?? "sensor-aggregation";
    // Job names become a label value (63 characters); CronJob names get an 11-character suffix per run.
    if (!/^[a-z0-9]([-a-z0-9]{0,28}[a-z0-9])?$/.test(base)) {
      throw new Error(`baseName "${base}" — allowed: 1–30 lower-case letters, digits or '-', starting and ending with a letter or digit`);
    }
    const namespace = props.namespace;
    requireTokens(props.secrets);
    requireConfigMapSize(`deployer bundle ${DEPLOYER_SCRIPT}`, props.bundle.main.code);
    requireConfigMapSize(`deployer bundle ${TOPIC_OFFSETS_SCRIPT}`, props.bundle.topicOffsets.code);
    const planJson = JSON.stringify(props.plan, null, 2);
    this.deployKey = createHash("sha256")
      .update(`${props.artifactHash}\n${props.bundle.sha256}\n${fingerprint(props.plan)}\n`)
      .digest("hex");
    this.jobName = `${base}-deploy-${props.artifactHash.slice(0, 12)}-${this.deployKey.slice(0, 8)}`;
    const labels = { "app.kubernetes.io/name": base, "app.kubernetes.io/component": "deployer", "app.kubernetes.io/managed-by": "cdktf" };

    const env = DEPLOYER_SECRET_ENV;
    // Each secret under the name of the variable it becomes (contracts/deployer-container.ts).
    const secretValues: Record<string, string | undefined> = {
      [env.gatewayUsername]: props.secrets.gatewayUsername,
      [env.gatewayPassword]: props.secrets.gatewayPassword,
      [env.jobListenConnectionString]: props.secrets.eventhubsJobConnectionString,
      [env.jobSendConnectionString]: props.secrets.eventhubsJobSendConnectionString,
      [env.notifyWebhookUrl]: props.secrets.notifyWebhookUrl,
    };
    const secretNames = Object.keys(secretValues).filter((name) => secretValues[name] !== undefined);
    this.credentials = new SecretV1(this, "credentials", {
      metadata: { name: `${base}-deployer`, namespace, labels },
      type: "Opaque",
      data: {
        ...Object.fromEntries(secretNames.map((name) => [name, secretValues[name]!])),
        ...(props.gatewayCaBundle !== undefined ? { [DEPLOYER_CA_FILE]: props.gatewayCaBundle } : {}),
      },
    });
    this.configMap = new ConfigMapV1(this, "code", {
      metadata: { name: `${base}-deployer`, namespace, labels },
      // The code is read from its file by Terraform; the plan's own text is escaped, its tokens stay live.
      data: { [DEPLOYER_SCRIPT]: scriptFileValue(this, "deployer-script", props.bundle.main, DEPLOYER_SCRIPT), [DEPLOYER_PLAN_FILE]: terraformLiteral(planJson) },
    });
    // The Kafka client in a ConfigMap of its own: with deployer.js it would pass the 1 MiB one ConfigMap holds.
    this.kafkaClientMap = new ConfigMapV1(this, "kafka-client", {
      metadata: { name: `${base}-deployer-kafka`, namespace, labels },
      data: { [TOPIC_OFFSETS_SCRIPT]: scriptFileValue(this, "topic-offsets-script", props.bundle.topicOffsets, TOPIC_OFFSETS_SCRIPT) },
    });
    // The SAS data sources yield new tokens on every plan. Keeping them in a Secret named after the
    // deploy key, with its data ignored after creation, leaves no perpetual diff; it is created
    // afresh whenever the Job runs again: a new key renames it, and a ConfigMap or credentials
    // change (which re-runs the Job under the same name) replaces it.
    this.artifactAccess = new SecretV1(this, "artifact-access", {
      metadata: { name: `${base}-artifact-sas-${this.deployKey.slice(0, 16)}`, namespace, labels },
      type: "Opaque",
      data: { [env.artifactSasToken]: props.secrets.artifactSasToken },
      lifecycle: { ignoreChanges: ["data"], replaceTriggeredBy: [this.configMap, this.kafkaClientMap, this.credentials] },
    });

    const credentialsName = this.credentials.metadata.name;
    const secretEnv: SecretEnv[] = secretNames.map((name) => ({ name, secretName: credentialsName, key: name }));
    this.serviceAccount = new ServiceAccountV1(this, "service-account", {
      metadata: { name: `${base}-deployer`, namespace, labels },
      automountServiceAccountToken: false,
    });
    this.networkPolicy = new KubernetesNetworkPolicy(this, "network-policy", {
      metadata: { name: `${base}-deployer`, namespace, labels },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": base, "app.kubernetes.io/component": "deployer" } },
        policyTypes: ["Ingress", "Egress"],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
            ports: [{ protocol: "UDP", port: "53" }, { protocol: "TCP", port: "53" }],
          },
          { to: props.egress.gatewayCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: String(props.egress.gatewayPort) }] },
          { to: props.egress.storageCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: "443" }] },
          ...(props.egress.eventHubsCidrs?.length
            ? [{ to: props.egress.eventHubsCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: String(EVENTHUBS_KAFKA_PORT) }] }]
            : []),
        ],
      },
    });
    const sasName = this.artifactAccess.metadata.name;
    const podFor = (mode: "deploy" | "ensure" | "maintain" | "teardown", sasEnv: SecretEnv[]) =>
      nodePodSpec({
        name: `deployer-${mode}`,
        image: props.image,
        command: ["node", DEPLOYER_SCRIPT_PATH, mode, "--plan", DEPLOYER_PLAN_PATH],
        configMapName: this.configMap.metadata.name,
        files: [
          { key: DEPLOYER_SCRIPT, mountPath: DEPLOYER_SCRIPT_PATH },
          { key: DEPLOYER_PLAN_FILE, mountPath: DEPLOYER_PLAN_PATH },
          { key: TOPIC_OFFSETS_SCRIPT, mountPath: TOPIC_OFFSETS_SCRIPT_PATH, configMapName: this.kafkaClientMap.metadata.name },
        ],
        secretEnv: [...secretEnv, ...sasEnv],
        secretFiles: props.gatewayCaBundle !== undefined ? [{ secretName: credentialsName, key: DEPLOYER_CA_FILE, mountPath: DEPLOYER_CA_PATH }] : [],
        restartPolicy: "Never",
        serviceAccountName: this.serviceAccount.metadata.name,
        imagePullSecrets: props.imagePullSecrets,
        resources: props.resources,
      });

    // Terraform waits past the Job's own deadline, so a Job that hit it is reported as failed, not timed out.
    const timeout = `${Math.ceil(props.deployDeadlineSeconds / 60) + 5}m`;
    this.job = new KubernetesJob(this, "deploy", {
      metadata: {
        name: this.jobName,
        namespace,
        labels,
        annotations: { "sensors.bdc/artifact-hash": props.artifactHash, "sensors.bdc/deploy-key": this.deployKey },
      },
      spec: {
        backoffLimit: props.backoffLimit ?? 1,
        activeDeadlineSeconds: props.deployDeadlineSeconds,
        ...(props.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: String(props.ttlSecondsAfterFinished) } : {}),
        template: {
          metadata: { labels },
          spec: podFor("deploy", [{ name: env.artifactSasToken, secretName: sasName, key: env.artifactSasToken }]),
        },
      },
      waitForCompletion: true,
      timeouts: { create: timeout, update: timeout },
      dependsOn: [...(props.dependsOn ?? [])],
      // Values resolved only at plan time (e.g. the Event Hubs bootstrap, a rotated connection
      // string) change the ConfigMap or Secret without changing the name: re-run the deploy then too.
      lifecycle: { replaceTriggeredBy: [this.configMap, this.kafkaClientMap, this.credentials] },
    });

    // Both work from what is on HDFS: they get no artifact access at all.
    const cronJob = (mode: "ensure" | "maintain" | "teardown", schedule: string, deadlineSeconds: number, extra: { suspend?: boolean; provisioners?: LocalExecProvisioner[] } = {}) =>
      new KubernetesCronJob(this, mode, {
        metadata: { name: `${base}-${mode}`, namespace, labels },
        ...(extra.provisioners ? { provisioners: extra.provisioners } : {}),
        spec: {
          schedule,
          ...(extra.suspend ? { suspend: true } : {}),
          concurrencyPolicy: "Forbid",
          startingDeadlineSeconds: 300,
          successfulJobsHistoryLimit: 1,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            metadata: { labels },
            spec: {
              backoffLimit: 0,
              activeDeadlineSeconds: deadlineSeconds,
              ttlSecondsAfterFinished: String(props.ensureTtlSecondsAfterFinished ?? 24 * 3600),
              template: { metadata: { labels }, spec: podFor(mode, []) },
            },
          },
        },
        // Let the first deploy finish before the first run.
        dependsOn: [this.job],
      });
    this.cronJob = cronJob("ensure", props.ensureSchedule, props.ensureDeadlineSeconds ?? 900);
    if (props.maintenanceSchedule !== undefined) {
      this.maintenanceCronJob = cronJob("maintain", props.maintenanceSchedule, props.maintenanceDeadlineSeconds ?? 7200);
    }
    const teardown = props.teardownOnDestroy;
    if (teardown !== undefined) {
      const timeout = teardown.timeoutSeconds ?? 1800;
      // Never scheduled (suspended): only the destroy-time provisioner starts it.
      this.teardownCronJob = cronJob("teardown", "0 0 1 1 *", timeout, {
        suspend: true,
        provisioners: [{ type: "local-exec", when: "destroy", interpreter: ["bash", "-c"], command: teardownCommand(teardown.kubeconfigPath, teardown.kubeContext, timeout) }],
      });
    }
  }
}

/**
 * The destroy-time command: start a Job from the suspended teardown CronJob, wait until it succeeds
 * or fails, print its log, remove it, and fail the destroy if the teardown failed. Terraform
 * interpolates only `self` here (all a destroy-time provisioner may reference); shell variables go
 * without braces so Terraform leaves them alone.
 */
export function teardownCommand(kubeconfigPath: string, kubeContext: string, timeoutSeconds: number): string {
  const kubectl = `kubectl --kubeconfig ${shellQuote(kubeconfigPath)} --context ${shellQuote(kubeContext)} -n "\${self.metadata[0].namespace}"`;
  return [
    "set -u",
    `job="\${self.metadata[0].name}-$(date +%s)"`,
    `${kubectl} create job "$job" --from="cronjob/\${self.metadata[0].name}" || exit 1`,
    `end=$(( $(date +%s) + ${timeoutSeconds} )); result=""`,
    `while [ -z "$result" ] && [ "$(date +%s)" -lt "$end" ]; do`,
    `  state=$(${kubectl} get job "$job" -o jsonpath='{.status.succeeded}/{.status.failed}')`,
    `  case "$state" in 1/*) result=succeeded ;; */[1-9]*) result=failed ;; *) sleep 5 ;; esac`,
    "done",
    `${kubectl} logs "job/$job" || true`,
    `${kubectl} delete job "$job" --wait=false || true`,
    `[ -n "$result" ] || result="timed out"`,
    `echo "teardown: $job $result"`,
    `[ "$result" = succeeded ]`,
  ].join("\n");
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Refuses literal secrets: every value must come from Terraform (variable, reference, data source). */
function requireTokens(secrets: DeployerSecrets): void {
  for (const [field, value] of Object.entries(secrets)) {
    if (value !== undefined && !Token.isUnresolved(value)) {
      throw new Error(`secrets.${field}: a literal string — allowed: a Terraform variable or reference (secrets never appear in code)`);
    }
  }
}
