/**
 * Builds the content-addressed job artifact (docs/interfaces.md §2):
 *
 *   npm run build:job -- --spark 3.1|2.4|3.5-test
 *
 * Copies the job files (JOB_FILES: the scripts, their modules, the config schema) and the connector jars of that Spark line
 * (Maven-resolved from jobs/sensor_aggregation/jars/<line>/pom.xml, each checked against
 * jars.lock.json) into dist/artifacts/sensor-aggregation-<line>/ and writes manifest.json.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command, Option } from "commander";
import { ARTIFACT_LINES, artifactDir, artifactFiles, computeManifest, parseArtifactLine, resolvedJarDir, sha256Hex, type ArtifactLine, type ArtifactManifest } from "./manifest";

export interface BuildOptions {
  /** Where the jars are taken from. @default .cache/jars/<pom dir> (resolved by Maven when missing) */
  readonly jarDir?: string;
  /** Directory to write the artifact into (emptied first). @default dist/artifacts/sensor-aggregation-<line> */
  readonly outDir?: string;
  /** Progress lines. @default console.log */
  readonly log?: (line: string) => void;
}

const RESOLVE_JARS = join(__dirname, "..", "jars", "resolve_jars.py");

/** Builds the artifact and returns its manifest; throws if any file differs from what the manifest promises. */
export function buildArtifact(sparkLine: ArtifactLine, options: BuildOptions = {}): ArtifactManifest {
  const log = options.log ?? ((line: string) => console.log(line));
  const jarDir = options.jarDir ?? resolvedJarDir(sparkLine);
  const outDir = options.outDir ?? artifactDir(sparkLine);
  const manifest = computeManifest(sparkLine);
  const files = artifactFiles(sparkLine).map((f) => (f.kind === "jar" ? { ...f, sourcePath: join(jarDir, f.path.slice("jars/".length)) } : f));

  if (options.jarDir === undefined && files.some((f) => f.kind === "jar" && !existsSync(f.sourcePath))) {
    log(`build:job: resolving the Spark ${sparkLine} connector jars with Maven`);
    execFileSync("python3", [RESOLVE_JARS, sparkLine], { stdio: ["ignore", "ignore", "inherit"] });
  }

  rmSync(outDir, { recursive: true, force: true });
  for (const [index, file] of files.entries()) {
    if (!existsSync(file.sourcePath)) throw new Error(`${file.path}: source ${file.sourcePath} is missing (run bash scripts/setup.sh)`);
    const data = readFileSync(file.sourcePath);
    const digest = sha256Hex(data);
    if (digest !== file.sha256 || data.length !== file.size) {
      throw new Error(
        `${file.path}: sha256 ${digest} (${data.length} bytes) does not match ${file.kind === "jar" ? "jars.lock.json" : "the manifest"} ` +
          `(${file.sha256}, ${file.size} bytes); refusing to build`,
      );
    }
    const target = join(outDir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file.sourcePath, target);
    log(`build:job: [${index + 1}/${files.length}] ${file.path} (${data.length} bytes) verified`);
  }
  writeFileSync(join(outDir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  log(`build:job: ${outDir} — Spark ${manifest.sparkVersion} / Scala ${manifest.scalaVersion}, hash ${manifest.hash}`);
  return manifest;
}

function main(argv: readonly string[]): void {
  const program = new Command()
    .name("build:job")
    .description("Build the content-addressed sensor-aggregation artifact for one Spark line")
    .addOption(new Option("--spark <line>", "Spark line of the target BDC (2.4: CU9–CU12, 3.1: CU13+), or 3.5-test: this machine's PySpark (the local environment)").choices([...ARTIFACT_LINES]).makeOptionMandatory())
    .parse([...argv]);
  buildArtifact(parseArtifactLine(program.opts<{ spark: string }>().spark));
}

if (require.main === module) {
  try {
    main(process.argv);
  } catch (error) {
    console.error(`build:job: ${(error as Error).message}`);
    process.exit(1);
  }
}
