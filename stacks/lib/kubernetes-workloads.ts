/**
 * The Kubernetes resources of the stacks whose generated classes are large (kubernetes_job_v1,
 * kubernetes_cron_job_v1, kubernetes_deployment_v1, kubernetes_network_policy_v1), typed by the provider
 * package's own config interfaces and synthesized by SchemaTypedResource.
 */
import type { CronJobV1Config } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import type { DeploymentV1Config } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import type { JobV1Config } from "@cdktf/provider-kubernetes/lib/job-v1";
import type { NetworkPolicyV1Config } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { schemaTyped, type ProviderSchema } from "./schema-typed-resource";

export const KUBERNETES_SCHEMA: ProviderSchema = {
  generator: { providerName: "kubernetes", providerVersion: "2.38.0", providerVersionConstraint: "~> 2.0" },
  mapAttributes: new Set(["labels", "annotations", "matchLabels", "limits", "requests", "nodeSelector"]),
};

/** kubernetes_job_v1, configured as `JobV1` of @cdktf/provider-kubernetes is. */
export class KubernetesJob extends schemaTyped<JobV1Config>("kubernetes_job_v1", KUBERNETES_SCHEMA) {}

/** kubernetes_cron_job_v1, configured as `CronJobV1` is. */
export class KubernetesCronJob extends schemaTyped<CronJobV1Config>("kubernetes_cron_job_v1", KUBERNETES_SCHEMA) {}

/** kubernetes_deployment_v1, configured as `DeploymentV1` is. */
export class KubernetesDeployment extends schemaTyped<DeploymentV1Config>("kubernetes_deployment_v1", KUBERNETES_SCHEMA) {}

/** kubernetes_network_policy_v1, configured as `NetworkPolicyV1` is. */
export class KubernetesNetworkPolicy extends schemaTyped<NetworkPolicyV1Config>("kubernetes_network_policy_v1", KUBERNETES_SCHEMA) {}
