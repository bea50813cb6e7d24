// Azure Monitor on an Event Hubs namespace: one action group (mail, optional webhook), metric alerts
// for throttling, server errors, quota errors, a consumer that stopped reading the readings topic and
// ingress near capacity, and optionally diagnostic settings to a Log Analytics workspace. Every
// alert's metric and dimension is checked against the documented list (config/eventhubs-metrics.ts).
import { Construct } from "constructs";
import type { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import type { MonitorMetricAlertCriteria } from "@cdktf/provider-azurerm/lib/monitor-metric-alert";
import { EVENTHUBS_METRIC_NAMESPACE, EVENTHUBS_NAMESPACE_METRICS } from "../../config";
import { AzureMonitorActionGroup, AzureMonitorMetricAlert } from "../lib/azurerm-resources";

export interface EventHubsMonitoringProps {
  /** `<prefix>-<env>`: names the action group and the alerts. */
  readonly baseName: string;
  readonly resourceGroupName: string;
  readonly namespaceId: string;
  /** The topic the job reads: its incoming vs outgoing messages show a consumer that stopped. */
  readonly readingsTopic: string;
  readonly emails: readonly string[];
  /** Webhook URL, a Terraform token (a sensitive variable): it holds a token. @default none */
  readonly webhookUrl?: string;
  /** What the namespace takes in at most (config/capacity.ts ingressLimits). */
  readonly ingressLimits: { readonly bytesPerSecond: number; readonly eventsPerSecond: number };
  readonly ingressAlertPercent: number;
  readonly logAnalyticsWorkspaceId?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

interface Criterion {
  metric: string;
  aggregation: "Total" | "Average" | "Maximum";
  operator: "GreaterThan" | "LessThan";
  threshold: number;
  entity?: string;
}

interface AlertSpec {
  id: string;
  description: string;
  severity: 0 | 1 | 2 | 3 | 4;
  windowSize: string;
  criteria: Criterion[];
}

const WINDOW_SECONDS = 300;

/** Throws unless the metric is one the namespace has and each filtered dimension is one of its own. */
export function checkCriterion(c: Pick<Criterion, "metric" | "entity">): void {
  const known = EVENTHUBS_NAMESPACE_METRICS[c.metric];
  if (known === undefined) throw new Error(`metric ${c.metric}: not a ${EVENTHUBS_METRIC_NAMESPACE} metric (config/eventhubs-metrics.ts)`);
  if (c.entity !== undefined && !known.dimensions.includes("EntityName")) throw new Error(`metric ${c.metric}: has no EntityName dimension`);
}

export function alertSpecs(props: Pick<EventHubsMonitoringProps, "readingsTopic" | "ingressLimits" | "ingressAlertPercent">): AlertSpec[] {
  const share = props.ingressAlertPercent / 100;
  return [
    { id: "throttled", description: "Requests are throttled: the namespace is at its capacity", severity: 2, windowSize: "PT5M", criteria: [{ metric: "ThrottledRequests", aggregation: "Total", operator: "GreaterThan", threshold: 0 }] },
    { id: "server-errors", description: "Event Hubs returns server errors", severity: 2, windowSize: "PT5M", criteria: [{ metric: "ServerErrors", aggregation: "Total", operator: "GreaterThan", threshold: 0 }] },
    { id: "quota-exceeded", description: "A quota is exceeded (connections, size, …): clients are refused", severity: 1, windowSize: "PT5M", criteria: [{ metric: "QuotaExceededErrors", aggregation: "Total", operator: "GreaterThan", threshold: 0 }] },
    {
      id: "consumer-stopped",
      description: `Readings arrive on ${props.readingsTopic} but nothing reads them: the streaming job is not consuming (its exact lag: npm run status)`,
      severity: 1,
      windowSize: "PT15M",
      criteria: [
        { metric: "IncomingMessages", aggregation: "Total", operator: "GreaterThan", threshold: 0, entity: props.readingsTopic },
        { metric: "OutgoingMessages", aggregation: "Total", operator: "LessThan", threshold: 1, entity: props.readingsTopic },
      ],
    },
    {
      id: "ingress-bytes-near-capacity",
      description: `Ingress above ${props.ingressAlertPercent}% of the bytes the namespace takes in`,
      severity: 2,
      windowSize: "PT5M",
      criteria: [{ metric: "IncomingBytes", aggregation: "Total", operator: "GreaterThan", threshold: Math.floor(props.ingressLimits.bytesPerSecond * WINDOW_SECONDS * share) }],
    },
    {
      id: "ingress-events-near-capacity",
      description: `Ingress above ${props.ingressAlertPercent}% of the events the namespace takes in`,
      severity: 2,
      windowSize: "PT5M",
      criteria: [{ metric: "IncomingMessages", aggregation: "Total", operator: "GreaterThan", threshold: Math.floor(props.ingressLimits.eventsPerSecond * WINDOW_SECONDS * share) }],
    },
  ];
}

export class EventHubsMonitoring extends Construct {
  public readonly actionGroup: AzureMonitorActionGroup;
  public readonly alerts: AzureMonitorMetricAlert[];
  public readonly diagnostics?: MonitorDiagnosticSetting;

  constructor(scope: Construct, id: string, props: EventHubsMonitoringProps) {
    super(scope, id);
    this.actionGroup = new AzureMonitorActionGroup(this, "action-group", {
      name: `ag-${props.baseName}`,
      resourceGroupName: props.resourceGroupName,
      // At most 12 characters, shown in SMS and mail subjects.
      shortName: props.baseName.replace(/[^a-z0-9]/g, "").slice(0, 12),
      emailReceiver: props.emails.map((address, i) => ({ name: `mail-${i + 1}`, emailAddress: address, useCommonAlertSchema: true })),
      ...(props.webhookUrl !== undefined ? { webhookReceiver: [{ name: "webhook", serviceUri: props.webhookUrl, useCommonAlertSchema: true }] } : {}),
      tags: { ...(props.tags ?? {}) },
    });
    this.alerts = alertSpecs(props).map((spec) => {
      spec.criteria.forEach(checkCriterion);
      const criteria: MonitorMetricAlertCriteria[] = spec.criteria.map((c) => ({
        metricNamespace: EVENTHUBS_METRIC_NAMESPACE,
        metricName: c.metric,
        aggregation: c.aggregation,
        operator: c.operator,
        threshold: c.threshold,
        ...(c.entity !== undefined ? { dimension: [{ name: "EntityName", operator: "Include", values: [c.entity] }] } : {}),
      }));
      return new AzureMonitorMetricAlert(this, spec.id, {
        name: `${props.baseName}-${spec.id}`,
        resourceGroupName: props.resourceGroupName,
        scopes: [props.namespaceId],
        description: spec.description,
        severity: spec.severity,
        frequency: "PT5M",
        windowSize: spec.windowSize,
        criteria,
        action: [{ actionGroupId: this.actionGroup.id }],
        tags: { ...(props.tags ?? {}) },
      });
    });
    if (props.logAnalyticsWorkspaceId !== undefined) {
      // Required here, not imported: a synth without a workspace need not load the class's 150 KB.
      const generated = require("@cdktf/provider-azurerm/lib/monitor-diagnostic-setting") as typeof import("@cdktf/provider-azurerm/lib/monitor-diagnostic-setting");
      this.diagnostics = new generated.MonitorDiagnosticSetting(this, "diagnostics", {
        name: `${props.baseName}-to-log-analytics`,
        targetResourceId: props.namespaceId,
        logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
        enabledLog: [{ categoryGroup: "allLogs" }],
        enabledMetric: [{ category: "AllMetrics" }],
      });
    }
  }
}
