/**
 * The azurerm resources of the stacks whose generated classes cost a synth most: the largest it loaded
 * (azurerm_storage_account 700 KB, azurerm_monitor_action_group 380 KB, azurerm_monitor_metric_alert 240 KB)
 * and the most numerous (azurerm_storage_blob, whose generated instances each carry every optional attribute
 * for cdktf to resolve). Typed by the provider package's own config interfaces and synthesized by
 * SchemaTypedResource; the attributes the stacks read are getters here.
 */
import type { Construct } from "constructs";
import type { MonitorActionGroupConfig } from "@cdktf/provider-azurerm/lib/monitor-action-group";
import type { MonitorMetricAlertConfig } from "@cdktf/provider-azurerm/lib/monitor-metric-alert";
import type { StorageAccountConfig } from "@cdktf/provider-azurerm/lib/storage-account";
import type { StorageBlobConfig } from "@cdktf/provider-azurerm/lib/storage-blob";
import { SchemaTypedResource, type ProviderSchema } from "./schema-typed-resource";

export const AZURERM_SCHEMA: ProviderSchema = {
  generator: { providerName: "azurerm", providerVersion: "4.55.0", providerVersionConstraint: "~> 4.0" },
  mapAttributes: new Set(["tags"]),
};

/** azurerm_storage_account, configured as `StorageAccount` of @cdktf/provider-azurerm is. */
export class AzureStorageAccount extends SchemaTypedResource<StorageAccountConfig> {
  public static readonly tfResourceType = "azurerm_storage_account";
  public constructor(scope: Construct, id: string, config: StorageAccountConfig) {
    super(scope, id, AzureStorageAccount.tfResourceType, AZURERM_SCHEMA, config);
  }
  public get id(): string {
    return this.getStringAttribute("id");
  }
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
export class AzureMonitorActionGroup extends SchemaTypedResource<MonitorActionGroupConfig> {
  public static readonly tfResourceType = "azurerm_monitor_action_group";
  public constructor(scope: Construct, id: string, config: MonitorActionGroupConfig) {
    super(scope, id, AzureMonitorActionGroup.tfResourceType, AZURERM_SCHEMA, config);
  }
  public get id(): string {
    return this.getStringAttribute("id");
  }
}

/** azurerm_storage_blob, configured as `StorageBlob` is: an artifact has one per file, so it is the most numerous. */
export class AzureStorageBlob extends SchemaTypedResource<StorageBlobConfig> {
  public static readonly tfResourceType = "azurerm_storage_blob";
  public constructor(scope: Construct, id: string, config: StorageBlobConfig) {
    super(scope, id, AzureStorageBlob.tfResourceType, AZURERM_SCHEMA, config);
  }
}

/** azurerm_monitor_metric_alert, configured as `MonitorMetricAlert` is. */
export class AzureMonitorMetricAlert extends SchemaTypedResource<MonitorMetricAlertConfig> {
  public static readonly tfResourceType = "azurerm_monitor_metric_alert";
  public constructor(scope: Construct, id: string, config: MonitorMetricAlertConfig) {
    super(scope, id, AzureMonitorMetricAlert.tfResourceType, AZURERM_SCHEMA, config);
  }
}
