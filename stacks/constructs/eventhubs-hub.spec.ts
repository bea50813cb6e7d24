import { Testing } from "cdktf";
// Brings the typings of cdktf's jest matchers (registered in test/setup-cdktf-matchers.ts) into scope.
import type {} from "cdktf/lib/testing/adapters/jest";
import { Eventhub } from "@cdktf/provider-azurerm/lib/eventhub";
import { EventhubAuthorizationRule } from "@cdktf/provider-azurerm/lib/eventhub-authorization-rule";
import { EventHubsHub } from "./eventhubs-hub";

const namespace = { namespaceId: "/subscriptions/x/ns", namespaceName: "sensors-test-ab12", resourceGroupName: "rg-test" };

describe("EventHubsHub", () => {
  it("defaults to 1 partition, 1 day retention (in days), no prevent_destroy", () => {
    const json = Testing.synthScope((scope) => {
      new EventHubsHub(scope, "hub", { namespace, name: "sensor-stats" });
    });
    expect(json).toHaveResourceWithProperties(Eventhub, { name: "sensor-stats", namespace_id: "/subscriptions/x/ns", partition_count: 1, message_retention: 1 });
    const hub = Object.values(JSON.parse(json).resource.azurerm_eventhub)[0] as Record<string, unknown>;
    expect(hub.lifecycle).toBeUndefined();
    expect(hub.retention_description).toBeUndefined();
  });

  it("adds hub-scoped rules with exactly the rights asked for and never manage", () => {
    const json = Testing.synthScope((scope) => {
      const hub = new EventHubsHub(scope, "hub", { namespace, name: "sensor-readings", partitions: 4, retentionDays: 3 });
      hub.addAuthorizationRule("simulator", { send: true });
      hub.addAuthorizationRule("aggregation-job", { listen: true });
      expect([...hub.authorizationRules.keys()]).toEqual(["simulator", "aggregation-job"]);
    });
    expect(json).toHaveResourceWithProperties(EventhubAuthorizationRule, { name: "simulator", send: true, listen: false, manage: false, namespace_name: "sensors-test-ab12" });
    expect(json).toHaveResourceWithProperties(EventhubAuthorizationRule, { name: "aggregation-job", send: false, listen: true, manage: false });
    // The rule names its hub through a reference, so Terraform creates the hub first.
    const rules = Object.values(JSON.parse(json).resource.azurerm_eventhub_authorization_rule) as Array<Record<string, unknown>>;
    for (const rule of rules) expect(rule.eventhub_name).toMatch(/^\$\{azurerm_eventhub\.hub_[A-F0-9]+\.name\}$/);
  });

  it("refuses a rule without rights and a duplicate rule", () => {
    Testing.synthScope((scope) => {
      const hub = new EventHubsHub(scope, "hub", { namespace, name: "sensor-readings" });
      expect(() => hub.addAuthorizationRule("idle", {})).toThrow('Authorization rule "idle": give it send, listen or both');
      hub.addAuthorizationRule("reader", { listen: true });
      expect(() => hub.addAuthorizationRule("reader", { listen: true })).toThrow('already has an authorization rule "reader"');
    });
  });
});
