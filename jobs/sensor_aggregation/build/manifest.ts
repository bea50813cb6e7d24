/**
 * The sensor-aggregation artifact's manifest (docs/interfaces.md §2), computed synchronously
 * from the committed job sources and the committed jar lock, so cdktf can name and upload
 * the artifact at synth time without the jars being present.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { comparePaths, manifestHash, sha256Hex, type Manifest, type ManifestFile } from "../../../contracts/artifact-manifest";

/** The Spark lines a BDC runs: 2.4 (CU9–CU12) and 3.1 (CU13+). */
export type SparkLine = "2.4" | "3.1";
export const SPARK_LINES: readonly SparkLine[] = ["2.4", "3.1"];
/** The line of the PySpark this machine runs (requirements-dev.txt): the tests' and the local environment's. */
export const LOCAL_SPARK_LINE = "3.5-test";
/** Every line an artifact can be built for. */
export type ArtifactLine = SparkLine | typeof LOCAL_SPARK_LINE;
export const ARTIFACT_LINES: readonly ArtifactLine[] = [...SPARK_LINES, LOCAL_SPARK_LINE];

export const ARTIFACT_NAME = "sensor-aggregation";

/** The job's own files, shipped as they are in jobs/sensor_aggregation/. */
export const JOB_FILES: readonly string[] = ["batch-lines.json", "batch_lines.py", "checkpoint-runs.json", "checkpoint_lease.py", "checkpoint_runs.py", "create_tables.py", "driver-lease.json", "first_release_move.py", "job-config.schema.json", "job.py", "job_config.py", "job_tables.py", "maintenance.py", "reading_checks.py"];

export type { ManifestFile };
/** The manifest (contracts/artifact-manifest.ts) of this artifact. */
export type ArtifactManifest = Manifest & { name: typeof ARTIFACT_NAME };

export interface ArtifactFile extends ManifestFile {
  /** Where the file is before the build: the committed job source, or the Maven-resolved jar in .cache/jars/ (after setup). */
  sourcePath: string;
  /** Where `npm run build:job` puts it: dist/artifacts/sensor-aggregation-<line>/<path>. */
  builtPath: string;
}

interface LockedJar {
  file: string;
  coordinate: string;
  sha256: string;
  size: number;
}
interface LockedLine {
  pom: string;
  sparkVersion: string;
  scalaVersion: string;
  jars: LockedJar[];
}

export const JOB_DIR = resolve(__dirname, "..");
const JARS_DIR = join(JOB_DIR, "jars");
const REPO_ROOT = resolve(JOB_DIR, "..", "..");

/** Throws a clear error for anything but a supported Spark line. */
export function parseSparkLine(value: string): SparkLine {
  if ((SPARK_LINES as readonly string[]).includes(value)) return value as SparkLine;
  throw new Error(`unknown Spark line "${value}"; allowed: ${SPARK_LINES.join(", ")}`);
}

/** Throws a clear error for anything but a line an artifact can be built for. */
export function parseArtifactLine(value: string): ArtifactLine {
  if ((ARTIFACT_LINES as readonly string[]).includes(value)) return value as ArtifactLine;
  throw new Error(`unknown Spark line "${value}"; allowed: ${ARTIFACT_LINES.join(", ")}`);
}

export function lockedLine(sparkLine: ArtifactLine): LockedLine {
  const lock = JSON.parse(readFileSync(join(JARS_DIR, "jars.lock.json"), "utf8")) as { lines: Record<string, LockedLine> };
  const line = lock.lines[parseArtifactLine(sparkLine)];
  if (!line) throw new Error(`jars.lock.json has no entry for Spark line ${sparkLine}`);
  return line;
}

/** Directory the build writes: dist/artifacts/sensor-aggregation-<line>/. */
export function artifactDir(sparkLine: ArtifactLine): string {
  return join(REPO_ROOT, "dist", "artifacts", `${ARTIFACT_NAME}-${parseArtifactLine(sparkLine)}`);
}

/** Directory scripts/setup.d/31-spark-jars.sh resolves this line's jars into. */
export function resolvedJarDir(sparkLine: ArtifactLine): string {
  const pomDir = lockedLine(sparkLine).pom.split("/")[0];
  return join(REPO_ROOT, ".cache", "jars", pomDir);
}

export { manifestHash, sha256Hex };

/** Every file of the artifact with its digest, size and local paths; jars from the lock, job files hashed now. */
export function artifactFiles(sparkLine: ArtifactLine): ArtifactFile[] {
  const line = lockedLine(sparkLine);
  const outDir = artifactDir(sparkLine);
  const jarDir = resolvedJarDir(sparkLine);
  const jobFiles = JOB_FILES.map((name): ArtifactFile => {
    const sourcePath = join(JOB_DIR, name);
    const data = readFileSync(sourcePath);
    return { path: name, sha256: sha256Hex(data), size: data.length, kind: "job", sourcePath, builtPath: join(outDir, name) };
  });
  const jars = line.jars.map((jar): ArtifactFile => ({
    path: `jars/${jar.file}`,
    sha256: jar.sha256,
    size: jar.size,
    kind: "jar",
    sourcePath: join(jarDir, jar.file),
    builtPath: join(outDir, "jars", jar.file),
  }));
  return [...jobFiles, ...jars].sort(comparePaths);
}

/** The manifest `npm run build:job` writes, computed without building (synchronous, no jar needed). */
export function computeManifest(sparkLine: ArtifactLine): ArtifactManifest {
  const line = lockedLine(sparkLine);
  const files = artifactFiles(sparkLine).map(({ path, sha256, size, kind }) => ({ path, sha256, size, kind }));
  return {
    name: ARTIFACT_NAME,
    hash: manifestHash(files),
    sparkVersion: line.sparkVersion,
    scalaVersion: line.scalaVersion,
    files,
  };
}
