import { ConfigError, loadEnvironments } from "../../config";

describe("environments on one BDC", () => {
  it("accepts the shipped environments, each on its own gateway", () => {
    expect(loadEnvironments().map((env) => env.name)).toEqual(["dev", "staging", "prod"]);
  });

  it("refuses two environments on the same gateway sharing the job's checkpoint and database", () => {
    // One gateway for both, its host spelled in another case.
    const variables = {
      SENSORS_DEV_BDC_GATEWAY_URL: "https://bdc.shared.example.internal:30443",
      SENSORS_STAGING_BDC_GATEWAY_URL: "https://BDC.Shared.example.internal:30443",
    };
    let error: unknown;
    try {
      loadEnvironments(["dev", "staging"], { variables });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain(
      'staging: bdc.job.checkpointLocation: "/apps/checkpoints/sensor-aggregation" — a checkpoint location no other environment on the same BDC (bdc.shared.example.internal:30443) uses; dev already uses it',
    );
    expect(message).toContain('staging: bdc.job.database: "default" — a database (its tables) no other environment on the same BDC');
    expect((error as ConfigError).violations).toHaveLength(2);
  });

  it("lets environments share a gateway when a port differs (another cluster)", () => {
    const variables = {
      SENSORS_DEV_BDC_GATEWAY_URL: "https://bdc.shared.example.internal:30443",
      SENSORS_STAGING_BDC_GATEWAY_URL: "https://bdc.shared.example.internal:31443",
    };
    expect(loadEnvironments(["dev", "staging"], { variables })).toHaveLength(2);
  });
});
