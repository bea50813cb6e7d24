// `sensors-<env>-eventhubs`: resource group, Event Hubs namespace (Kafka endpoint), the topics, and
// least-privilege hub-scoped rules. Later stacks read its readonly properties (cross-stack references).
import { Construct } from "constructs";
import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { EventHubsMonitoring } from "./constructs/eventhubs-monitoring";
import { ServicePrivateEndpoint } from "./constructs/private-endpoint";
import { azurermProvider } from "./lib/azurerm-provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { environmentTags, ingressLimits, READINGS_TOPIC, resourceGroupNames, STATS_TOPIC, type EnvironmentConfig } from "../config";
import type { IEventHubTopic } from "./constructs/eventhubs-hub";
import { EventHubsNamespace } from "./constructs/eventhubs-namespace";

/** Props of {@link EventHubsStack}. */
export interface EventHubsStackProps {
  /** The environment's validated config. */
  readonly env: EnvironmentConfig;
  /** Refuse `terraform destroy` of the namespace and hubs. @default env.eventHubs.preventDestroy (true in prod) */
  readonly preventDestroy?: boolean;
}

/** Output names are snake_case versions of principal and topic, e.g. aggregation_job_sensor_readings_connection_string. */
const outputId = (...parts: string[]): string => parts.join("_").replace(/[^a-zA-Z0-9_]/g, "_");

export class EventHubsStack extends TerraformStack {
  /** The environment's resource group for Event Hubs. */
  public readonly resourceGroup: ResourceGroup;
  /** The namespace construct (its hubs and rules hang below it). */
  public readonly namespace: EventHubsNamespace;
  /** Namespace name. */
  public readonly namespaceName: string;
  /** Action group and metric alerts on the namespace. */
  public readonly monitoring: EventHubsMonitoring;
  /** `<namespace>.servicebus.windows.net`. */
  public readonly namespaceFqdn: string;
  /** Kafka bootstrap server, `<namespace>.servicebus.windows.net:9093`. */
  public readonly kafkaBootstrap: string;
  /** The hub the simulator writes and the job reads, with its rules' grants. */
  public readonly readings: IEventHubTopic;
  /** The hub the job writes its per-sensor stats to, with its rules' grants. */
  public readonly stats: IEventHubTopic;
  /** Every topic (event hub) name in the namespace. */
  public readonly topicNames: readonly string[];

  constructor(scope: Construct, id: string, props: EventHubsStackProps) {
    super(scope, id);
    const env = props.env;
    const hubsConfig = env.eventHubs;
    const preventDestroy = props.preventDestroy ?? hubsConfig.preventDestroy;

    azurermProvider(this, env);
    const tags = environmentTags(env);
    this.resourceGroup = new ResourceGroup(this, "resource-group", {
      name: resourceGroupNames(env).eventHubs,
      location: env.location,
      tags,
    });

    this.namespace = new EventHubsNamespace(this, "eventhubs", {
      name: env.namespaceName,
      resourceGroupName: this.resourceGroup.name,
      location: env.location,
      sku: env.capacity.sku,
      capacity: env.capacity.units,
      autoInflateMaximum: env.capacity.autoInflateMaximum,
      publicNetworkAccess: hubsConfig.network.publicNetworkAccess,
      defaultAction: hubsConfig.network.defaultAction,
      ipRules: hubsConfig.network.ipRules,
      trustedServiceAccess: hubsConfig.network.trustedServiceAccess,
      tags,
      preventDestroy,
    });
    const endpoint = hubsConfig.network.privateEndpoint;
    if (endpoint !== undefined) {
      new ServicePrivateEndpoint(this, "eventhubs-private-endpoint", {
        name: `pe-${env.namespaceName}`,
        resourceGroupName: this.resourceGroup.name,
        location: env.location,
        subnetId: endpoint.subnetId,
        resourceId: this.namespace.namespaceId,
        subresource: "namespace",
        privateDnsZoneIds: endpoint.privateDnsZoneIds,
        tags,
      });
    }
    const monitoring = hubsConfig.monitoring;
    this.monitoring = new EventHubsMonitoring(this, "monitoring", {
      baseName: `${env.namePrefix}-${env.name}`,
      resourceGroupName: this.resourceGroup.name,
      namespaceId: this.namespace.namespaceId,
      readingsTopic: READINGS_TOPIC,
      emails: monitoring.emails,
      webhookUrl: monitoring.webhook
        ? new TerraformVariable(this, "alert_webhook_url", {
            type: "string",
            sensitive: true,
            nullable: false,
            description: "Incoming webhook (Teams, Slack) of the alerts' action group. Set TF_VAR_alert_webhook_url; it holds a token.",
          }).stringValue
        : undefined,
      ingressLimits: ingressLimits(env.capacity),
      ingressAlertPercent: monitoring.ingressAlertPercent,
      logAnalyticsWorkspaceId: monitoring.logAnalyticsWorkspaceId,
      tags,
    });
    this.namespaceName = this.namespace.namespaceName;
    this.namespaceFqdn = this.namespace.fqdn;
    this.kafkaBootstrap = this.namespace.kafkaBootstrap;

    for (const [name, topic] of Object.entries(hubsConfig.topics)) {
      this.namespace.addEventHub(name, { partitions: topic.partitions, retentionDays: topic.retentionDays });
    }
    this.topicNames = [...this.namespace.eventHubs.keys()];

    for (const rule of env.hubRules) {
      const created = this.namespace.eventHub(rule.topic).addAuthorizationRule(rule.principal, { send: rule.send, listen: rule.listen });
      new TerraformOutput(this, outputId(rule.principal, rule.topic, "connection_string"), {
        value: created.connectionString,
        sensitive: true,
        description: `Connection string of ${rule.principal} on ${rule.topic} (${[rule.send && "send", rule.listen && "listen"].filter(Boolean).join(" + ")})`,
      });
    }
    this.readings = this.namespace.eventHub(READINGS_TOPIC);
    this.stats = this.namespace.eventHub(STATS_TOPIC);

    new TerraformOutput(this, "namespace_name", { value: this.namespaceName });
    new TerraformOutput(this, "namespace_fqdn", { value: this.namespaceFqdn });
    new TerraformOutput(this, "kafka_bootstrap", { value: this.kafkaBootstrap });
    new TerraformOutput(this, "readings_topic", { value: this.readings.hubName });
    new TerraformOutput(this, "stats_topic", { value: this.stats.hubName });
    new TerraformOutput(this, "topic_names", { value: this.topicNames });
  }
}
