import { resolve } from "node:path";
import { App, DataTerraformRemoteStateLocal, Testing, TerraformOutput, TerraformStack } from "cdktf";
// Brings the typings of cdktf's jest matchers (registered in test/setup-cdktf-matchers.ts) into scope.
import type {} from "cdktf/lib/testing/adapters/jest";
import { EVENTHUBS_METRIC_NAMESPACE, EVENTHUBS_NAMESPACE_METRICS, ingressLimits, loadEnvironment, loadEnvironments, validateEnvironment, type EnvironmentConfig } from "../../config";
import { checkCriterion } from "../../stacks/constructs/eventhubs-monitoring";
import { messagesOf, variant } from "../config/helpers";
import { STATE_ACCOUNT, remoteStateVariables } from "./remote-state";
import { addEnvironmentStacks, applyStateBackend } from "../../stacks/environment-stacks";
import { EventHubsStack } from "../../stacks/eventhubs-stack";

type TfJson = {
  provider: Record<string, Array<Record<string, unknown>>>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: unknown; sensitive?: boolean }>;
  terraform: { backend: Record<string, Record<string, unknown>> };
};

const synthJson = (stack: TerraformStack): TfJson => JSON.parse(Testing.synth(stack)) as TfJson;
const resources = (json: TfJson, type: string): Array<Record<string, unknown>> => Object.values(json.resource[type] ?? {});

function stackFor(env: EnvironmentConfig): EventHubsStack {
  return addEnvironmentStacks(Testing.app(), env).eventhubs;
}

// prod as its pipeline synthesizes it (remote state); dev and staging with local state.
const environments = loadEnvironments(undefined, { variables: remoteStateVariables() });

