// staging: prod-like sizing on Standard, reachable only from the office and pipeline ranges.
import type { DeepPartial } from "../deep-merge";
import type { EnvironmentInput } from "../schema";

export const staging: DeepPartial<EnvironmentInput> & Pick<EnvironmentInput, "name" | "uniqueSuffix"> = {
  name: "staging",
  uniqueSuffix: "s4m8v",
  tags: { environment: "staging" },
  eventHubs: {
    expectedLoad: { peakEventsPerSecond: 2_000, averageEventSizeBytes: 250, headroomPercent: 25 },
    topics: {
      "sensor-readings": { partitions: 8, retentionDays: 3 },
      "sensor-stats": { partitions: 4, retentionDays: 3 },
    },
    // Placeholder documentation ranges (RFC 5737); a pipeline replaces them with its own.
    network: { defaultAction: "Deny", ipRules: ["198.51.100.0/24", "203.0.113.10"] },
  },
  bdc: {
    release: 15,
    kubeContext: "bdc-staging",
    gatewayUrl: "https://bdc-staging.example.internal:30443",
    spark: { executors: 2, executorCores: 2, executorMemory: "2g", driverMemory: "2g" },
    // The shared default before the sizing was derived: kept so that a running staging is not redeployed by the
    // upgrade. Remove it to take the derived value (npm run plan prints it).
    job: { maxOffsetsPerTrigger: 200_000 },
    // The pipeline agents (upload) and the BDC's egress (download); placeholders as above.
    artifactStorage: { ipRules: ["198.51.100.0/24", "203.0.113.10"] },
  },
};
