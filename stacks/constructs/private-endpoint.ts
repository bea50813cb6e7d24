// A private endpoint for one Azure service resource (an Event Hubs namespace, a storage account's
// blob service) in a subnet of the environment's network, optionally registered in its private DNS zones.
import { Construct } from "constructs";
import type { PrivateEndpoint } from "@cdktf/provider-azurerm/lib/private-endpoint";

export interface ServicePrivateEndpointProps {
  /** Name of the endpoint (its network interface gets `<name>-nic`). */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** Subnet the endpoint's address comes from. */
  readonly subnetId: string;
  /** The resource reached through it. */
  readonly resourceId: string;
  /** Its sub-resource: "namespace" (Event Hubs) or "blob" (storage). */
  readonly subresource: "namespace" | "blob";
  /** Private DNS zones to register the endpoint in (privatelink.servicebus.windows.net, privatelink.blob.core.windows.net). @default [] */
  readonly privateDnsZoneIds?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
}

export class ServicePrivateEndpoint extends Construct {
  public readonly endpoint: PrivateEndpoint;

  constructor(scope: Construct, id: string, props: ServicePrivateEndpointProps) {
    super(scope, id);
    const zones = props.privateDnsZoneIds ?? [];
    // Required here, not imported: the class is 180 KB that a synth without private endpoints need not load.
    const generated = require("@cdktf/provider-azurerm/lib/private-endpoint") as typeof import("@cdktf/provider-azurerm/lib/private-endpoint");
    this.endpoint = new generated.PrivateEndpoint(this, "endpoint", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      subnetId: props.subnetId,
      customNetworkInterfaceName: `${props.name}-nic`,
      privateServiceConnection: {
        name: `${props.name}-connection`,
        privateConnectionResourceId: props.resourceId,
        subresourceNames: [props.subresource],
        isManualConnection: false,
      },
      ...(zones.length > 0 ? { privateDnsZoneGroup: { name: "default", privateDnsZoneIds: [...zones] } } : {}),
      tags: { ...(props.tags ?? {}) },
    });
  }
}
