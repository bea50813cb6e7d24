// Renders plan summaries as GitHub-flavoured markdown (GitHub step summary / PR comment,
// Azure Pipelines build summary). Addresses and attribute names only, never values.
import type { HubRefusal } from "./hub-changes";
import type { ChangeKind, ResourceChange, StackPlanSummary } from "./terraform-plan";

/** What happened to one stack's diff: a plan (and the hub changes it must not apply), or the reason there is none. */
export type StackDiffResult = { stack: string; summary: StackPlanSummary; refusals?: readonly HubRefusal[] } | { stack: string; error: string };

const KIND_LABEL: Record<ChangeKind, string> = {
  create: "🟢 create",
  update: "🟡 update",
  replace: "🟠 replace",
  delete: "🔴 delete",
  forget: "⚪ forget",
};

/** GitHub rejects comments above 65536 characters; long plans are cut per stack, not mid-table. */
const MAX_ROWS_PER_STACK = 60;

function code(text: string): string {
  // Resource addresses can hold quotes and brackets; backticks and pipes would break the table.
  return "`" + text.replace(/`/g, "'").replace(/\|/g, "\\|") + "`";
}

function countsLine(s: StackPlanSummary): string {
  return `${s.counts.add} to add, ${s.counts.change} to change, ${s.counts.destroy} to destroy`;
}

function table(rows: ResourceChange[]): string[] {
  const lines = ["| action | resource | changed attributes |", "|---|---|---|"];
  for (const r of rows.slice(0, MAX_ROWS_PER_STACK)) {
    const attrs = r.changedAttributes.map(code).join(", ");
    const reason = r.reason ? ` (${r.reason.replace(/_/g, " ")})` : "";
    lines.push(`| ${KIND_LABEL[r.kind]}${reason} | ${code(r.address)} | ${attrs} |`);
  }
  if (rows.length > MAX_ROWS_PER_STACK) {
    lines.push(`| … | ${rows.length - MAX_ROWS_PER_STACK} more, see the job log | |`);
  }
  return lines;
}

function renderStack(result: StackDiffResult): string[] {
  if ("error" in result) {
    return [`#### ❌ \`${result.stack}\`: diff failed`, "", "```text", result.error.trim(), "```", ""];
  }
  const s = result.summary;
  const lines: string[] = [];
  if (s.changes.length === 0) {
    lines.push(`#### ✅ \`${s.stack}\`: no changes`, "");
  } else {
    lines.push(`#### \`${s.stack}\`: ${countsLine(s)}`, "", ...table(s.changes), "");
  }
  for (const refusal of result.refusals ?? []) lines.push(`⛔ refused: ${code(refusal.address)} (hub ${code(refusal.hub)}): ${refusal.reason}`, "");
  if (s.drifted.length > 0) {
    lines.push(
      `<details><summary>⚠️ ${s.drifted.length} resource(s) changed outside Terraform since the last deploy</summary>`,
      "",
      ...table(s.drifted),
      "",
      "</details>",
      "",
    );
  }
  if (s.changedOutputs.length > 0) {
    lines.push(`Outputs that would change: ${s.changedOutputs.map(code).join(", ")}`, "");
  }
  return lines;
}

/** One environment's section: a headline with totals, then one block per stack. */
export function renderEnvironmentMarkdown(env: string, results: StackDiffResult[], context?: string): string {
  const ok = results.flatMap((r) => ("summary" in r ? [r.summary] : []));
  const failed = results.length - ok.length;
  const total = ok.reduce(
    (acc, s) => ({ add: acc.add + s.counts.add, change: acc.change + s.counts.change, destroy: acc.destroy + s.counts.destroy }),
    { add: 0, change: 0, destroy: 0 },
  );
  const changed = ok.some((s) => s.changes.length > 0);
  const refused = results.reduce((count, r) => count + ("refusals" in r ? (r.refusals?.length ?? 0) : 0), 0);
  let headline: string;
  if (failed > 0) headline = `❌ ${env}: diff failed for ${failed} of ${results.length} stack(s)`;
  else if (refused > 0) headline = `⛔ ${env}: ${refused} event hub change(s) refused — see below; nothing may be applied`;
  else if (!changed) headline = `✅ ${env}: no changes — live infrastructure matches the code`;
  else headline = `📝 ${env}: ${total.add} to add, ${total.change} to change, ${total.destroy} to destroy`;
  const lines = [`### ${headline}`, ""];
  if (context) lines.push(context, "");
  for (const r of results) lines.push(...renderStack(r));
  return lines.join("\n");
}
