/**
 * Turns the Kafka client's nested errors (aggregates of per-broker failures, with causes) into
 * one readable line, e.g. "connect ECONNREFUSED 127.0.0.1:9092".
 */

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  errors?: unknown;
  cause?: unknown;
}

function collect(error: unknown, into: string[], depth: number): void {
  if (depth > 6 || error === null || error === undefined) return;
  if (typeof error !== "object") {
    into.push(String(error));
    return;
  }
  const e = error as ErrorLike;
  const nested = [...(Array.isArray(e.errors) ? e.errors : []), ...(e.cause !== undefined ? [e.cause] : [])];
  if (nested.length === 0) {
    into.push(typeof e.message === "string" && e.message ? e.message : String(e.code ?? error));
    return;
  }
  for (const inner of nested) collect(inner, into, depth + 1);
}

/** The innermost messages of an error tree, de-duplicated, joined by "; ". */
export function describeKafkaError(error: unknown): string {
  const messages: string[] = [];
  collect(error, messages, 0);
  const unique = [...new Set(messages.map((m) => m.trim()).filter(Boolean))];
  return unique.length > 0 ? unique.join("; ") : String(error);
}

/** True when any error in the tree carries this Kafka protocol error id (e.g. UNKNOWN_TOPIC_OR_PARTITION). */
export function hasKafkaErrorId(error: unknown, id: string, depth = 0): boolean {
  if (depth > 6 || typeof error !== "object" || error === null) return false;
  const e = error as ErrorLike & { apiId?: unknown };
  if (e.apiId === id) return true;
  const nested = [...(Array.isArray(e.errors) ? e.errors : []), ...(e.cause !== undefined ? [e.cause] : [])];
  return nested.some((inner) => hasKafkaErrorId(inner, id, depth + 1));
}
