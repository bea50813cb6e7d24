// Names of the Azure objects an environment lives in, shared by the stacks (which create or adopt
// them) and the bootstrap commands (which create them first and grant rights on exactly them).
import type { EnvironmentSettings } from "./schema";

type Named = Pick<EnvironmentSettings, "name" | "namePrefix" | "uniqueSuffix" | "tags">;

/** The two resource groups of an environment: Event Hubs, and the BDC stack's artifact storage. */
export function resourceGroupNames(env: Named): { eventHubs: string; bdc: string } {
  return { eventHubs: `rg-${env.namePrefix}-${env.name}-${env.uniqueSuffix}`, bdc: `rg-${env.namePrefix}-${env.name}-bdc-${env.uniqueSuffix}` };
}

/** Tags of every resource group (and of the resources in it). */
export function environmentTags(env: Named): Record<string, string> {
  return { ...env.tags, environment: env.name };
}

/** The pipelines' user-assigned managed identities: deploy (changes the environment) and plan (read-only diffs). */
export function identityNames(env: Named): { deploy: string; plan: string } {
  return { deploy: `id-${env.namePrefix}-${env.name}-deploy`, plan: `id-${env.namePrefix}-${env.name}-plan` };
}

/** The resource group of every environment's identities, and the custom role of the plan identities (one per subscription). */
export function sharedNames(env: Pick<EnvironmentSettings, "namePrefix">): { identityResourceGroup: string; planRole: string } {
  return { identityResourceGroup: `rg-${env.namePrefix}-identities`, planRole: `${env.namePrefix} plan reader` };
}
