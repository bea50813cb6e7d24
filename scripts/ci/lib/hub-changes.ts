// Event hub changes a plan must not carry to an apply (issue 28 item 3). Since azurerm 3.75 a partition_count change
// is an update in place, not a replacement, but Event Hubs itself refuses two of them, and only at apply, after the
// apply has changed whatever came before:
//   - fewer partitions: no tier can remove partitions (the provider refuses it too);
//   - more partitions on a Basic or Standard namespace: only Premium and Dedicated add partitions.
// A plan that deletes or replaces a hub (a topic renamed or removed) deletes every event the hub retains: refused
// unless the environment says it is wanted (eventHubs.topics.<name>.allowRecreate). Reads only each hub's name,
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

/** Event Hubs tiers that add partitions to an existing hub (Microsoft: "Dynamically add partitions"). */
export const SKUS_THAT_ADD_PARTITIONS: readonly string[] = ["Premium", "Dedicated"];

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

/**
 * Every hub change in one stack's plan (`terraform show -json`, parsed) that the apply must not attempt.
 * `sku`: the namespace's tier when the plan does not hold the namespace (the environment's config);
 * `allowRecreate`: hubs whose deletion the environment allows.
 */
export function hubChangeRefusals(planJson: unknown, options: { sku?: string; allowRecreate?: ReadonlySet<string> } = {}): HubRefusal[] {
  const parsed = plan.safeParse(planJson);
  if (!parsed.success) return [];
  const changes = parsed.data.resource_changes ?? [];
  const sku = planSku(changes) ?? options.sku;
  const refusals: HubRefusal[] = [];
  for (const rc of changes) {
    if (rc.type !== "azurerm_eventhub" || rc.mode !== "managed") continue;
    const before = valuesOf(rc.change.before);
    const after = valuesOf(rc.change.after);
    const hub = after?.name ?? before?.name ?? rc.address;
    const refuse = (reason: string) => refusals.push({ address: rc.address, hub, reason });
    if (rc.change.actions.includes("delete")) {
      if (options.allowRecreate?.has(hub) !== true) {
        refuse(`${rc.change.actions.includes("create") ? "replacing" : "deleting"} the hub deletes every event it retains; if that is wanted, set eventHubs.topics.${hub}.allowRecreate: true for this deploy`);
      }
      continue;
    }
    const from = before?.partition_count;
    const to = after?.partition_count;
    if (!rc.change.actions.includes("update") || from === undefined || to === undefined || from === to) continue;
    if (to < from) refuse(`partitions ${from} → ${to}: Event Hubs cannot remove partitions from a hub; keep ${from}, or add a hub under a new name`);
    else if (sku === undefined || !SKUS_THAT_ADD_PARTITIONS.includes(sku)) {
      refuse(`partitions ${from} → ${to} on a ${sku ?? "namespace of unknown"} tier: only ${SKUS_THAT_ADD_PARTITIONS.join(" and ")} add partitions to a hub, so the apply would fail part way; keep ${from}, or move the namespace to Premium`);
    }
  }
  return refusals;
}
