// The platform metrics of an Event Hubs namespace, as data: their REST API names and the dimensions
// each can be split or filtered by. Source: Microsoft Learn, "Supported metrics for
// Microsoft.EventHub/Namespaces" (learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/
// microsoft-eventhub-namespaces-metrics), written from that page by hand; the alerts are checked against it.
export const EVENTHUBS_METRIC_NAMESPACE = "Microsoft.EventHub/namespaces";

export const EVENTHUBS_NAMESPACE_METRICS: Readonly<Record<string, { readonly dimensions: readonly string[] }>> = {
  ActiveConnections: { dimensions: [] },
  CaptureBacklog: { dimensions: ["EntityName"] },
  CapturedBytes: { dimensions: ["EntityName"] },
  CapturedMessages: { dimensions: ["EntityName"] },
  ConnectionsClosed: { dimensions: ["EntityName"] },
  ConnectionsOpened: { dimensions: ["EntityName"] },
  IncomingBytes: { dimensions: ["EntityName"] },
  IncomingMessages: { dimensions: ["EntityName"] },
  IncomingRequests: { dimensions: ["EntityName"] },
  NamespaceCpuUsage: { dimensions: ["Replica"] },
  NamespaceMemoryUsage: { dimensions: ["Replica"] },
  OutgoingBytes: { dimensions: ["EntityName"] },
  OutgoingMessages: { dimensions: ["EntityName"] },
  QuotaExceededErrors: { dimensions: ["EntityName", "OperationResult"] },
  ReplicationLagCount: { dimensions: ["EntityName"] },
  ReplicationLagDuration: { dimensions: ["EntityName"] },
  ServerErrors: { dimensions: ["EntityName", "OperationResult"] },
  Size: { dimensions: ["EntityName"] },
  SuccessfulRequests: { dimensions: ["EntityName", "OperationResult"] },
  ThrottledRequests: { dimensions: ["EntityName", "OperationResult"] },
  UserErrors: { dimensions: ["EntityName", "OperationResult"] },
};
