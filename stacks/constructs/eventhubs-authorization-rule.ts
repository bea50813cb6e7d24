// A least-privilege Event Hubs authorization rule scoped to one event hub: send and/or listen, never manage.
import { Construct } from "constructs";
import { AzureEventhubAuthorizationRule } from "../lib/azurerm-resources";

/** Props of {@link EventHubsAuthorizationRule}. */
export interface EventHubsAuthorizationRuleProps {
  /** Rule name in Azure (the principal that uses it, e.g. aggregation-job). */
  readonly name: string;
  /** Event hub the rule is scoped to (a reference to the hub's name, so Terraform creates the hub first). */
  readonly eventHubName: string;
  /** Namespace holding the event hub. */
  readonly namespaceName: string;
  /** Resource group of the namespace. */
  readonly resourceGroupName: string;
  /** May send (produce) to the hub. @default false */
  readonly send?: boolean;
  /** May listen (consume) on the hub. @default false */
  readonly listen?: boolean;
}

/** Hub-scoped rule. There is deliberately no `manage` option: nothing this project runs needs it. */
export class EventHubsAuthorizationRule extends Construct {
  /** The underlying azurerm resource. */
  public readonly resource: AzureEventhubAuthorizationRule;
  /** Rule name. */
  public readonly ruleName: string;
  /** Event hub the rule is scoped to. */
  public readonly eventHubName: string;
  /** Whether the rule may send. */
  public readonly send: boolean;
  /** Whether the rule may listen. */
  public readonly listen: boolean;
  /** Primary connection string (with EntityPath): a Terraform token that is sensitive in state and outputs. */
  public readonly connectionString: string;

  constructor(scope: Construct, id: string, props: EventHubsAuthorizationRuleProps) {
    super(scope, id);
    this.send = props.send ?? false;
    this.listen = props.listen ?? false;
    if (!this.send && !this.listen) {
      throw new Error(`Authorization rule "${props.name}": give it send, listen or both (a rule without rights is useless; manage is never granted)`);
    }
    this.ruleName = props.name;
    this.eventHubName = props.eventHubName;
    this.resource = new AzureEventhubAuthorizationRule(this, "rule", {
      name: props.name,
      eventhubName: props.eventHubName,
      namespaceName: props.namespaceName,
      resourceGroupName: props.resourceGroupName,
      send: this.send,
      listen: this.listen,
      manage: false,
    });
    this.connectionString = this.resource.primaryConnectionString;
  }
}
