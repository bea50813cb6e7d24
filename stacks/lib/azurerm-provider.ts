// The azurerm provider of every stack, configured from the environment's `azure` settings.
import type { Construct } from "constructs";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import type { EnvironmentConfig } from "../../config";

export function azurermProvider(scope: Construct, env: Pick<EnvironmentConfig, "azure">): AzurermProvider {
  return new AzurermProvider(scope, "azurerm", {
    features: [{}],
    resourceProviderRegistrations: env.azure.resourceProviderRegistrations,
    ...(env.azure.subscriptionId !== undefined ? { subscriptionId: env.azure.subscriptionId } : {}),
  });
}
