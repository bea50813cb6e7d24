/**
 * The seed's sensor readings as Kafka messages: `{"sensor": "Sensor 1", "measure1": N(37, 7),
 * "measure2": U(0, 1)}`, the sensor chosen uniformly. A seeded source gives the same messages in
 * the same order every time; the malformed ones are spread evenly so that exactly
 * floor(n * fraction) of the first n messages are malformed.
 */
import { MALFORMED_KINDS, type MalformedKind, malformedPayload } from "./malformed";
import { createRandom } from "./random";

export const MEASURE1_MEAN = 37;
export const MEASURE1_STDDEV = 7;

export interface SimulatedMessage {
  /** Sensor name, used as the Kafka key when keying by sensor. */
  readonly key: string;
  /** JSON text of the reading (or a malformed payload). */
  readonly value: string;
  /** Set on malformed messages only. */
  readonly malformedKind?: MalformedKind;
}

export interface ReadingSourceOptions {
  /** Sensor names to draw from. */
  readonly sensors: readonly string[];
  /** PRNG seed: the same seed gives the same messages. */
  readonly seed: number;
  /** Fraction of malformed messages, 0..1. @default 0 */
  readonly malformedFraction?: number;
}

export interface ReadingSource {
  next(): SimulatedMessage;
  /** Messages produced so far. */
  readonly count: number;
}

export function createReadingSource(options: ReadingSourceOptions): ReadingSource {
  const random = createRandom(options.seed);
  const fraction = options.malformedFraction ?? 0;
  const sensorJson = options.sensors.map((name) => JSON.stringify(name));
  let count = 0;

  return {
    get count() {
      return count;
    },
    next(): SimulatedMessage {
      const index = count++;
      const sensor = random.int(sensorJson.length);
      const measure1 = random.normal(MEASURE1_MEAN, MEASURE1_STDDEV);
      const measure2 = random.uniform();
      const key = options.sensors[sensor];
      if (Math.floor((index + 1) * fraction) > Math.floor(index * fraction)) {
        const kind = MALFORMED_KINDS[random.int(MALFORMED_KINDS.length)];
        return { key, value: malformedPayload(kind, sensorJson[sensor], measure1, measure2, random), malformedKind: kind };
      }
      return { key, value: `{"sensor":${sensorJson[sensor]},"measure1":${measure1},"measure2":${measure2}}` };
    },
  };
}
