// The event hub changes a plan must not carry to an apply (scripts/ci/lib/hub-changes.ts): generated plans, each hub
// with its actions, its partition counts before and after and its namespace's tier (fast-check).
import fc from "fast-check";
import { hubChangeRefusals, SKUS_THAT_ADD_PARTITIONS } from "../../scripts/ci/lib/hub-changes";
import { renderEnvironmentMarkdown } from "../../scripts/ci/lib/plan-markdown";
import { summarizePlan } from "../../scripts/ci/lib/terraform-plan";

const ACTIONS = [["no-op"], ["update"], ["delete", "create"], ["create", "delete"], ["delete"], ["create"]] as const;
const SKUS = ["Basic", "Standard", "Premium", "Dedicated"] as const;

interface Hub {
  name: string;
  actions: readonly string[];
  from: number;
  to: number;
  allowed: boolean;
}

// The count after is mostly one or two off the count before: the edges of each rule.
const arbitraryHub: fc.Arbitrary<Hub> = fc
  .record({
    name: fc.constantFrom("sensor-readings", "sensor-stats", "other-topic"),
    actions: fc.constantFrom(...ACTIONS),
    from: fc.integer({ min: 1, max: 100 }),
    delta: fc.oneof(fc.integer({ min: -2, max: 2 }), fc.integer({ min: -99, max: 99 })),
    allowed: fc.boolean(),
  })
  .map(({ delta, ...hub }) => ({ ...hub, to: Math.min(100, Math.max(1, hub.from + delta)) }));

/** A plan as `terraform show -json` writes it: the namespace (maybe), its hubs, and a secret beside them. */
function planOf(hubs: readonly Hub[], sku: string | undefined) {
  const namespace = sku === undefined ? [] : [{ address: "azurerm_eventhub_namespace.ns", type: "azurerm_eventhub_namespace", mode: "managed", change: { actions: ["no-op"], before: { sku }, after: { sku, default_primary_connection_string: "Endpoint=sb://secret" } } }];
  const hubChanges = hubs.map((hub, i) => ({
    address: `azurerm_eventhub.hub_${i}`,
    type: "azurerm_eventhub",
    mode: "managed",
    change: {
      actions: hub.actions,
      before: hub.actions.includes("create") && !hub.actions.includes("delete") ? null : { name: hub.name, partition_count: hub.from },
      after: hub.actions.includes("delete") && !hub.actions.includes("create") ? null : { name: hub.name, partition_count: hub.to },
    },
  }));
  return { format_version: "1.2", resource_changes: [...namespace, ...hubChanges] };
}

/** What the rules say, hub by hub: the reason's kind, or undefined when the change may be applied. */
function expectedRefusal(hub: Hub, sku: string | undefined): "deletes" | "fewer" | "tier" | undefined {
  if (hub.actions.includes("delete")) return hub.allowed ? undefined : "deletes";
  if (!hub.actions.includes("update") || hub.from === hub.to) return undefined;
  if (hub.to < hub.from) return "fewer";
  return sku !== undefined && SKUS_THAT_ADD_PARTITIONS.includes(sku) ? undefined : "tier";
}
const kindOf = (reason: string) => (reason.includes("deletes every event") ? "deletes" : reason.includes("cannot remove partitions") ? "fewer" : reason.includes("only Premium and Dedicated") ? "tier" : "other");

test("a hub change is refused exactly when it deletes retained events unasked, removes partitions, or adds them on a tier that cannot", () => {
  fc.assert(
    fc.property(fc.array(arbitraryHub, { maxLength: 4 }), fc.option(fc.constantFrom(...SKUS), { nil: undefined }), fc.option(fc.constantFrom(...SKUS), { nil: undefined }), (hubs, planSku, configSku) => {
      const allowRecreate = new Set(hubs.filter((hub) => hub.allowed).map((hub) => hub.name));
      // A name allowed once is allowed for every hub of that name.
      const effective = hubs.map((hub) => ({ ...hub, allowed: allowRecreate.has(hub.name) }));
      const refusals = hubChangeRefusals(planOf(hubs, planSku), { sku: configSku, allowRecreate });
      const expected = effective.flatMap((hub, i) => {
        const kind = expectedRefusal(hub, planSku ?? configSku);
        return kind === undefined ? [] : [{ address: `azurerm_eventhub.hub_${i}`, hub: hub.name, kind }];
      });
      expect(refusals.map((r) => ({ address: r.address, hub: r.hub, kind: kindOf(r.reason) }))).toEqual(expected);
      // The plan's secrets never reach a message.
      expect(JSON.stringify(refusals)).not.toContain("secret");
    }),
    { numRuns: 500 },
  );
});

test("the messages give the counts and what to do instead", () => {
  const fewer = hubChangeRefusals(planOf([{ name: "sensor-readings", actions: ["update"], from: 8, to: 4, allowed: false }], "Premium"));
  expect(fewer.map((r) => r.reason)).toEqual(["partitions 8 → 4: Event Hubs cannot remove partitions from a hub; keep 8, or add a hub under a new name"]);
  const tier = hubChangeRefusals(planOf([{ name: "sensor-readings", actions: ["update"], from: 8, to: 16, allowed: false }], "Standard"));
  expect(tier.map((r) => r.reason)).toEqual(["partitions 8 → 16 on a Standard tier: only Premium and Dedicated add partitions to a hub, so the apply would fail part way; keep 8, or move the namespace to Premium"]);
  const replaced = hubChangeRefusals(planOf([{ name: "sensor-stats", actions: ["delete", "create"], from: 4, to: 4, allowed: false }], "Standard"));
  expect(replaced.map((r) => r.reason)).toEqual(["replacing the hub deletes every event it retains; if that is wanted, set eventHubs.topics.sensor-stats.allowRecreate: true for this deploy"]);
});

test("a refused change heads the plan's summary, with the reason beside its stack", () => {
  const plan = planOf([{ name: "sensor-readings", actions: ["update"], from: 8, to: 16, allowed: false }], "Standard");
  const summary = summarizePlan("sensors-dev-eventhubs", JSON.stringify(plan));
  const markdown = renderEnvironmentMarkdown("dev", [{ stack: summary.stack, summary, refusals: hubChangeRefusals(plan) }]);
  expect(markdown.split("\n")[0]).toBe("### ⛔ dev: 1 event hub change(s) refused — see below; nothing may be applied");
  expect(markdown).toContain("⛔ refused: `azurerm_eventhub.hub_0` (hub `sensor-readings`): partitions 8 → 16 on a Standard tier");
});
