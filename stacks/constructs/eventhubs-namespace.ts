// An Event Hubs namespace with its Kafka endpoint: TLS 1.2, SAS (local) auth for Kafka SASL PLAIN, sized capacity, network rules.
import { Construct } from "constructs";
import { AzureEventhubNamespace } from "../lib/azurerm-resources";
import { EventHubsHub, type EventHubsHubProps } from "./eventhubs-hub";
import { EVENTHUBS_KAFKA_PORT } from "../../contracts/eventhubs-connection-string";

/** SKUs with a Kafka endpoint (Basic has none, so it cannot be chosen). */
export type KafkaCapableSku = "Standard" | "Premium";

/** Props of {@link EventHubsNamespace}. */
export interface EventHubsNamespaceProps {
  /** Globally unique namespace name (6–50 characters; checked by config/). */
  readonly name: string;
  /** Resource group to create it in. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;
  /** Standard or Premium; never Basic, which has no Kafka endpoint. @default "Standard" */
  readonly sku?: KafkaCapableSku;
  /** Throughput units (Standard) or processing units (Premium). @default 1 */
  readonly capacity?: number;
  /** Standard only: most TUs auto-inflate may reach; undefined turns auto-inflate off. @default undefined (no auto-inflate) */
  readonly autoInflateMaximum?: number;
  /** Reachable from public networks (subject to `defaultAction` and `ipRules`). @default true */
  readonly publicNetworkAccess?: boolean;
  /** What the network rule set does with traffic no rule matches. @default "Allow" */
  readonly defaultAction?: "Allow" | "Deny";
  /** IPv4 addresses or CIDR ranges allowed in when `defaultAction` is Deny. @default [] */
  readonly ipRules?: readonly string[];
  /** Let trusted Microsoft services bypass the network rules. @default true */
  readonly trustedServiceAccess?: boolean;
  /** DNS suffix of the Service Bus endpoint (other clouds differ). @default "servicebus.windows.net" */
  readonly dnsSuffix?: string;
  /** Azure tags. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** Refuse `terraform destroy` of the namespace and of every hub added to it (prod). @default false */
  readonly preventDestroy?: boolean;
}

/** Options of {@link EventHubsNamespace.addEventHub}. */
export type AddEventHubOptions = Omit<EventHubsHubProps, "namespace" | "name" | "preventDestroy" | "retentionAsDescription">;

export class EventHubsNamespace extends Construct {
  /** The underlying azurerm resource. */
  public readonly resource: AzureEventhubNamespace;
  /** Namespace name (a plain string, known at synth). */
  public readonly namespaceName: string;
  /** Namespace resource id (a Terraform token). */
  public readonly namespaceId: string;
  /** Resource group of the namespace. */
  public readonly resourceGroupName: string;
  /** `<name>.servicebus.windows.net`. */
  public readonly fqdn: string;
  /** Kafka bootstrap server, `<name>.servicebus.windows.net:9093`. */
  public readonly kafkaBootstrap: string;
  /** Standard or Premium. */
  public readonly sku: KafkaCapableSku;
  /** Throughput units (Standard) or processing units (Premium). */
  public readonly capacity: number;
  /** Most TUs auto-inflate may reach; undefined when auto-inflate is off. */
  public readonly autoInflateMaximum: number | undefined;
  private readonly preventDestroy: boolean;
  private readonly hubs = new Map<string, EventHubsHub>();

  constructor(scope: Construct, id: string, props: EventHubsNamespaceProps) {
    super(scope, id);
    this.sku = props.sku ?? "Standard";
    if ((this.sku as string) === "Basic") throw new Error(`Event Hubs namespace "${props.name}": sku Basic has no Kafka endpoint — use Standard or Premium`);
    this.capacity = props.capacity ?? 1;
    this.autoInflateMaximum = this.sku === "Standard" ? props.autoInflateMaximum : undefined;
    this.preventDestroy = props.preventDestroy ?? false;
    this.namespaceName = props.name;
    this.resourceGroupName = props.resourceGroupName;
    this.fqdn = `${props.name}.${props.dnsSuffix ?? "servicebus.windows.net"}`;
    this.kafkaBootstrap = `${this.fqdn}:${EVENTHUBS_KAFKA_PORT}`;
    const publicNetworkAccess = props.publicNetworkAccess ?? true;

    this.resource = new AzureEventhubNamespace(this, "namespace", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: this.sku,
      capacity: this.capacity,
      autoInflateEnabled: this.autoInflateMaximum !== undefined,
      maximumThroughputUnits: this.autoInflateMaximum,
      minimumTlsVersion: "1.2",
      // Kafka clients authenticate with SASL PLAIN and a SAS connection string, which needs local auth.
      localAuthenticationEnabled: true,
      publicNetworkAccessEnabled: publicNetworkAccess,
      networkRulesets: [
        {
          defaultAction: props.defaultAction ?? "Allow",
          publicNetworkAccessEnabled: publicNetworkAccess,
          trustedServiceAccessEnabled: props.trustedServiceAccess ?? true,
          ipRule: (props.ipRules ?? []).map((ipMask) => ({ ipMask, action: "Allow" })),
          virtualNetworkRule: [],
        },
      ],
      tags: { ...(props.tags ?? {}) },
      lifecycle: this.preventDestroy ? { preventDestroy: true } : undefined,
    });
    this.namespaceId = this.resource.id;
  }

  /** Adds an event hub (Kafka topic); it inherits the namespace's preventDestroy. */
  public addEventHub(name: string, options: AddEventHubOptions = {}): EventHubsHub {
    if (this.hubs.has(name)) throw new Error(`Event Hubs namespace "${this.namespaceName}" already has an event hub "${name}"`);
    const hub = new EventHubsHub(this, `hub-${name}`, {
      ...options,
      name,
      namespace: { namespaceId: this.namespaceId, namespaceName: this.resource.name, resourceGroupName: this.resourceGroupName },
      preventDestroy: this.preventDestroy,
      retentionAsDescription: this.sku === "Premium",
    });
    this.hubs.set(name, hub);
    return hub;
  }

  /** The event hub of that name; throws naming the hubs there are. */
  public eventHub(name: string): EventHubsHub {
    const hub = this.hubs.get(name);
    if (hub === undefined) throw new Error(`Event Hubs namespace "${this.namespaceName}" has no event hub "${name}" (has: ${[...this.hubs.keys()].join(", ")})`);
    return hub;
  }

  /** Every event hub, by name. */
  public get eventHubs(): ReadonlyMap<string, EventHubsHub> {
    return this.hubs;
  }
}
