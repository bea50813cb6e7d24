// dev: smallest sizing, public network, the sensor simulator runs.
import type { DeepPartial } from "../deep-merge";
import type { EnvironmentInput } from "../schema";

export const dev: DeepPartial<EnvironmentInput> & Pick<EnvironmentInput, "name" | "uniqueSuffix"> = {
  name: "dev",
  uniqueSuffix: "d7k2q",
  tags: { environment: "dev" },
  eventHubs: {
    expectedLoad: { peakEventsPerSecond: 200, averageEventSizeBytes: 200, headroomPercent: 25 },
  },
  bdc: {
    release: 13,
    kubeContext: "bdc-dev",
    gatewayUrl: "https://bdc-dev.example.internal:30443",
    spark: { executors: 1, executorCores: 1, executorMemory: "1g", driverCores: 1, driverMemory: "1g" },
    job: { startingOffsets: "earliest", maxOffsetsPerTrigger: 20_000 },
    simulator: { enabled: true, eventsPerSecond: 20 },
    // dev is on the public network: the hosted runners' changing addresses upload its artifacts.
    artifactStorage: { defaultAction: "Allow" },
  },
};
