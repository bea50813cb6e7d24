/**
 * The azurerm resources of the stacks whose generated classes cost a synth most: the largest it loaded
 * (azurerm_storage_account 700 KB, azurerm_monitor_action_group 380 KB, azurerm_monitor_metric_alert 240 KB)
 * and the most numerous (storage blobs, Event Hubs rules and hubs, whose generated instances each carry every
 * optional attribute for cdktf to resolve, three times per synth). Typed by the provider package's own config interfaces and synthesized by
 * SchemaTypedResource; the attributes the stacks read are getters here.
 */
import type { EventhubConfig } from "@cdktf/provider-azurerm/lib/eventhub";
import type { EventhubAuthorizationRuleConfig } from "@cdktf/provider-azurerm/lib/eventhub-authorization-rule";
import type { EventhubNamespaceConfig } from "@cdktf/provider-azurerm/lib/eventhub-namespace";
import type { MonitorActionGroupConfig } from "@cdktf/provider-azurerm/lib/monitor-action-group";
import type { MonitorMetricAlertConfig } from "@cdktf/provider-azurerm/lib/monitor-metric-alert";
import type { StorageAccountConfig } from "@cdktf/provider-azurerm/lib/storage-account";
import type { StorageBlobConfig } from "@cdktf/provider-azurerm/lib/storage-blob";
import { schemaTyped, type ProviderSchema } from "./schema-typed-resource";

export const AZURERM_SCHEMA: ProviderSchema = {
  generator: { providerName: "azurerm", providerVersion: "4.55.0", providerVersionConstraint: "~> 4.0" },
  mapAttributes: new Set(["tags"]),
};

/** azurerm_storage_account, configured as `StorageAccount` of @cdktf/provider-azurerm is. */
export class AzureStorageAccount extends schemaTyped<StorageAccountConfig>("azurerm_storage_account", AZURERM_SCHEMA) {
  public get name(): string {
    return this.getStringAttribute("name");
  }
  public get primaryBlobEndpoint(): string {
    return this.getStringAttribute("primary_blob_endpoint");
  }
  public get primaryConnectionString(): string {
    return this.getStringAttribute("primary_connection_string");
  }
}

/** azurerm_monitor_action_group, configured as `MonitorActionGroup` is. */
export class AzureMonitorActionGroup extends schemaTyped<MonitorActionGroupConfig>("azurerm_monitor_action_group", AZURERM_SCHEMA) {}

/** azurerm_storage_blob, configured as `StorageBlob` is: an artifact has one per file, so it is the most numerous. */
export class AzureStorageBlob extends schemaTyped<StorageBlobConfig>("azurerm_storage_blob", AZURERM_SCHEMA) {}

/** azurerm_monitor_metric_alert, configured as `MonitorMetricAlert` is. */
export class AzureMonitorMetricAlert extends schemaTyped<MonitorMetricAlertConfig>("azurerm_monitor_metric_alert", AZURERM_SCHEMA) {}

/** azurerm_eventhub_namespace, configured as `EventhubNamespace` is. */
export class AzureEventhubNamespace extends schemaTyped<EventhubNamespaceConfig>("azurerm_eventhub_namespace", AZURERM_SCHEMA) {
  public get name(): string {
    return this.getStringAttribute("name");
  }
}

/** azurerm_eventhub, configured as `Eventhub` is. */
export class AzureEventhub extends schemaTyped<EventhubConfig>("azurerm_eventhub", AZURERM_SCHEMA) {
  public get name(): string {
    return this.getStringAttribute("name");
  }
}

/** azurerm_eventhub_authorization_rule, configured as `EventhubAuthorizationRule` is: one per principal and topic. */
export class AzureEventhubAuthorizationRule extends schemaTyped<EventhubAuthorizationRuleConfig>("azurerm_eventhub_authorization_rule", AZURERM_SCHEMA) {
  public get primaryConnectionString(): string {
    return this.getStringAttribute("primary_connection_string");
  }
}
