/**
 * Test-side judge of a message value, written independently of the simulator's generator: is it
 * a valid reading, and if not, which rejection reason applies (the reasons the job uses).
 */
export type Verdict =
  | { kind: "valid"; sensor: string; measure1: number; measure2: number }
  | { kind: "unparseable_json" | "missing_sensor" | "non_numeric_measure" | "non_finite_measure" };

export function classify(value: string): Verdict {
  // Spark's JSON reader accepts NaN/Infinity tokens and overflows 1e999 to Infinity; mirror that.
  const relaxed = value.replace(/(:\s*)(-?Infinity|NaN)(?=\s*[,}])/g, '$1"__nonfinite__"');
  let parsed: unknown;
  try {
    parsed = JSON.parse(relaxed);
  } catch {
    return { kind: "unparseable_json" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { kind: "unparseable_json" };
  const record = parsed as Record<string, unknown>;
  if (typeof record.sensor !== "string" || record.sensor === "") return { kind: "missing_sensor" };
  const measures = [record.measure1, record.measure2];
  if (measures.some((m) => m === "__nonfinite__" || (typeof m === "number" && !Number.isFinite(m)))) return { kind: "non_finite_measure" };
  if (measures.some((m) => typeof m !== "number")) return { kind: "non_numeric_measure" };
  return { kind: "valid", sensor: record.sensor, measure1: record.measure1 as number, measure2: record.measure2 as number };
}

export function meanAndStddev(values: readonly number[]): { mean: number; stddev: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, stddev: Math.sqrt(variance) };
}
