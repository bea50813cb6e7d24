/**
 * The Kubernetes resources of the stacks whose generated classes are large (kubernetes_job_v1,
 * kubernetes_cron_job_v1, kubernetes_deployment_v1, kubernetes_network_policy_v1), typed by the provider
 * package's own config interfaces and synthesized by SchemaTypedResource.
 */
import type { Construct } from "constructs";
import type { CronJobV1Config } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import type { DeploymentV1Config } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import type { JobV1Config } from "@cdktf/provider-kubernetes/lib/job-v1";
import type { NetworkPolicyV1Config } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { SchemaTypedResource, type ProviderSchema } from "./schema-typed-resource";

export const KUBERNETES_SCHEMA: ProviderSchema = {
  generator: { providerName: "kubernetes", providerVersion: "2.38.0", providerVersionConstraint: "~> 2.0" },
  mapAttributes: new Set(["labels", "annotations", "matchLabels", "limits", "requests", "nodeSelector"]),
};

/** kubernetes_job_v1, configured as `JobV1` of @cdktf/provider-kubernetes is. */
export class KubernetesJob extends SchemaTypedResource<JobV1Config> {
  public static readonly tfResourceType = "kubernetes_job_v1";
  public constructor(scope: Construct, id: string, config: JobV1Config) {
    super(scope, id, KubernetesJob.tfResourceType, KUBERNETES_SCHEMA, config);
  }
}

/** kubernetes_cron_job_v1, configured as `CronJobV1` is. */
export class KubernetesCronJob extends SchemaTypedResource<CronJobV1Config> {
  public static readonly tfResourceType = "kubernetes_cron_job_v1";
  public constructor(scope: Construct, id: string, config: CronJobV1Config) {
    super(scope, id, KubernetesCronJob.tfResourceType, KUBERNETES_SCHEMA, config);
  }
}

/** kubernetes_deployment_v1, configured as `DeploymentV1` is. */
export class KubernetesDeployment extends SchemaTypedResource<DeploymentV1Config> {
  public static readonly tfResourceType = "kubernetes_deployment_v1";
  public constructor(scope: Construct, id: string, config: DeploymentV1Config) {
    super(scope, id, KubernetesDeployment.tfResourceType, KUBERNETES_SCHEMA, config);
  }
}

/** kubernetes_network_policy_v1, configured as `NetworkPolicyV1` is. */
export class KubernetesNetworkPolicy extends SchemaTypedResource<NetworkPolicyV1Config> {
  public static readonly tfResourceType = "kubernetes_network_policy_v1";
  public constructor(scope: Construct, id: string, config: NetworkPolicyV1Config) {
    super(scope, id, KubernetesNetworkPolicy.tfResourceType, KUBERNETES_SCHEMA, config);
  }
}
