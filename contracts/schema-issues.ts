/** One line per schema violation: `<field path>: <what is allowed>` (zod/mini has no English messages built in). */
import type * as z from "zod/mini";

type Issue = z.core.$ZodIssue;

export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => `${i.path.join(".") || "(root)"}: ${describe(i)}`).join("; ");
}

function describe(issue: Issue): string {
  if (issue.message && issue.message !== "Invalid input") return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return `expected at least ${String(issue.minimum)}`;
    case "invalid_format":
      return `expected ${issue.format}${"pattern" in issue && issue.pattern ? ` matching ${String(issue.pattern)}` : ""}`;
    default:
      return issue.code ?? "invalid";
  }
}
