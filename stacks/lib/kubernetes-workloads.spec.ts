import { TerraformResource, TerraformStack, Testing } from "cdktf";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { loadEnvironments } from "../../config";
import { addEnvironmentStacks } from "../environment-stacks";
import { KubernetesCronJob, KubernetesDeployment, KubernetesJob, terraformAttributes } from "./kubernetes-workloads";

type Workload = KubernetesJob | KubernetesCronJob | KubernetesDeployment;
const META = ["depends_on", "lifecycle", "provisioner", "//"];

function withoutMeta(resource: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(resource).filter(([key]) => !META.includes(key)));
}

/** Every workload of every environment's stacks, each beside a twin built by the generated class from the same config. */
function workloadsWithTwins(): { label: string; type: string; ours: unknown; generated: unknown }[] {
  const app = Testing.app();
  for (const env of loadEnvironments()) addEnvironmentStacks(app, env);
  const workloads = app.node.findAll().filter((c): c is Workload => c instanceof KubernetesJob || c instanceof KubernetesCronJob || c instanceof KubernetesDeployment);
  const pairs = workloads.map((workload) => {
    const stack = TerraformStack.of(workload);
    const twinId = `${workload.node.path.replace(/\//g, "-")}-generated`;
    let twin: TerraformResource;
    if (workload instanceof KubernetesJob) twin = new JobV1(stack, twinId, workload.attributes);
    else if (workload instanceof KubernetesCronJob) twin = new CronJobV1(stack, twinId, workload.attributes);
    else twin = new DeploymentV1(stack, twinId, workload.attributes);
    return { workload, stack, twin };
  });
  const synthesized = new Map<TerraformStack, Record<string, Record<string, Record<string, unknown>>>>();
  return pairs.map(({ workload, stack, twin }) => {
    if (!synthesized.has(stack)) synthesized.set(stack, JSON.parse(Testing.synth(stack)).resource);
    const byType = synthesized.get(stack)![workload.terraformResourceType]!;
    return { label: workload.node.path, type: workload.terraformResourceType, ours: withoutMeta(byType[workload.friendlyUniqueId]!), generated: withoutMeta(byType[twin.friendlyUniqueId]!) };
  });
}

describe("Kubernetes workloads", () => {
  const pairs = workloadsWithTwins();

  test("the stacks have a deploy Job, CronJobs and the simulator Deployment in every environment", () => {
    const types = new Set(pairs.map((p) => p.type));
    expect(types).toEqual(new Set(["kubernetes_job_v1", "kubernetes_cron_job_v1", "kubernetes_deployment_v1"]));
  });

  test.each(pairs.map((p) => [p.label, p] as const))("%s synthesizes as the generated class does", (_, pair) => {
    expect(pair.ours).toEqual(pair.generated);
  });

  test("renames block keys to snake_case, keeps map keys and leaves tokens and arrays' order alone", () => {
    expect(terraformAttributes({ metadata: { generateName: "a", labels: { "app.kubernetes.io/name": "x", camelKey: "y" } }, spec: { backoffLimit: 1, container: [{ imagePullPolicy: "Never" }, { name: "b" }] } })).toEqual({
      metadata: { generate_name: "a", labels: { "app.kubernetes.io/name": "x", camelKey: "y" } },
      spec: { backoff_limit: 1, container: [{ image_pull_policy: "Never" }, { name: "b" }] },
    });
  });
});
