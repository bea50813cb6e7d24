// Cross-field rules of an environment's target (contracts/deploy-target.ts): a Spark version the job's jar lines
// cover, a platform the deployer can deploy to, credentials never in clear. Each problem is one violation.
import { DEPLOYABLE_TARGET_KINDS, type TargetKind } from "../contracts/deploy-target";
import { SPARK_LINES, type SparkLine } from "../jobs/sensor_aggregation/build/manifest";
import type { Violation } from "./violation";

type Raw = Record<string, unknown>;
const record = (value: unknown): Raw => (value !== null && typeof value === "object" ? (value as Raw) : {});

/** Why a platform the schema knows is not deployable yet, for the refusal. */
const NOT_DEPLOYABLE: Partial<Record<TargetKind, string>> = {
  hdinsight: "its job files and checkpoint live in Blob storage or ADLS Gen2, and the deployer has no Blob file store yet",
  synapse: "its job files and checkpoint live in Blob storage or ADLS Gen2, and the deployer has no Blob file store yet",
};

/** The Spark line of a target's `sparkVersion`, when the job's jars cover it. */
export function sparkLineOfVersion(version: string): SparkLine | undefined {
  return (SPARK_LINES as readonly string[]).includes(version) ? (version as SparkLine) : undefined;
}

export function targetViolations(env: string, input: unknown): Violation[] {
  const violations: Violation[] = [];
  const add = (path: string, value: unknown, allowed: string) => violations.push({ env, path, value, allowed });
  const root = record(input);
  const target = record(root.target);
  const kind = target.kind as TargetKind | undefined;
  if (kind === undefined || kind === "bdc") return violations;

  if (typeof kind === "string" && NOT_DEPLOYABLE[kind] !== undefined) {
    add("target.kind", kind, `one of ${DEPLOYABLE_TARGET_KINDS.join(", ")} for now: ${NOT_DEPLOYABLE[kind]}`);
  }
  // The local environment runs this machine's PySpark whatever its target says.
  if (root.localStack === undefined && typeof target.sparkVersion === "string" && sparkLineOfVersion(target.sparkVersion) === undefined) {
    add(
      "target.sparkVersion",
      target.sparkVersion,
      `a Spark line the job's connector jars cover: ${SPARK_LINES.join(", ")} (jobs/sensor_aggregation/jars/jars.lock.json); ${kind} Spark ${target.sparkVersion} needs its own jar line`,
    );
  }
  if (kind === "livy" && target.auth === "basic" && typeof target.livyUrl === "string" && !target.livyUrl.startsWith("https://")) {
    add("target.livyUrl", target.livyUrl, "an https:// URL: with auth basic the credentials are never sent in clear");
  }
  return violations;
}