describe.each(environments.map((env) => [env.name, env] as const))("sensors-%s-eventhubs", (name, env) => {
  const stack = stackFor(env);
  const json = synthJson(stack);

  it("configures azurerm to register no resource provider (the bootstrap does) and the subscription from config or ARM_SUBSCRIPTION_ID", () => {
    expect(json.provider.azurerm).toEqual([{ features: [{}], resource_provider_registrations: "none" }]);
  });

  it("is named sensors-<env>-eventhubs and has one resource group", () => {
    expect(stack.node.id).toBe(`sensors-${name}-eventhubs`);
    expect(resources(json, "azurerm_resource_group")).toEqual([
      expect.objectContaining({ name: `rg-sensors-${name}-${env.uniqueSuffix}`, location: env.location }),
    ]);
  });

  it("has a Kafka-capable namespace with TLS 1.2, local auth and the computed capacity", () => {
    const [namespace, ...others] = resources(json, "azurerm_eventhub_namespace");
    expect(others).toEqual([]);
    expect(namespace).toMatchObject({
      name: `sensors-${name}-${env.uniqueSuffix}`,
      sku: env.eventHubs.sku,
      capacity: env.capacity.units,
      minimum_tls_version: "1.2",
      local_authentication_enabled: true,
      auto_inflate_enabled: env.capacity.autoInflateMaximum !== undefined,
      tags: expect.objectContaining({ environment: name, project: "bdc-sensor-streaming" }),
    });
    expect(["Standard", "Premium"]).toContain(namespace?.sku);
    expect(namespace?.maximum_throughput_units).toBe(env.capacity.autoInflateMaximum);
    expect(namespace?.network_rulesets).toEqual([
      expect.objectContaining({
        default_action: env.eventHubs.network.defaultAction,
        ip_rule: env.eventHubs.network.ipRules.map((ip_mask) => ({ ip_mask, action: "Allow" })),
      }),
    ]);
  });

  it("has sensor-readings and sensor-stats with partitions and retention from config", () => {
    const hubs = resources(json, "azurerm_eventhub");
    expect(hubs.map((hub) => hub.name).sort()).toEqual(["sensor-readings", "sensor-stats"]);
    for (const hub of hubs) {
      const topic = env.eventHubs.topics[hub.name as string];
      expect(hub.partition_count).toBe(topic?.partitions);
      const retention = hub.message_retention ?? (hub.retention_description as { retention_time_in_hours: number }).retention_time_in_hours / 24;
      expect(retention).toBe(topic?.retentionDays);
    }
  });

  it("grants least privilege: hub-scoped rules, exactly the pipeline's rights, never manage, no namespace rule", () => {
    expect(resources(json, "azurerm_eventhub_namespace_authorization_rule")).toEqual([]);
    const hubIds = Object.fromEntries(Object.entries(json.resource.azurerm_eventhub ?? {}).map(([id, hub]) => [`\${azurerm_eventhub.${id}.name}`, hub.name]));
    const rules = resources(json, "azurerm_eventhub_authorization_rule").map((rule) => ({
      principal: rule.name,
      topic: hubIds[rule.eventhub_name as string],
      send: rule.send,
      listen: rule.listen,
      manage: rule.manage,
    }));
    expect(rules.sort((a, b) => `${a.principal}/${a.topic}`.localeCompare(`${b.principal}/${b.topic}`))).toEqual([
      { principal: "aggregation-job", topic: "sensor-readings", send: false, listen: true, manage: false },
      { principal: "aggregation-job", topic: "sensor-stats", send: true, listen: false, manage: false },
      { principal: "simulator", topic: "sensor-readings", send: true, listen: false, manage: false },
      { principal: "stats-consumer", topic: "sensor-stats", send: false, listen: true, manage: false },
    ]);
  });

  it("outputs FQDN, Kafka bootstrap and topics in clear, connection strings only as sensitive outputs", () => {
    const fqdn = `sensors-${name}-${env.uniqueSuffix}.servicebus.windows.net`;
    expect(json.output.namespace_fqdn?.value).toBe(fqdn);
    expect(json.output.kafka_bootstrap?.value).toBe(`${fqdn}:9093`);
    expect(json.output.topic_names?.value).toEqual(["sensor-readings", "sensor-stats"]);
    const secretOutputs = Object.entries(json.output).filter(([, output]) => JSON.stringify(output.value).includes("connection_string"));
    expect(secretOutputs.map(([id]) => id).sort()).toEqual([
      "aggregation_job_sensor_readings_connection_string",
      "aggregation_job_sensor_stats_connection_string",
      "simulator_sensor_readings_connection_string",
      "stats_consumer_sensor_stats_connection_string",
    ]);
    for (const [, output] of secretOutputs) expect(output.sensitive).toBe(true);
    // Nothing reads the namespace's root key.
    expect(JSON.stringify(json)).not.toMatch(/default_primary|RootManageSharedAccessKey/);
  });

  it(`${name === "prod" ? "has" : "has no"} prevent_destroy on the namespace and hubs`, () => {
    const protectedResources = [...resources(json, "azurerm_eventhub_namespace"), ...resources(json, "azurerm_eventhub")];
    for (const resource of protectedResources) {
      expect(resource.lifecycle).toEqual(name === "prod" ? { prevent_destroy: true } : undefined);
    }
  });

  it("exposes the values later stacks need as readonly properties", () => {
    expect(stack.namespaceName).toBe(`sensors-${name}-${env.uniqueSuffix}`);
    expect(stack.kafkaBootstrap).toBe(`sensors-${name}-${env.uniqueSuffix}.servicebus.windows.net:9093`);
    expect([stack.readings.hubName, stack.stats.hubName]).toEqual(["sensor-readings", "sensor-stats"]);
    expect(stack.topicNames).toEqual(["sensor-readings", "sensor-stats"]);
    const rule = (hub: string, principal: string) => stack.namespace.eventHub(hub).authorizationRules.get(principal)!.connectionString;
    expect(stack.readings.grantSend("simulator")).toBe(rule("sensor-readings", "simulator"));
    expect(stack.readings.grantListen("aggregation-job")).toBe(rule("sensor-readings", "aggregation-job"));
    expect(stack.stats.grantSend("aggregation-job")).toBe(rule("sensor-stats", "aggregation-job"));
    // Least privilege: a listen rule does not grant send, and no rule means no grant.
    expect(() => stack.readings.grantSend("aggregation-job")).toThrow('Event hub "sensor-readings": aggregation-job has no rule that may send (rules: ');
    expect(() => stack.stats.grantSend("simulator")).toThrow('Event hub "sensor-stats": simulator has no rule that may send');
  });
});

describe("prevent_destroy", () => {
  it("follows eventHubs.preventDestroy, not the environment's name", () => {
    // Protected, so it needs remote state too (test/stacks/protected-state.spec.ts).
    const staging = validateEnvironment("staging", variant({ eventHubs: { preventDestroy: true }, stateBackend: STATE_ACCOUNT }, "staging"));
    const json = synthJson(stackFor(staging));
    for (const resource of [...resources(json, "azurerm_eventhub_namespace"), ...resources(json, "azurerm_eventhub")]) {
      expect(resource.lifecycle).toEqual({ prevent_destroy: true });
    }
    // Rules are not protected: rotating or renaming a credential must stay possible.
    for (const rule of resources(json, "azurerm_eventhub_authorization_rule")) expect(rule.lifecycle).toBeUndefined();
  });
});

