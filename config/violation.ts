// One configuration problem, and the error that reports all of them at once.
import type { z } from "zod";

/** A value that breaks a rule: where, what, and what would be accepted. */
export interface Violation {
  /** Environment name, e.g. dev. */
  readonly env: string;
  /** Dotted field path, e.g. eventHubs.topics.sensor-readings.partitions. */
  readonly path: string;
  /** The offending value (undefined when the field is missing). */
  readonly value: unknown;
  /** What is allowed instead. */
  readonly allowed: string;
}

/** Renders a value for a message: JSON, shortened; secrets never reach config, so values are safe to print. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `<env>: <field path>: <value> — <what is allowed>` */
export function formatViolation(violation: Violation): string {
  return `${violation.env}: ${violation.path}: ${describeValue(violation.value)} — ${violation.allowed}`;
}

/** Thrown when one or more environments are invalid; the message lists every violation, one per line. */
export class ConfigError extends Error {
  readonly violations: readonly Violation[];

  /** `heading` opens the message (what was refused); `hint`, when given, closes it (what to do). */
  constructor(violations: readonly Violation[], heading = "Invalid environment configuration", hint?: string) {
    const lines = violations.map((v) => `  - ${formatViolation(v)}`);
    const count = `${violations.length} problem${violations.length === 1 ? "" : "s"}`;
    super(`${heading} (${count}):\n${lines.join("\n")}${hint === undefined ? "" : `\n${hint}`}`);
    this.name = "ConfigError";
    this.violations = violations;
  }
}

/** Reads the value at a path inside a plain object, or undefined. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Turns zod's issues into violations, one per offending field. */
export function violationsFromZod(env: string, input: unknown, issues: readonly z.core.$ZodIssue[]): Violation[] {
  return issues.flatMap((issue): Violation[] => {
    const path = issue.path;
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        env,
        path: [...path, key].map(String).join("."),
        value: valueAt(input, [...path, key]),
        allowed: "not a known field (check its spelling)",
      }));
    }
    if (issue.code === "invalid_key") {
      // A record key (a topic, principal or Spark property name) is wrong: show the key, not its value.
      return [{ env, path: path.map(String).join("."), value: path[path.length - 1], allowed: issue.issues.map((inner) => inner.message).join("; ") }];
    }
    const value = valueAt(input, path);
    const allowed = issue.code === "invalid_type" ? `${value === undefined ? "required: " : ""}a ${issue.expected}` : issue.message;
    return [{ env, path: path.map(String).join(".") || "(root)", value, allowed }];
  });
}
