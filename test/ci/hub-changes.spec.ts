// The event hub changes a plan must not carry to an apply (scripts/ci/lib/hub-changes.ts): generated plans, each hub
// with its actions, its partition counts before and after and its namespace's tier (fast-check).
import fc from "fast-check";
import { diffOutcome } from "../../scripts/ci/lib/diff-outcome";
import { hubChangeRefusals, hubPolicyOf, SKUS_THAT_ADD_PARTITIONS } from "../../scripts/ci/lib/hub-changes";
import type { StackDiffResult } from "../../scripts/ci/lib/plan-markdown";
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

/** A plan as `terraform show -json` writes it: the namespace (maybe, its sku maybe changing from `skuBefore`), its
 * hubs, a data source that reads a hub, and a secret beside them. */
function planOf(hubs: readonly Hub[], sku: string | undefined, skuBefore = sku) {
  const namespace = sku === undefined ? [] : [{ address: "azurerm_eventhub_namespace.ns", type: "azurerm_eventhub_namespace", mode: "managed", change: { actions: skuBefore === sku ? ["no-op"] : ["update"], before: { sku: skuBefore }, after: { sku, default_primary_connection_string: "Endpoint=sb://secret" } } }];
  const read = { address: "data.azurerm_eventhub.seen", type: "azurerm_eventhub", mode: "data", change: { actions: ["delete"], before: { name: "sensor-readings", partition_count: 100 }, after: null } };
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
  return { format_version: "1.2", resource_changes: [...namespace, read, ...hubChanges] };
}

/** What the rules say, hub by hub: the reason's kind, or undefined when the change may be applied. */
function expectedRefusal(hub: Hub, sku: string | undefined): "deletes" | "fewer" | "tier" | undefined {
  if (hub.actions.includes("delete")) return hub.allowed ? undefined : "deletes";
  if (!hub.actions.includes("update") || hub.from === hub.to) return undefined;
  if (hub.to < hub.from) return "fewer";
  return sku !== undefined && SKUS_THAT_ADD_PARTITIONS.includes(sku) ? undefined : "tier";
}
const kindOf = (reason: string) => (reason.includes("deletes every event") ? "deletes" : reason.includes("cannot remove partitions") ? "fewer" : reason.includes("only a Premium namespace adds partitions") ? "tier" : "other");

test("a hub change is refused exactly when it deletes retained events unasked, removes partitions, or adds them on a tier that cannot", () => {
  fc.assert(
    fc.property(fc.array(arbitraryHub, { maxLength: 4 }), fc.option(fc.constantFrom(...SKUS), { nil: undefined }), fc.constantFrom(...SKUS), fc.constantFrom(...SKUS), (hubs, planSku, skuBefore, configSku) => {
      const mayBeDeleted = hubs.filter((hub) => hub.allowed).map((hub) => hub.name);
      // A name allowed once is allowed for every hub of that name.
      const effective = hubs.map((hub) => ({ ...hub, allowed: mayBeDeleted.includes(hub.name) }));
      // The plan's sku is what the namespace will be (after); the config's is for a plan without the namespace.
      const refusals = hubChangeRefusals(planOf(hubs, planSku, skuBefore), hubPolicyOf({ sku: configSku, hubsThatMayBeDeleted: mayBeDeleted }));
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
  expect(tier.map((r) => r.reason)).toEqual(["partitions 8 → 16 on a Standard tier: only a Premium namespace adds partitions to a hub, so the apply would fail part way; keep 8, or move the namespace to Premium"]);
  const replaced = hubChangeRefusals(planOf([{ name: "sensor-stats", actions: ["delete", "create"], from: 4, to: 4, allowed: false }], "Standard"));
  expect(replaced.map((r) => r.reason)).toEqual(['replacing the hub deletes every event it retains; if that is wanted, add "sensor-stats" to eventHubs.hubsThatMayBeDeleted for this deploy, and remove it after']);
  // A removed topic's hub: its name is only in the plan's before.
  const removed = hubChangeRefusals(planOf([{ name: "old-topic", actions: ["delete"], from: 4, to: 4, allowed: false }], "Standard"));
  expect(removed.map((r) => [r.hub, r.reason.split(";")[0]])).toEqual([["old-topic", "deleting the hub deletes every event it retains"]]);
  expect(hubChangeRefusals(planOf([{ name: "old-topic", actions: ["delete"], from: 4, to: 4, allowed: false }], "Standard"), hubPolicyOf({ sku: "Standard", hubsThatMayBeDeleted: ["old-topic"] }))).toEqual([]);
});

test("a plan whose resource changes cannot be read is refused whole", () => {
  expect(hubChangeRefusals({ format_version: "1.2", resource_changes: [{ address: 1 }] }).map((r) => r.address)).toEqual(["(plan)"]);
  expect(hubChangeRefusals({ format_version: "1.2" })).toEqual([]); // a plan with no changes
});

type Shape = "failed" | "refused" | "changed" | "same";
const resultOf = (shape: Shape, i: number): StackDiffResult => {
  const stack = `sensors-dev-s${i}`;
  if (shape === "failed") return { stack, error: "boom" };
  const changes = shape === "same" ? [] : [{ address: "x.y", kind: "update" as const, changedAttributes: ["a"] }];
  const summary = { stack, changes, drifted: [], changedOutputs: [], counts: { add: 0, change: changes.length, destroy: 0 } };
  return { stack, summary, refusals: shape === "refused" ? [{ address: "azurerm_eventhub.h", hub: "h", reason: "r" }] : [] };
};

test("the exit code: a failed diff 1, then a refusal 3, then drift 2 when asked, else 0; a refusal is said beside a failed diff", () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom<Shape>("failed", "refused", "changed", "same"), { maxLength: 5 }), fc.boolean(), (shapes, failOnChanges) => {
      const outcome = diffOutcome("dev", shapes.map(resultOf), failOnChanges);
      const has = (shape: Shape) => shapes.includes(shape);
      const expected = has("failed") ? 1 : has("refused") ? 3 : failOnChanges && has("changed") ? 2 : 0;
      expect(outcome.code).toBe(expected);
      expect(outcome.errors.filter((line) => line.includes("refused:")).length).toBe(shapes.filter((shape) => shape === "refused").length);
    }),
  );
});

test("a refused change heads the plan's summary, with the reason beside its stack", () => {
  const plan = planOf([{ name: "sensor-readings", actions: ["update"], from: 8, to: 16, allowed: false }], "Standard");
  const summary = summarizePlan("sensors-dev-eventhubs", JSON.stringify(plan));
  const markdown = renderEnvironmentMarkdown("dev", [{ stack: summary.stack, summary, refusals: hubChangeRefusals(plan) }]);
  expect(markdown.split("\n")[0]).toBe("### ⛔ dev: 1 event hub change(s) refused — see below; nothing may be applied");
  expect(markdown).toContain("⛔ refused: `azurerm_eventhub.hub_0` (hub `sensor-readings`): partitions 8 → 16 on a Standard tier");
});
