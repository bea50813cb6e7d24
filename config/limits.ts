// Azure Event Hubs quotas this project checks before anything is sent to Azure.
// Source: "Azure Event Hubs quotas and limits" (learn.microsoft.com/azure/event-hubs/event-hubs-quotas).
// Azure enforces most of them only at apply time, half-way through a deploy.

/** SKUs with a Kafka endpoint. Basic has none, so it is refused. */
export const SUPPORTED_SKUS = ["Standard", "Premium"] as const;
export type EventHubsSku = (typeof SUPPORTED_SKUS)[number];

/** Per-SKU limits of a namespace and of each event hub in it. */
export interface TierLimits {
  /** Most partitions one event hub may have. */
  readonly maxPartitionsPerHub: number;
  /** Longest message retention, in days. */
  readonly maxRetentionDays: number;
  /** Most event hubs in one namespace. */
  readonly maxHubs: number;
}

export const TIER_LIMITS: Readonly<Record<EventHubsSku, TierLimits>> = {
  Standard: { maxPartitionsPerHub: 32, maxRetentionDays: 7, maxHubs: 10 },
  Premium: { maxPartitionsPerHub: 100, maxRetentionDays: 90, maxHubs: 100 },
};

/** Standard: throughput units a namespace may have (and auto-inflate may reach). */
export const STANDARD_THROUGHPUT_UNITS = { min: 1, max: 40 } as const;

/** Premium: the processing unit counts Azure accepts. */
export const PREMIUM_PROCESSING_UNITS = [1, 2, 4, 6, 8, 10, 12, 16] as const;

/** Authorization rules per namespace (Azure: 12 SAS policies per namespace or entity). */
export const MAX_AUTHORIZATION_RULES = 12;

/** Namespace name: 6–50 characters, starts with a letter, ends with a letter or digit. */
export const NAMESPACE_NAME_PATTERN = /^[a-zA-Z][-a-zA-Z0-9]{4,48}[a-zA-Z0-9]$/;
