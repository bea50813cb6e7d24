#!/usr/bin/env bash
# Sourced inside an AzureCLI@2 task (workload identity federation service connection,
# addSpnToEnvironment: true). Hands the federated token the task received to Terraform's azurerm
# provider and state backend as OpenID Connect settings: no client secret exists anywhere.
#   usage (in the task's inline script): source scripts/ci/azure-pipelines-oidc-env.sh
# shellcheck shell=bash

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "error: source this file (it exports variables into the calling script); do not run it" >&2
  exit 1
fi

if [ -z "${idToken:-}" ] || [ -z "${servicePrincipalId:-}" ] || [ -z "${tenantId:-}" ]; then
  echo "error: idToken, servicePrincipalId or tenantId is missing: run this in AzureCLI@2 with addSpnToEnvironment: true and a workload identity federation service connection" >&2
  return 1
fi

export ARM_USE_OIDC=true
export ARM_OIDC_TOKEN="$idToken"
export ARM_CLIENT_ID="$servicePrincipalId"
export ARM_TENANT_ID="$tenantId"
ARM_SUBSCRIPTION_ID="$(az account show --query id --output tsv)"
export ARM_SUBSCRIPTION_ID
# Entra ID (not storage account keys) for the state blob and for the artifact container.
export ARM_USE_AZUREAD=true
export ARM_STORAGE_USE_AZUREAD=true
echo "azure: OIDC for client ${ARM_CLIENT_ID} in subscription ${ARM_SUBSCRIPTION_ID}"
