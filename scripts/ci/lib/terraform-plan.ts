// Reads the JSON form of a saved Terraform plan (`terraform show -json plan`) and reduces it to
// what a reviewer needs: which resources change, how, and which attribute NAMES change.
// Values are never kept: plan JSON carries sensitive values in clear text.
import * as z from "zod";

/** Terraform's action list for one resource, e.g. ["create"], ["delete","create"] (replace). */
const actionsSchema = z.array(z.enum(["no-op", "create", "read", "update", "delete", "forget"]));

const resourceChangeSchema = z.object({
  address: z.string(),
  mode: z.enum(["managed", "data"]),
  type: z.string(),
  change: z.object({
    actions: actionsSchema,
    before: z.unknown().optional(),
    after: z.unknown().optional(),
    after_unknown: z.unknown().optional(),
  }),
  action_reason: z.string().optional(),
});

const planSchema = z.object({
  format_version: z.string(),
  terraform_version: z.string().optional(),
  resource_changes: z.array(resourceChangeSchema).optional(),
  resource_drift: z.array(resourceChangeSchema).optional(),
  output_changes: z.record(z.string(), z.object({ actions: actionsSchema })).optional(),
  errored: z.boolean().optional(),
});

export type ChangeKind = "create" | "update" | "replace" | "delete" | "forget";

/** One resource that applying the plan would change. */
export interface ResourceChange {
  address: string;
  kind: ChangeKind;
  /** Names of top-level attributes whose value differs or becomes known only after apply. */
  changedAttributes: string[];
  /** Terraform's reason for the action (e.g. replace_because_cannot_update), if any. */
  reason?: string;
}

/** What one stack's plan would do. */
export interface StackPlanSummary {
  stack: string;
  changes: ResourceChange[];
  /** Resources Terraform found changed outside of Terraform since the last apply. */
  drifted: ResourceChange[];
  /** Names of root outputs whose value would change. */
  changedOutputs: string[];
  counts: { add: number; change: number; destroy: number };
}

export class PlanFormatError extends Error {}

function kindOf(actions: readonly string[]): ChangeKind | undefined {
  const set = new Set(actions);
  if (set.has("create") && set.has("delete")) return "replace";
  if (set.has("create")) return "create";
  if (set.has("delete")) return "delete";
  if (set.has("update")) return "update";
  if (set.has("forget")) return "forget";
  return undefined; // no-op and read do not change infrastructure
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Attribute names only: comparing serialized values keeps nested changes under their top-level name. */
function changedAttributeNames(before: unknown, after: unknown, afterUnknown: unknown): string[] {
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const unknown = isRecord(afterUnknown) ? afterUnknown : {};
  const names = new Set([...Object.keys(b), ...Object.keys(a), ...Object.keys(unknown)]);
  return [...names]
    .filter((n) => JSON.stringify(b[n]) !== JSON.stringify(a[n]) || unknown[n] === true || isRecord(unknown[n]))
    .filter((n) => !(b[n] === undefined && a[n] === null && unknown[n] === undefined))
    .sort();
}

function toChanges(entries: z.infer<typeof resourceChangeSchema>[]): ResourceChange[] {
  const out: ResourceChange[] = [];
  for (const rc of entries) {
    if (rc.mode !== "managed") continue;
    const kind = kindOf(rc.change.actions);
    if (!kind) continue;
    const change: ResourceChange = {
      address: rc.address,
      kind,
      changedAttributes:
        kind === "update" || kind === "replace"
          ? changedAttributeNames(rc.change.before, rc.change.after, rc.change.after_unknown)
          : [],
    };
    if (rc.action_reason) change.reason = rc.action_reason;
    out.push(change);
  }
  return out.sort((x, y) => (x.address < y.address ? -1 : x.address > y.address ? 1 : 0));
}

/** Parses `terraform show -json <planfile>` output of one stack. Throws PlanFormatError on anything else. */
export function summarizePlan(stack: string, planJson: string): StackPlanSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(planJson);
  } catch (err) {
    throw new PlanFormatError(`${stack}: plan is not JSON (${(err as Error).message})`);
  }
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new PlanFormatError(`${stack}: not a Terraform plan in JSON form (${issues})`);
  }
  const plan = parsed.data;
  if (plan.errored) throw new PlanFormatError(`${stack}: Terraform reports the plan as errored`);
  const changes = toChanges(plan.resource_changes ?? []);
  // Drift entries are "update"/"delete" records describing the change that happened outside Terraform.
  const drifted = toChanges(plan.resource_drift ?? []);
  const changedOutputs = Object.entries(plan.output_changes ?? {})
    .filter(([, oc]) => kindOf(oc.actions) !== undefined)
    .map(([name]) => name)
    .sort();
  const counts = { add: 0, change: 0, destroy: 0 };
  for (const c of changes) {
    if (c.kind === "create" || c.kind === "replace") counts.add++;
    if (c.kind === "delete" || c.kind === "replace") counts.destroy++;
    if (c.kind === "update") counts.change++;
  }
  return { stack, changes, drifted, changedOutputs, counts };
}

/** True when applying the code would change live infrastructure (what the drift check fails on). */
export function hasInfrastructureChanges(summary: StackPlanSummary): boolean {
  return summary.changes.length > 0;
}
