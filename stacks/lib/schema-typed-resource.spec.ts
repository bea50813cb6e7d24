import { TerraformOutput, TerraformResource, TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";
import { Eventhub } from "@cdktf/provider-azurerm/lib/eventhub";
import { EventhubAuthorizationRule } from "@cdktf/provider-azurerm/lib/eventhub-authorization-rule";
import { EventhubNamespace } from "@cdktf/provider-azurerm/lib/eventhub-namespace";
import { MonitorActionGroup } from "@cdktf/provider-azurerm/lib/monitor-action-group";
import { MonitorMetricAlert } from "@cdktf/provider-azurerm/lib/monitor-metric-alert";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageBlob } from "@cdktf/provider-azurerm/lib/storage-blob";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { loadEnvironments } from "../../config";
import { addEnvironmentStacks } from "../environment-stacks";
import { remoteStateVariables } from "../../test/stacks/remote-state";
import {
  AZURERM_SCHEMA,
  AzureEventhub,
  AzureEventhubAuthorizationRule,
  AzureEventhubNamespace,
  AzureMonitorActionGroup,
  AzureMonitorMetricAlert,
  AzureStorageAccount,
  AzureStorageBlob,
} from "./azurerm-resources";
import { KUBERNETES_SCHEMA, KubernetesCronJob, KubernetesDeployment, KubernetesJob, KubernetesNetworkPolicy } from "./kubernetes-workloads";
import { SchemaTypedResource, terraformAttributes } from "./schema-typed-resource";

const META = ["depends_on", "lifecycle", "provisioner", "//"];

function withoutMeta(resource: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(resource).filter(([key]) => !META.includes(key)));
}

type GeneratedClass = new (scope: Construct, id: string, config: never) => TerraformResource;

/** Each of our classes beside the generated class it stands in for. */
const GENERATED = new Map<Function, GeneratedClass>([
  [KubernetesJob, JobV1],
  [KubernetesCronJob, CronJobV1],
  [KubernetesDeployment, DeploymentV1],
  [KubernetesNetworkPolicy, NetworkPolicyV1],
  [AzureStorageAccount, StorageAccount],
  [AzureMonitorActionGroup, MonitorActionGroup],
  [AzureStorageBlob, StorageBlob],
  [AzureMonitorMetricAlert, MonitorMetricAlert],
  [AzureEventhubNamespace, EventhubNamespace],
  [AzureEventhub, Eventhub],
  [AzureEventhubAuthorizationRule, EventhubAuthorizationRule],
]);

/** Every schema-typed resource of every environment's stacks, each beside a twin built by the generated class from the same config. */
function resourcesWithTwins(): { label: string; type: string; ours: unknown; generated: unknown; generator: unknown; generatedGenerator: unknown }[] {
  const app = Testing.app();
  for (const env of loadEnvironments(undefined, { variables: remoteStateVariables() })) addEnvironmentStacks(app, env);
  const resources = app.node.findAll().filter((c): c is SchemaTypedResource<object> => c instanceof SchemaTypedResource);
  const pairs = resources.map((resource) => {
    const stack = TerraformStack.of(resource);
    const Generated = GENERATED.get(resource.constructor);
    if (Generated === undefined) throw new Error(`${resource.constructor.name} has no generated twin in this spec`);
    const twin = new Generated(stack, `${resource.node.path.replace(/\//g, "-")}-generated`, resource.attributes as never);
    return { resource, stack, twin };
  });
  const synthesized = new Map<TerraformStack, Record<string, Record<string, Record<string, unknown>>>>();
  return pairs.map(({ resource, stack, twin }) => {
    if (!synthesized.has(stack)) synthesized.set(stack, JSON.parse(Testing.synth(stack)).resource);
    const byType = synthesized.get(stack)![resource.terraformResourceType]!;
    return {
      label: resource.node.path,
      type: resource.terraformResourceType,
      ours: withoutMeta(byType[resource.friendlyUniqueId]!),
      generated: withoutMeta(byType[twin.friendlyUniqueId]!),
      generator: resource.terraformGeneratorMetadata,
      generatedGenerator: twin.terraformGeneratorMetadata,
    };
  });
}

describe("schema-typed resources", () => {
  const pairs = resourcesWithTwins();

  test("the stacks have each of them in every environment", () => {
    const types = new Set(pairs.map((p) => p.type));
    expect(types).toEqual(
      new Set(["kubernetes_job_v1", "kubernetes_cron_job_v1", "kubernetes_deployment_v1", "kubernetes_network_policy_v1", "azurerm_storage_account", "azurerm_monitor_action_group", "azurerm_storage_blob", "azurerm_monitor_metric_alert", "azurerm_eventhub_namespace", "azurerm_eventhub", "azurerm_eventhub_authorization_rule"]),
    );
  });

  test.each(pairs.map((p) => [p.label, p] as const))("%s synthesizes as the generated class does", (_, pair) => {
    expect(pair.ours).toEqual(pair.generated);
    expect(pair.generator).toEqual(pair.generatedGenerator);
  });

  test("renames block keys to snake_case, keeps map keys and leaves tokens and arrays' order alone", () => {
    expect(terraformAttributes({ metadata: { generateName: "a", labels: { "app.kubernetes.io/name": "x", camelKey: "y" } }, spec: { backoffLimit: 1, container: [{ imagePullPolicy: "Never" }, { name: "b" }] } }, KUBERNETES_SCHEMA.mapAttributes)).toEqual({
      metadata: { generate_name: "a", labels: { "app.kubernetes.io/name": "x", camelKey: "y" } },
      spec: { backoff_limit: 1, container: [{ image_pull_policy: "Never" }, { name: "b" }] },
    });
    expect(terraformAttributes({ accountTier: "Standard", tags: { costCenter: "x" } }, AZURERM_SCHEMA.mapAttributes)).toEqual({ account_tier: "Standard", tags: { costCenter: "x" } });
  });

  test("the attributes the stacks read are references to the resource's own", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const account = new AzureStorageAccount(stack, "a", { name: "n", resourceGroupName: "rg", location: "l", accountTier: "Standard", accountReplicationType: "LRS" });
    const group = new AzureMonitorActionGroup(stack, "g", { name: "n", resourceGroupName: "rg", shortName: "s" });
    const generatedAccount = new StorageAccount(stack, "b", { name: "n", resourceGroupName: "rg", location: "l", accountTier: "Standard", accountReplicationType: "LRS" });
    new TerraformOutput(stack, "ours", { value: { id: account.id, name: account.name, blob: account.primaryBlobEndpoint, connection: account.primaryConnectionString, group: group.id } });
    new TerraformOutput(stack, "generated", { value: { id: generatedAccount.id, name: generatedAccount.name, blob: generatedAccount.primaryBlobEndpoint, connection: generatedAccount.primaryConnectionString } });
    const output = (JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: Record<string, string> }> }).output;
    expect(output.ours!.value).toEqual({
      id: "${azurerm_storage_account.a.id}",
      name: "${azurerm_storage_account.a.name}",
      blob: "${azurerm_storage_account.a.primary_blob_endpoint}",
      connection: "${azurerm_storage_account.a.primary_connection_string}",
      group: "${azurerm_monitor_action_group.g.id}",
    });
    const { group: _, ...accountRefs } = output.ours!.value;
    expect(Object.fromEntries(Object.entries(output.generated!.value).map(([k, ref]) => [k, ref.replace(".b.", ".a.")]))).toEqual(accountRefs);
  });
});
