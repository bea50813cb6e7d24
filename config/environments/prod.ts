// prod: Premium (longer retention, isolated capacity), no simulator, locked-down network, prevent_destroy in the stack.
import type { DeepPartial } from "../deep-merge";
import type { EnvironmentInput } from "../schema";

export const prod: DeepPartial<EnvironmentInput> & Pick<EnvironmentInput, "name" | "uniqueSuffix"> = {
  name: "prod",
  uniqueSuffix: "p9x3c",
  tags: { environment: "prod", criticality: "high" },
  eventHubs: {
    sku: "Premium",
    expectedLoad: { peakEventsPerSecond: 20_000, averageEventSizeBytes: 250, headroomPercent: 30 },
    autoInflate: { enabled: false },
    preventDestroy: true,
    topics: {
      "sensor-readings": { partitions: 32, retentionDays: 14 },
      "sensor-stats": { partitions: 8, retentionDays: 14 },
    },
    network: { defaultAction: "Deny", ipRules: ["198.51.100.0/24"] },
    // Placeholder address (RFC 2606); the webhook's URL comes from TF_VAR_alert_webhook_url.
    monitoring: { emails: ["data-platform-oncall@example.com"], webhook: true },
  },
  bdc: {
    release: 17,
    kubeContext: "bdc-prod",
    gatewayUrl: "https://bdc-prod.example.internal:30443",
    spark: {
      executors: 6,
      executorCores: 4,
      executorMemory: "8g",
      driverCores: 2,
      driverMemory: "4g",
      conf: { "spark.sql.shuffle.partitions": "48" },
    },
    job: { maxOffsetsPerTrigger: 1_000_000, triggerInterval: "30 seconds" },
    // The pipeline agents (upload) and the BDC's egress (download); a placeholder documentation range (RFC 5737).
    artifactStorage: { ipRules: ["198.51.100.0/24"] },
    // The deployer's notifications go to the same webhook as the Azure Monitor alerts.
    notifyWebhook: true,
  },
};