describe("state backend", () => {
  it("is local per stack by default", () => {
    const json = synthJson(stackFor(loadEnvironment("dev", { variables: {} })));
    expect(json.terraform.backend).toEqual({ local: { path: resolve(__dirname, "..", "..", "terraform.sensors-dev-eventhubs.tfstate") } });
  });

  it("is azurerm with a distinct key per stack when a pipeline sets SENSORS_STATE_* (no code edited)", () => {
    const variables = { SENSORS_STATE_STORAGE_ACCOUNT: "sensorsstate", SENSORS_STATE_RESOURCE_GROUP: "rg-tfstate", SENSORS_STATE_USE_OIDC: "true" };
    const keys = loadEnvironments(undefined, { variables }).map((env) => {
      const backend = synthJson(stackFor(env)).terraform.backend.azurerm;
      expect(backend).toMatchObject({ storage_account_name: "sensorsstate", resource_group_name: "rg-tfstate", container_name: "tfstate", use_azuread_auth: true, use_oidc: true });
      return backend?.key;
    });
    expect(keys).toEqual(["sensors/sensors-dev-eventhubs.tfstate", "sensors/sensors-staging-eventhubs.tfstate", "sensors/sensors-prod-eventhubs.tfstate"]);
  });
});

describe("cross-stack use by a later stack", () => {
  it("turns the job's connection string into a sensitive output read through remote state", () => {
    const app: App = Testing.app();
    const env = loadEnvironment("dev", { variables: {} });
    // The eventhubs stack alone (addEnvironmentStacks adds the real bdc stack, which references more values).
    const eventhubs = new EventHubsStack(app, "sensors-dev-eventhubs", { env });
    applyStateBackend(eventhubs, env);
    const consumer = new TerraformStack(app, "consumer");
    new TerraformOutput(consumer, "uses", { value: eventhubs.readings.grantListen("aggregation-job"), sensitive: true });
    app.synth();
    const producerJson = synthJson(eventhubs);
    const crossOutputs = Object.entries(producerJson.output).filter(([id]) => id.startsWith("cross-stack-output-"));
    expect(crossOutputs).toHaveLength(1);
    expect(crossOutputs[0]?.[1]).toMatchObject({
      sensitive: true,
      value: expect.stringMatching(/^\$\{azurerm_eventhub_authorization_rule\.eventhubs_hub-sensor-readings_aggregation-job_rule_[A-F0-9]+\.primary_connection_string\}$/),
    });
    // The later stack reads the same absolute state file the eventhubs stack writes.
    expect(Testing.synth(consumer)).toHaveDataSourceWithProperties(DataTerraformRemoteStateLocal, {
      backend: "local",
      config: { path: resolve(__dirname, "..", "..", "terraform.sensors-dev-eventhubs.tfstate") },
    });
  });
});

describe("the azurerm provider's subscription", () => {
  it("comes from config when azure.subscriptionId is set", () => {
    const env = validateEnvironment("dev", variant({ azure: { subscriptionId: "00000000-0000-4000-8000-000000000001", resourceProviderRegistrations: "core" } }));
    expect(synthJson(stackFor(env)).provider.azurerm).toEqual([
      { features: [{}], resource_provider_registrations: "core", subscription_id: "00000000-0000-4000-8000-000000000001" },
    ]);
  });

  it("refuses a subscription id that is not a GUID", () => {
    expect(messagesOf(variant({ azure: { subscriptionId: "my-sub" } }))).toEqual([expect.stringMatching(/azure\.subscriptionId.*a subscription id \(a GUID\)/)]);
  });
});

describe("the namespace's private endpoint", () => {
  const subnetId = "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/endpoints";
  it("exists only where config gives a subnet, on the namespace sub-resource", () => {
    for (const env of environments) expect(resources(synthJson(stackFor(env)), "azurerm_private_endpoint")).toHaveLength(env.eventHubs.network.privateEndpoint ? 1 : 0);
    const env = validateEnvironment("prod", variant({ eventHubs: { network: { privateEndpoint: { subnetId, privateDnsZoneIds: [] } } }, stateBackend: STATE_ACCOUNT }, "prod"));
    expect(resources(synthJson(stackFor(env)), "azurerm_private_endpoint")).toEqual([
      expect.objectContaining({ subnet_id: subnetId, private_service_connection: expect.objectContaining({ subresource_names: ["namespace"] }) }),
    ]);
  });
});

