/**
 * The bootstrap of one environment as `az` commands, generated from its config so the names can
 * never drift from what the stacks create: resource providers, state storage, resource groups,
 * identities, least-privilege role assignments on exactly the stacks' scopes, federated credentials.
 * Pure: `npm run bootstrap:print` prints it (scripts/bootstrap-print.ts).
 */
import { identityNames, REQUIRED_RESOURCE_PROVIDERS, resourceGroupNames, sharedNames, environmentTags, type EnvironmentConfig } from "../../config";

export interface BootstrapOptions {
  /** `<org>/<repo>` for the GitHub Actions federated credentials; without it they are printed with a placeholder. */
  githubRepo?: string;
}

/** Role assignments of the environment's identities: [identity, role, scope variable or path]. */
export function roleAssignments(env: EnvironmentConfig): Array<{ identity: string; role: string; scope: string; why: string }> {
  const groups = resourceGroupNames(env);
  const ids = identityNames(env);
  const { planRole } = sharedNames(env);
  const rg = (name: string) => `/subscriptions/$SUB/resourceGroups/${name}`;
  const state = "$STATE_SA_ID/blobServices/default/containers/$STATE_CONTAINER";
  return [
    { identity: ids.deploy, role: "Contributor", scope: rg(groups.eventHubs), why: "Event Hubs namespace, hubs, rules; reads the rules' connection strings" },
    { identity: ids.deploy, role: "Contributor", scope: rg(groups.bdc), why: "the artifact storage account and container; signs the deploy's read-only SAS" },
    { identity: ids.deploy, role: "Storage Blob Data Contributor", scope: rg(groups.bdc), why: "uploads the artifact blobs with Entra ID" },
    { identity: ids.deploy, role: "Storage Blob Data Contributor", scope: state, why: "reads, writes and leases this environment's state" },
    { identity: ids.plan, role: planRole, scope: rg(groups.eventHubs), why: "refreshes, including the keys Terraform reads back" },
    { identity: ids.plan, role: planRole, scope: rg(groups.bdc), why: "refreshes, including the storage key of the SAS data source" },
    { identity: ids.plan, role: "Storage Blob Data Reader", scope: rg(groups.bdc), why: "reads the artifact blobs' state" },
    { identity: ids.plan, role: "Storage Blob Data Reader", scope: state, why: "reads state (plans run with -lock=false)" },
  ];
}

const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

