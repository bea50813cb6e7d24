// A stable text form of a JSON value that may hold cdktf tokens, for hashing at synth time.
// Token markers depend on construction order, so each token is replaced by a fixed placeholder;
// its position (JSON path and surrounding literal text) still takes part in the hash.
import { Token, Tokenization } from "cdktf";

const PLACEHOLDER = "<terraform-value>";

/** JSON of `value` with every token replaced by a fixed placeholder; keys sorted, so key order does not matter. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): unknown {
  if (typeof value === "string") {
    return Token.isUnresolved(value) ? Tokenization.reverseString(value).literals.join(PLACEHOLDER) + `|${PLACEHOLDER}` : value;
  }
  if (typeof value === "number" && Token.isUnresolved(value)) return PLACEHOLDER;
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, normalize((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
