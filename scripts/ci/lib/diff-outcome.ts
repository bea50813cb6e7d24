// What diff-environment.ts exits with, and the lines it prints to say why, from every stack's diff.
import type { StackDiffResult } from "./plan-markdown";
import { hasInfrastructureChanges } from "./terraform-plan";

/** 0: diffs ran (and, with failOnChanges, nothing would change); 1: a diff failed; 2: failOnChanges and something
 * would change (drift); 3: a plan holds a refused event hub change. A refusal is said even beside a failed diff. */
export function diffOutcome(env: string, results: readonly StackDiffResult[], failOnChanges: boolean): { code: 0 | 1 | 2 | 3; errors: string[]; info: string[] } {
  const errors = results.flatMap((r) => ("refusals" in r ? (r.refusals ?? []) : [])).map((refusal) => `error: [${env}] refused: ${refusal.address} (hub ${refusal.hub}): ${refusal.reason}`);
  const failed = results.filter((r) => "error" in r).map((r) => r.stack);
  if (failed.length > 0) return { code: 1, errors: [...errors, `error: [${env}] diff failed for: ${failed.join(", ")}`], info: [] };
  if (errors.length > 0) return { code: 3, errors, info: [] };
  const changed = results.flatMap((r) => ("summary" in r && hasInfrastructureChanges(r.summary) ? [r.stack] : []));
  const info = [`==> [${env}] ${changed.length === 0 ? "no changes" : `changes in: ${changed.join(", ")}`}`];
  if (failOnChanges && changed.length > 0) return { code: 2, errors: [`error: [${env}] live infrastructure differs from the code (drift) in: ${changed.join(", ")}`], info };
  return { code: 0, errors: [], info };
}
