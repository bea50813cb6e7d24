// One event hub (a Kafka topic) in a namespace, and the hub-scoped rules that may use it.
import { Construct } from "constructs";
import { AzureEventhub } from "../lib/azurerm-resources";
import { EventHubsAuthorizationRule } from "./eventhubs-authorization-rule";

/** What a hub needs to know about its namespace. */
export interface EventHubsNamespaceRef {
  /** Namespace resource id. */
  readonly namespaceId: string;
  /** Namespace name. */
  readonly namespaceName: string;
  /** Resource group of the namespace. */
  readonly resourceGroupName: string;
}

/** Props of {@link EventHubsHub}. */
export interface EventHubsHubProps {
  /** The namespace the hub lives in. */
  readonly namespace: EventHubsNamespaceRef;
  /** Hub (topic) name. */
  readonly name: string;
  /** Partitions; tier limits are checked by config/ before synth. @default 1 */
  readonly partitions?: number;
  /** Days events are kept. @default 1 */
  readonly retentionDays?: number;
  /** Refuse `terraform destroy` (prod). @default false */
  readonly preventDestroy?: boolean;
  /**
   * Write retention as `retention_description` (hours, cleanup policy Delete) instead of `message_retention` (days):
   * what Premium needs above 7 days.
   * @default false
   */
  readonly retentionAsDescription?: boolean;
}

/** Rights of a rule added to a hub. */
export interface HubRuleRights {
  /** May send to the hub. @default false */
  readonly send?: boolean;
  /** May listen on the hub. @default false */
  readonly listen?: boolean;
}

/**
 * An event hub as the stacks that use it see it: its topic, and the connection strings of the hub-scoped
 * rules on it, asked for by principal and right as aws-cdk-lib's grant methods are. The rules themselves
 * come from config (eventHubs.access), which has already checked that each principal gets what it needs.
 */
export interface IEventHubTopic {
  /** Hub name: the Kafka topic. */
  readonly hubName: string;
  /** The connection string of `principal`'s rule on this hub, which may send (a sensitive token). Throws when it has none. */
  grantSend(principal: string): string;
  /** The connection string of `principal`'s rule on this hub, which may listen (a sensitive token). Throws when it has none. */
  grantListen(principal: string): string;
}

export class EventHubsHub extends Construct implements IEventHubTopic {
  /** The underlying azurerm resource. */
  public readonly resource: AzureEventhub;
  /** Hub (topic) name. */
  public readonly hubName: string;
  /** Partition count. */
  public readonly partitions: number;
  /** Retention in days. */
  public readonly retentionDays: number;
  private readonly namespace: EventHubsNamespaceRef;
  private readonly rules = new Map<string, EventHubsAuthorizationRule>();

  constructor(scope: Construct, id: string, props: EventHubsHubProps) {
    super(scope, id);
    this.hubName = props.name;
    this.partitions = props.partitions ?? 1;
    this.retentionDays = props.retentionDays ?? 1;
    this.namespace = props.namespace;
    this.resource = new AzureEventhub(this, "hub", {
      name: props.name,
      namespaceId: props.namespace.namespaceId,
      partitionCount: this.partitions,
      ...(props.retentionAsDescription === true
        ? { retentionDescription: { cleanupPolicy: "Delete", retentionTimeInHours: this.retentionDays * 24 } }
        : { messageRetention: this.retentionDays }),
      lifecycle: props.preventDestroy === true ? { preventDestroy: true } : undefined,
    });
  }

  /** Adds a rule scoped to this hub only; its construct id is the rule name. */
  public addAuthorizationRule(name: string, rights: HubRuleRights): EventHubsAuthorizationRule {
    if (this.rules.has(name)) throw new Error(`Event hub "${this.hubName}" already has an authorization rule "${name}"`);
    const rule = new EventHubsAuthorizationRule(this, name, {
      name,
      eventHubName: this.resource.name,
      namespaceName: this.namespace.namespaceName,
      resourceGroupName: this.namespace.resourceGroupName,
      send: rights.send,
      listen: rights.listen,
    });
    this.rules.set(name, rule);
    return rule;
  }

  /** The rules of this hub, by name. */
  public get authorizationRules(): ReadonlyMap<string, EventHubsAuthorizationRule> {
    return this.rules;
  }

  public grantSend(principal: string): string {
    return this.ruleWith(principal, "send").connectionString;
  }

  public grantListen(principal: string): string {
    return this.ruleWith(principal, "listen").connectionString;
  }

  /** Rules are named after their principal (one rule per principal and hub). */
  private ruleWith(principal: string, right: "send" | "listen"): EventHubsAuthorizationRule {
    const rule = this.rules.get(principal);
    if (rule === undefined || !rule[right]) {
      const granted = [...this.rules.values()].map((r) => `${r.ruleName} (${[r.send && "send", r.listen && "listen"].filter(Boolean).join(" + ")})`);
      throw new Error(`Event hub "${this.hubName}": ${principal} has no rule that may ${right} (rules: ${granted.join(", ") || "none"}); grant it in eventHubs.access`);
    }
    return rule;
  }
}