export function bootstrapCommands(env: EnvironmentConfig, options: BootstrapOptions = {}): string {
  const groups = resourceGroupNames(env);
  const ids = identityNames(env);
  const shared = sharedNames(env);
  const state = env.stateBackend;
  const tags = Object.entries(environmentTags(env)).map(([k, v]) => quote(`${k}=${v}`)).join(" ");
  const lines = [
    `# Bootstrap of environment ${env.name}, generated from config/environments by npm run bootstrap:print.`,
    "# Run once, by an Owner of the subscription (or Contributor plus User Access Administrator).",
    "set -euo pipefail",
    `SUB=${env.azure.subscriptionId ?? '"${ARM_SUBSCRIPTION_ID:?set ARM_SUBSCRIPTION_ID to the subscription id}"'}`,
    `LOCATION=${env.location}`,
    `IDENTITY_RG=${shared.identityResourceGroup}`,
    `STATE_RG=${state.resourceGroupName ?? `rg-${env.namePrefix}-tfstate`}`,
    `STATE_SA=${state.storageAccountName ?? '"${STATE_SA:?set STATE_SA to the state storage account name (3-24 lower-case letters and digits)}"'}`,
    `STATE_CONTAINER=${state.containerName}`,
    'az account set --subscription "$SUB"',
    "",
    `# 1. Resource providers: azure.resourceProviderRegistrations is "${env.azure.resourceProviderRegistrations}", so the provider registers ${env.azure.resourceProviderRegistrations === "none" ? "nothing itself" : "its own set too"}.`,
    ...REQUIRED_RESOURCE_PROVIDERS.map((p) => `az provider register --namespace ${p} --wait`),
    "",
    "# 2. State storage (Entra ID only, versioned, soft delete); an existing account is left as it is.",
    'az group create --name "$STATE_RG" --location "$LOCATION" --output none',
    'az storage account show --name "$STATE_SA" --resource-group "$STATE_RG" --output none 2>/dev/null ||',
    '  az storage account create --name "$STATE_SA" --resource-group "$STATE_RG" --location "$LOCATION" --sku Standard_ZRS --kind StorageV2 \\',
    "    --https-only true --min-tls-version TLS1_2 --allow-blob-public-access false --allow-shared-key-access false --output none",
    'az storage account blob-service-properties update --account-name "$STATE_SA" --resource-group "$STATE_RG" --enable-versioning true \\',
    "  --enable-delete-retention true --delete-retention-days 30 --enable-container-delete-retention true --container-delete-retention-days 30 --output none",
    'az storage container-rm create --storage-account "$STATE_SA" --resource-group "$STATE_RG" --name "$STATE_CONTAINER" --output none',
    'STATE_SA_ID=$(az storage account show --name "$STATE_SA" --resource-group "$STATE_RG" --query id --output tsv)',
    "",
    "# 3. The stacks' resource groups (adopted into state afterwards: docs/operations/bootstrap.md) and the pipelines' identities.",
    `az group create --name ${groups.eventHubs} --location "$LOCATION" --tags ${tags} --output none`,
    `az group create --name ${groups.bdc} --location "$LOCATION" --tags ${tags} --output none`,
    'az group create --name "$IDENTITY_RG" --location "$LOCATION" --output none',
    `az identity create --name ${ids.deploy} --resource-group "$IDENTITY_RG" --location "$LOCATION" --output none`,
    `az identity create --name ${ids.plan} --resource-group "$IDENTITY_RG" --location "$LOCATION" --output none`,
    "",
    `# 4. Least-privilege role assignments. The plan role, once per subscription: reads, plus the listKeys a refresh calls.`,
    `az role definition list --name ${quote(shared.planRole)} --query "[0].id" --output tsv | grep -q . ||`,
    `  az role definition create --role-definition "$(printf '%s' '{"Name": "${shared.planRole}", "Description": "Reads what cdktf diff refreshes, including the keys Terraform reads back; changes nothing.", ` +
      `"Actions": ["*/read", "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action", "Microsoft.EventHub/namespaces/eventhubs/authorizationRules/listKeys/action", ` +
      `"Microsoft.Storage/storageAccounts/listKeys/action"], "NotActions": [], "DataActions": [], "AssignableScopes": ["/subscriptions/'"$SUB"'"]}')" --output none`,
    "assign() { # <identity> <role> <scope>",
    '  az role assignment create --assignee-object-id "$(az identity show --name "$1" --resource-group "$IDENTITY_RG" --query principalId --output tsv)" \\',
    '    --assignee-principal-type ServicePrincipal --role "$2" --scope "$3" --output none',
    "}",
    ...roleAssignments(env).map((a) => `assign ${a.identity} ${quote(a.role)} "${a.scope}"   # ${a.why}`),
    "",
    "# 5. Federated credentials for GitHub Actions: deploys run in GitHub environment <env>, plans in <env>-plan.",
    `GITHUB_REPO=${options.githubRepo ?? '"${GITHUB_REPO:?set GITHUB_REPO to <org>/<repo>}"'}`,
    ...[
      [ids.deploy, `github-${env.name}`, env.name],
      [ids.plan, `github-${env.name}-plan`, `${env.name}-plan`],
    ].map(
      ([identity, name, environment]) =>
        `az identity federated-credential create --name ${name} --identity-name ${identity} --resource-group "$IDENTITY_RG" ` +
        `--issuer https://token.actions.githubusercontent.com --subject "repo:$GITHUB_REPO:environment:${environment}" --audiences api://AzureADTokenExchange --output none`,
    ),
    "",
    "# The pipeline settings of this environment:",
    `echo "AZURE_CLIENT_ID (deploy) = $(az identity show --name ${ids.deploy} --resource-group "$IDENTITY_RG" --query clientId --output tsv)"`,
    `echo "AZURE_CLIENT_ID (plan)   = $(az identity show --name ${ids.plan} --resource-group "$IDENTITY_RG" --query clientId --output tsv)"`,
    'echo "AZURE_TENANT_ID = $(az account show --query tenantId --output tsv); AZURE_SUBSCRIPTION_ID = $SUB"',
  ];
  return `${lines.join("\n")}\n`;
}
