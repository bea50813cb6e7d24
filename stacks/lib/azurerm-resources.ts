/**
 * The azurerm resources of the stacks whose generated classes are the largest the synth loaded
 * (azurerm_storage_account 700 KB, azurerm_monitor_action_group 380 KB), typed by the provider package's own
 * config interfaces and synthesized by SchemaTypedResource; the attributes the stacks read are getters here.
 */
import type { Construct } from "constructs";
import type { MonitorActionGroupConfig } from "@cdktf/provider-azurerm/lib/monitor-action-group";
import type { StorageAccountConfig } from "@cdktf/provider-azurerm/lib/storage-account";
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
