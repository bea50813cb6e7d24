/**
 * The Kubernetes workload resources the stacks use (kubernetes_job_v1, kubernetes_cron_job_v1,
 * kubernetes_deployment_v1), typed by the provider package's own config interfaces but synthesized here.
 *
 * Why not the generated classes: each loads about 5 MB of JavaScript (its nested pod-spec structs and their
 * inline source maps), 15 MB for the three, which was most of the app's synth time and memory
 * (`npm run bench:synth`). Their config interfaces are imported as types only, so they cost nothing at run
 * time, and the generated classes' sole work at synth, renaming keys to the schema's snake_case, is done
 * by `terraformAttributes`. kubernetes-workloads.spec.ts synthesizes the stacks' real workloads with the
 * generated classes too and requires the same JSON. Built on cdktf's public TerraformResource API only.
 */
import { TerraformResource, type TerraformMetaArguments } from "cdktf";
import type { Construct } from "constructs";
import type { CronJobV1Config } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import type { DeploymentV1Config } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import type { JobV1Config } from "@cdktf/provider-kubernetes/lib/job-v1";

const GENERATOR = { providerName: "kubernetes", providerVersion: "2.38.0", providerVersionConstraint: "~> 2.0" };

/** Map-typed attributes: their keys are data (label names, resource names) and keep their spelling. */
const MAP_ATTRIBUTES: ReadonlySet<string> = new Set(["labels", "annotations", "matchLabels", "limits", "requests", "nodeSelector"]);

const snakeCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A config's attributes and blocks with the schema's names: camelCase keys in snake_case, map keys unchanged. */
export function terraformAttributes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(terraformAttributes);
  // Only plain objects are blocks; tokens and resources are left for cdktf to resolve.
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner === undefined) continue;
    out[snakeCase(key)] = MAP_ATTRIBUTES.has(key) ? inner : terraformAttributes(inner);
  }
  return out;
}

const META_ARGUMENTS = ["connection", "count", "dependsOn", "forEach", "lifecycle", "provider", "provisioners"] as const;

abstract class SchemaTypedResource<Config extends TerraformMetaArguments> extends TerraformResource {
  /** The config as given, meta-arguments excluded (what the generated class would take). */
  public readonly attributes: Omit<Config, keyof TerraformMetaArguments>;

  protected constructor(scope: Construct, id: string, terraformResourceType: string, config: Config) {
    const meta: Record<string, unknown> = {};
    const attributes: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) ((META_ARGUMENTS as readonly string[]).includes(key) ? meta : attributes)[key] = value;
    super(scope, id, { terraformResourceType, terraformGeneratorMetadata: GENERATOR, ...(meta as TerraformMetaArguments) });
    this.attributes = attributes as Omit<Config, keyof TerraformMetaArguments>;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return terraformAttributes(this.attributes) as Record<string, unknown>;
  }

  /** HCL output would need each attribute's schema type, which only the generated classes carry. */
  protected override synthesizeHclAttributes(): Record<string, unknown> {
    throw new Error(`${this.node.path}: ${this.terraformResourceType} synthesizes to JSON only (hclOutput is not supported)`);
  }
}

/** kubernetes_job_v1, configured as `JobV1` of @cdktf/provider-kubernetes is. */
export class KubernetesJob extends SchemaTypedResource<JobV1Config> {
  public static readonly tfResourceType = "kubernetes_job_v1";
  public constructor(scope: Construct, id: string, config: JobV1Config) {
    super(scope, id, KubernetesJob.tfResourceType, config);
  }
}

/** kubernetes_cron_job_v1, configured as `CronJobV1` is. */
export class KubernetesCronJob extends SchemaTypedResource<CronJobV1Config> {
  public static readonly tfResourceType = "kubernetes_cron_job_v1";
  public constructor(scope: Construct, id: string, config: CronJobV1Config) {
    super(scope, id, KubernetesCronJob.tfResourceType, config);
  }
}

/** kubernetes_deployment_v1, configured as `DeploymentV1` is. */
export class KubernetesDeployment extends SchemaTypedResource<DeploymentV1Config> {
  public static readonly tfResourceType = "kubernetes_deployment_v1";
  public constructor(scope: Construct, id: string, config: DeploymentV1Config) {
    super(scope, id, KubernetesDeployment.tfResourceType, config);
  }
}