describe.each(environments.map((env) => [env.name, env] as const))("Azure Monitor on sensors-%s-eventhubs", (name, env) => {
  const json = synthJson(stackFor(env));
  const alerts = resources(json, "azurerm_monitor_metric_alert") as Array<{ name: string; criteria: Array<{ metric_namespace: string; metric_name: string; threshold: number; dimension?: Array<{ name: string; values: string[] }> }>; action: unknown[] }>;

  it("has one action group with the configured mail receivers (and the webhook from a sensitive variable where asked)", () => {
    const [group, ...others] = resources(json, "azurerm_monitor_action_group") as Array<{ name: string; short_name: string; email_receiver?: Array<{ email_address: string }>; webhook_receiver?: Array<{ service_uri: string }> }>;
    expect(others).toEqual([]);
    expect(group!.name).toBe(`ag-sensors-${name}`);
    expect(group!.short_name.length).toBeLessThanOrEqual(12);
    expect((group!.email_receiver ?? []).map((r) => r.email_address)).toEqual(env.eventHubs.monitoring.emails);
    expect((group!.webhook_receiver ?? []).map((r) => r.service_uri)).toEqual(env.eventHubs.monitoring.webhook ? ["${var.alert_webhook_url}"] : []);
  });

  it("alerts on throttling, server errors, quota errors, a stopped consumer and ingress near capacity, with documented metric names and dimensions", () => {
    expect(alerts.map((a) => a.name.replace(`sensors-${name}-`, "")).sort()).toEqual(
      ["consumer-stopped", "ingress-bytes-near-capacity", "ingress-events-near-capacity", "quota-exceeded", "server-errors", "throttled"].sort(),
    );
    for (const alert of alerts) {
      expect(alert.action).toHaveLength(1);
      for (const c of alert.criteria) {
        expect(c.metric_namespace).toBe(EVENTHUBS_METRIC_NAMESPACE);
        expect(Object.keys(EVENTHUBS_NAMESPACE_METRICS)).toContain(c.metric_name);
        for (const d of c.dimension ?? []) expect(EVENTHUBS_NAMESPACE_METRICS[c.metric_name]!.dimensions).toContain(d.name);
      }
    }
    const stopped = alerts.find((a) => a.name.endsWith("consumer-stopped"))!;
    expect(stopped.criteria.map((c) => [c.metric_name, c.dimension?.[0]?.values])).toEqual([
      ["IncomingMessages", ["sensor-readings"]],
      ["OutgoingMessages", ["sensor-readings"]],
    ]);
  });

  it("puts the ingress alerts at the configured percent of what config/capacity.ts says the namespace takes in", () => {
    const limits = ingressLimits(env.capacity);
    const share = env.eventHubs.monitoring.ingressAlertPercent / 100;
    expect(alerts.find((a) => a.name.endsWith("ingress-bytes-near-capacity"))!.criteria[0]!.threshold).toBe(Math.floor(limits.bytesPerSecond * 300 * share));
    expect(alerts.find((a) => a.name.endsWith("ingress-events-near-capacity"))!.criteria[0]!.threshold).toBe(Math.floor(limits.eventsPerSecond * 300 * share));
    expect(resources(json, "azurerm_monitor_diagnostic_setting")).toHaveLength(env.eventHubs.monitoring.logAnalyticsWorkspaceId ? 1 : 0);
  });
});

describe("Azure Monitor settings", () => {
  it("send the namespace's logs and metrics to the workspace config names", () => {
    const workspace = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs";
    const env = validateEnvironment("dev", variant({ eventHubs: { monitoring: { logAnalyticsWorkspaceId: workspace } } }));
    expect(resources(synthJson(stackFor(env)), "azurerm_monitor_diagnostic_setting")).toEqual([
      expect.objectContaining({ log_analytics_workspace_id: workspace, enabled_log: [{ category_group: "allLogs" }], enabled_metric: [{ category: "AllMetrics" }] }),
    ]);
  });

  it("refuse a metric the namespace does not have", () => {
    expect(() => checkCriterion({ metric: "IncomingMessage" })).toThrow(/metric IncomingMessage: not a Microsoft.EventHub\/namespaces metric/);
    expect(() => checkCriterion({ metric: "ActiveConnections", entity: "sensor-readings" })).toThrow(/has no EntityName dimension/);
  });
});
