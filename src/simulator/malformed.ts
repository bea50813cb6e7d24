/**
 * Malformed messages, one kind per reason the streaming job rejects a reading into
 * sensor_data_rejected, so a run exercises every branch of that path.
 */
import type { Random } from "./random";

export const MALFORMED_KINDS = ["unparseable_json", "missing_sensor", "non_numeric_measure", "non_finite_measure"] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

type Measure = "measure1" | "measure2";

function pick<T>(random: Random, choices: readonly T[]): T {
  return choices[random.int(choices.length)];
}

/** A malformed payload of the given kind, built around an otherwise valid reading. */
export function malformedPayload(kind: MalformedKind, sensorJson: string, measure1: number, measure2: number, random: Random): string {
  const measure: Measure = random.int(2) === 0 ? "measure1" : "measure2";
  const valid = `{"sensor":${sensorJson},"measure1":${measure1},"measure2":${measure2}}`;
  // `corrupt` replaces one measure's JSON value with a raw token (which need not be valid JSON).
  const corrupt = (token: string): string =>
    measure === "measure1"
      ? `{"sensor":${sensorJson},"measure1":${token},"measure2":${measure2}}`
      : `{"sensor":${sensorJson},"measure1":${measure1},"measure2":${token}}`;
  switch (kind) {
    case "unparseable_json":
      return pick(random, [valid.slice(0, Math.max(1, Math.floor(valid.length / 2))), `sensor=${JSON.parse(sensorJson)};measure1=${measure1}`, ""]);
    case "missing_sensor":
      return pick(random, [`{"measure1":${measure1},"measure2":${measure2}}`, `{"sensor":null,"measure1":${measure1},"measure2":${measure2}}`]);
    case "non_numeric_measure":
      return corrupt(pick(random, ['"n/a"', "true", '"abc"']));
    case "non_finite_measure":
      // Not valid JSON, but Spark's JSON reader accepts these tokens (allowNonNumericNumbers) as non-finite doubles.
      return corrupt(pick(random, ["NaN", "Infinity", "-Infinity", "1e999"]));
  }
}
