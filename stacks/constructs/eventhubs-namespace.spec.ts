import { Testing } from "cdktf";
// Brings the typings of cdktf's jest matchers (registered in test/setup-cdktf-matchers.ts) into scope.
import type {} from "cdktf/lib/testing/adapters/jest";
import { Eventhub } from "@cdktf/provider-azurerm/lib/eventhub";
import { EventhubNamespace } from "@cdktf/provider-azurerm/lib/eventhub-namespace";
import { EventHubsNamespace, type EventHubsNamespaceProps, type KafkaCapableSku } from "./eventhubs-namespace";

const base: EventHubsNamespaceProps = { name: "sensors-test-ab12", resourceGroupName: "rg-test", location: "westeurope" };

function synth(props: Partial<EventHubsNamespaceProps>, hubs: (ns: EventHubsNamespace) => void = () => undefined): string {
  return Testing.synthScope((scope) => {
    hubs(new EventHubsNamespace(scope, "ns", { ...base, ...props }));
  });
}

describe("EventHubsNamespace", () => {
  it("defaults to Standard, 1 TU, no auto-inflate, TLS 1.2, local auth for Kafka SASL, open network", () => {
    expect(synth({})).toHaveResourceWithProperties(EventhubNamespace, {
      name: "sensors-test-ab12",
      sku: "Standard",
      capacity: 1,
      auto_inflate_enabled: false,
      minimum_tls_version: "1.2",
      local_authentication_enabled: true,
      public_network_access_enabled: true,
      network_rulesets: [{ default_action: "Allow", public_network_access_enabled: true, trusted_service_access_enabled: true, ip_rule: [], virtual_network_rule: [] }],
    });
  });

  it("turns auto-inflate on with its maximum, and lets false settings through (?? not ||)", () => {
    const json = synth({ capacity: 3, autoInflateMaximum: 6, publicNetworkAccess: false, trustedServiceAccess: false, defaultAction: "Deny", ipRules: ["203.0.113.0/24"] });
    expect(json).toHaveResourceWithProperties(EventhubNamespace, {
      capacity: 3,
      auto_inflate_enabled: true,
      maximum_throughput_units: 6,
      public_network_access_enabled: false,
      network_rulesets: [
        { default_action: "Deny", public_network_access_enabled: false, trusted_service_access_enabled: false, ip_rule: [{ ip_mask: "203.0.113.0/24", action: "Allow" }], virtual_network_rule: [] },
      ],
    });
  });

  it("ignores auto-inflate on Premium, which has none", () => {
    const json = JSON.parse(synth({ sku: "Premium", capacity: 2, autoInflateMaximum: 8 }));
    const ns = Object.values(json.resource.azurerm_eventhub_namespace)[0] as Record<string, unknown>;
    expect(ns).toMatchObject({ sku: "Premium", capacity: 2, auto_inflate_enabled: false });
    expect(ns.maximum_throughput_units).toBeUndefined();
  });

  it("refuses Basic even when a caller forces it past the types", () => {
    expect(() => synth({ sku: "Basic" as KafkaCapableSku })).toThrow('Event Hubs namespace "sensors-test-ab12": sku Basic has no Kafka endpoint — use Standard or Premium');
  });

  it("exposes the FQDN and Kafka bootstrap", () => {
    Testing.synthScope((scope) => {
      const ns = new EventHubsNamespace(scope, "ns", base);
      expect(ns.fqdn).toBe("sensors-test-ab12.servicebus.windows.net");
      expect(ns.kafkaBootstrap).toBe("sensors-test-ab12.servicebus.windows.net:9093");
    });
  });

  it("adds event hubs that inherit prevent_destroy; Premium writes retention in hours", () => {
    const json = synth({ sku: "Premium", preventDestroy: true }, (ns) => {
      ns.addEventHub("sensor-readings", { partitions: 40, retentionDays: 30 });
    });
    expect(json).toHaveResourceWithProperties(EventhubNamespace, { lifecycle: { prevent_destroy: true } });
    expect(json).toHaveResourceWithProperties(Eventhub, {
      name: "sensor-readings",
      partition_count: 40,
      retention_description: { cleanup_policy: "Delete", retention_time_in_hours: 720 },
      lifecycle: { prevent_destroy: true },
    });
  });

  it("refuses a duplicate hub and names the hubs it has when asked for a missing one", () => {
    Testing.synthScope((scope) => {
      const ns = new EventHubsNamespace(scope, "ns", base);
      ns.addEventHub("a-hub");
      expect(() => ns.addEventHub("a-hub")).toThrow('already has an event hub "a-hub"');
      expect(() => ns.eventHub("b-hub")).toThrow('has no event hub "b-hub" (has: a-hub)');
    });
  });
});
