import { Testing } from "cdktf";
// Brings the typings of cdktf's jest matchers (registered in test/setup-cdktf-matchers.ts) into scope.
import type {} from "cdktf/lib/testing/adapters/jest";
import { EventhubAuthorizationRule } from "@cdktf/provider-azurerm/lib/eventhub-authorization-rule";
import { EventHubsAuthorizationRule } from "./eventhubs-authorization-rule";

const props = { name: "stats-consumer", eventHubName: "sensor-stats", namespaceName: "sensors-test-ab12", resourceGroupName: "rg-test" };

describe("EventHubsAuthorizationRule", () => {
  it("writes send/listen as given and manage false; the connection string is a reference, not a value", () => {
    const json = Testing.synthScope((scope) => {
      const rule = new EventHubsAuthorizationRule(scope, "rule", { ...props, listen: true });
      expect(rule.send).toBe(false);
      expect(rule.listen).toBe(true);
      expect(scope.node.tryFindChild("rule")).toBe(rule);
    });
    expect(json).toHaveResourceWithProperties(EventhubAuthorizationRule, {
      name: "stats-consumer",
      eventhub_name: "sensor-stats",
      namespace_name: "sensors-test-ab12",
      resource_group_name: "rg-test",
      listen: true,
      send: false,
      manage: false,
    });
  });

  it("refuses a rule with neither send nor listen", () => {
    expect(() => Testing.synthScope((scope) => new EventHubsAuthorizationRule(scope, "rule", { ...props, send: false, listen: false }))).toThrow(
      'Authorization rule "stats-consumer": give it send, listen or both',
    );
  });
});
