// Which Spark line (and so which connector jar set, jars.lock.json beside this file) a BDC release runs.
// config/load.ts derives each environment's `sparkLine` from it.
// CU9–CU12 ship Spark 2.4.7 / Scala 2.11; CU13 and later ship Spark 3.1.x / Scala 2.12.

import type { SparkLine } from "../build/manifest";

/** Earliest release this project deploys to: the seed's Kafka jars need CU9 or later. */
export const MIN_BDC_RELEASE = 9;

/** First release on Spark 3.1. */
export const FIRST_SPARK_31_RELEASE = 13;

/** Maps a BDC cumulative update number (e.g. 12 for CU12) to its Spark line; refuses releases before CU9. */
export function sparkLineForRelease(release: number): SparkLine {
  if (!Number.isInteger(release) || release < MIN_BDC_RELEASE) {
    throw new Error(
      `bdc.release: ${release} — allowed: an integer CU number >= ${MIN_BDC_RELEASE} (CU9–CU12 run Spark 2.4, CU13+ Spark 3.1)`,
    );
  }
  return release >= FIRST_SPARK_31_RELEASE ? "3.1" : "2.4";
}
