import { Testing } from "cdktf";
import { ConfigError, ENVIRONMENT_NAMES, loadEnvironment, loadEnvironments, selectedEnvironmentNames } from "../../config";

describe("environment selection", () => {
  it("selects every environment by default", () => {
    expect(selectedEnvironmentNames(undefined, {})).toEqual(["dev", "staging", "prod"]);
    expect(ENVIRONMENT_NAMES).toEqual(["dev", "staging", "prod"]);
  });

  it("selects through SENSORS_ENV, one or several", () => {
    expect(selectedEnvironmentNames(undefined, { SENSORS_ENV: "prod" })).toEqual(["prod"]);
    expect(selectedEnvironmentNames(undefined, { SENSORS_ENV: "dev, staging" })).toEqual(["dev", "staging"]);
    expect(selectedEnvironmentNames(undefined, { SENSORS_ENV: "all" })).toEqual(["dev", "staging", "prod"]);
  });

  it("prefers cdktf context env over SENSORS_ENV", () => {
    const app = Testing.app({ context: { env: "staging" } });
    expect(selectedEnvironmentNames(app, { SENSORS_ENV: "prod" })).toEqual(["staging"]);
  });

  it("names an unknown environment and what is allowed", () => {
    expect(() => selectedEnvironmentNames(undefined, { SENSORS_ENV: "qa" })).toThrow(
      new ConfigError([{ env: "qa", path: "SENSORS_ENV", value: "qa", allowed: "one of dev, staging, prod or all" }]),
    );
    expect(() => loadEnvironments(["qa"])).toThrow('qa: (environment): "qa" — one of dev, staging, prod');
  });
});

describe("overrides from environment variables", () => {
  it("switches state to azurerm without editing code", () => {
    const dev = loadEnvironment("dev", {
      variables: { SENSORS_STATE_STORAGE_ACCOUNT: "sensorsstate", SENSORS_STATE_RESOURCE_GROUP: "rg-tfstate", SENSORS_STATE_USE_OIDC: "true" },
    });
    expect(dev.stateBackend).toEqual({ storageAccountName: "sensorsstate", resourceGroupName: "rg-tfstate", containerName: "tfstate", keyPrefix: "sensors", useOidc: true });
    expect(dev.appliedOverrides).toEqual(["SENSORS_STATE_STORAGE_ACCOUNT", "SENSORS_STATE_RESOURCE_GROUP", "SENSORS_STATE_USE_OIDC"]);
  });

  it("lets SENSORS_<ENV>_<KEY> win over SENSORS_<KEY> for its environment only", () => {
    const variables = { SENSORS_BDC_GATEWAY_URL: "https://bdc.corp:30443", SENSORS_PROD_BDC_GATEWAY_URL: "https://bdc-prod.corp:30443" };
    const [dev, prod] = loadEnvironments(["dev", "prod"], { variables });
    expect(dev?.bdc.gatewayUrl).toBe("https://bdc.corp:30443");
    expect(prod?.bdc.gatewayUrl).toBe("https://bdc-prod.corp:30443");
  });

  it("validates overridden values like any other, naming the field", () => {
    expect(() => loadEnvironment("staging", { variables: { SENSORS_STAGING_EVENTHUBS_IP_RULES: "10.0.0.0/8, nonsense" } })).toThrow(
      'staging: eventHubs.network.ipRules.1: "nonsense" — an IPv4 address or CIDR range',
    );
    expect(() => loadEnvironment("dev", { variables: { SENSORS_STATE_USE_OIDC: "yes" } })).toThrow('dev: stateBackend.useOidc: "yes" — a boolean');
  });
});
