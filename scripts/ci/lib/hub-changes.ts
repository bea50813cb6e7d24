// Event hub changes a plan must not carry to an apply (issue 28 item 3). Since azurerm 3.75 a partition_count change
// is an update in place, not a replacement, but two of them fail only at apply, after the apply has changed whatever
// came before:
//   - fewer partitions: no tier removes partitions;
//   - more partitions on a Basic or Standard namespace: only Premium adds partitions to a hub (Microsoft, "Dynamically
//     add partitions"; azurerm refuses the update for any other sku).
// A plan that deletes or replaces a hub (a topic renamed or removed) deletes every event the hub retains: refused
// unless the environment names the hub in eventHubs.hubsThatMayBeDeleted. Reads only each hub's name,
// partition_count and its namespace's sku: plan JSON carries secrets elsewhere, and they are never kept.
import * as z from "zod";

const hubValues = z.object({ name: z.string().optional(), partition_count: z.number().optional() }).passthrough();
const resourceChange = z.object({
  address: z.string(),
  type: z.string(),
  mode: z.string(),
  change: z.object({ actions: z.array(z.string()), before: z.unknown().optional(), after: z.unknown().optional() }),
});
const plan = z.object({ resource_changes: z.array(resourceChange).optional() });

/** The namespace sku whose hubs take more partitions (Dedicated clusters do too, but they are not a namespace sku). */
export const SKUS_THAT_ADD_PARTITIONS: readonly string[] = ["Premium"];

/** What the environment lets a deploy do to its hubs, from its config. */
export interface HubPolicy {
  /** The namespace's sku, for a plan that does not hold the namespace. */
  readonly sku?: string;
  /** Hubs whose deletion or replacement the environment allows. */
  readonly mayBeDeleted?: ReadonlySet<string>;
}

export function hubPolicyOf(eventHubs: { readonly sku: string; readonly hubsThatMayBeDeleted?: readonly string[] }): HubPolicy {
  return { sku: eventHubs.sku, mayBeDeleted: new Set(eventHubs.hubsThatMayBeDeleted ?? []) };
}

export interface HubRefusal {
  readonly address: string;
  readonly hub: string;
  readonly reason: string;
}

const valuesOf = (value: unknown) => {
  const parsed = hubValues.safeParse(value);
  return parsed.success ? parsed.data : undefined;
};

/** The namespace's sku in the plan (what it will be), if the plan holds the namespace. */
function planSku(changes: readonly z.infer<typeof resourceChange>[]): string | undefined {
  for (const rc of changes) {
    if (rc.type !== "azurerm_eventhub_namespace") continue;
    for (const side of [rc.change.after, rc.change.before]) {
      const sku = (side as { sku?: unknown } | null | undefined)?.sku;
      if (typeof sku === "string") return sku;
    }
  }
  return undefined;
}

/** Every hub change in one stack's plan (`terraform show -json`, parsed) that the apply must not attempt. A plan it
 * cannot read is refused whole: what it would do to the hubs is unknown. */
export function hubChangeRefusals(planJson: unknown, policy: HubPolicy = {}): HubRefusal[] {
  const parsed = plan.safeParse(planJson);
  if (!parsed.success) return [{ address: "(plan)", hub: "(unknown)", reason: "the plan's resource changes are not in the form terraform show -json writes; nothing may be applied from it" }];
  const changes = parsed.data.resource_changes ?? [];
  const sku = planSku(changes) ?? policy.sku;
  const refusals: HubRefusal[] = [];
  for (const rc of changes) {
    if (rc.type !== "azurerm_eventhub" || rc.mode !== "managed") continue;
    const before = valuesOf(rc.change.before);
    const after = valuesOf(rc.change.after);
    const hub = after?.name ?? before?.name ?? rc.address;
    const refuse = (reason: string) => refusals.push({ address: rc.address, hub, reason });
    if (rc.change.actions.includes("delete")) {
      if (policy.mayBeDeleted?.has(hub) !== true) {
        refuse(`${rc.change.actions.includes("create") ? "replacing" : "deleting"} the hub deletes every event it retains; if that is wanted, add "${hub}" to eventHubs.hubsThatMayBeDeleted for this deploy, and remove it after`);
      }
      continue;
    }
    const from = before?.partition_count;
    const to = after?.partition_count;
    if (!rc.change.actions.includes("update") || from === undefined || to === undefined || from === to) continue;
    if (to < from) refuse(`partitions ${from} → ${to}: Event Hubs cannot remove partitions from a hub; keep ${from}, or add a hub under a new name`);
    else if (sku === undefined || !SKUS_THAT_ADD_PARTITIONS.includes(sku)) {
      refuse(`partitions ${from} → ${to} on a ${sku ?? "namespace of unknown"} tier: only a Premium namespace adds partitions to a hub, so the apply would fail part way; keep ${from}, or move the namespace to Premium`);
    }
  }
  return refusals;
}
