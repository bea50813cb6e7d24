import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { buildArtifact } from "../jobs/sensor_aggregation/build/build-artifact";
import { artifactFiles, computeManifest, manifestHash, parseSparkLine, resolvedJarDir } from "../jobs/sensor_aggregation/build/manifest";

const sha256 = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((p) => statSync(join(dir, p)).isFile())
    .map((p) => relative(dir, join(dir, p)))
    .sort();
}

describe("job artifact manifest (computed at synth time, no jar needed)", () => {
  it.each([
    ["3.1", "3.1.2", "2.12", ["commons-pool2-2.6.2.jar", "kafka-clients-2.6.0.jar", "spark-sql-kafka-0-10_2.12-3.1.2.jar", "spark-token-provider-kafka-0-10_2.12-3.1.2.jar"]],
    ["2.4", "2.4.7", "2.11", ["kafka-clients-2.7.0.jar", "spark-sql-kafka-0-10_2.11-2.4.7.jar"]],
  ] as const)("Spark %s ships the issue's jar set with the job files, sorted by path", (line, spark, scala, jars) => {
    const manifest = computeManifest(line);
    expect(manifest).toMatchObject({ name: "sensor-aggregation", sparkVersion: spark, scalaVersion: scala });
    const paths = manifest.files.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
    expect(paths).toEqual([...["batch-lines.json", "batch_lines.py", "checkpoint-runs.json", "checkpoint_lease.py", "checkpoint_runs.py", "create_tables.py", "driver-lease.json", "first_release_move.py", "job-config.schema.json", "job.py", "job_config.py", "job_tables.py", "maintenance.py", "reading_checks.py"], ...jars.map((j) => `jars/${j}`)].sort());
    for (const f of manifest.files) expect(f.kind).toBe(f.path.startsWith("jars/") ? "jar" : "job");
  });

  it("hash is sha256 over sha256sum-format lines, recomputable by any reader", () => {
    const manifest = computeManifest("3.1");
    const lines = manifest.files.map((f) => `${f.sha256}  ${f.path}\n`).join("");
    expect(manifest.hash).toBe(sha256(lines));
    expect(manifest.files.find((f) => f.path === "job.py")?.sha256).toBe(sha256(readFileSync(join(__dirname, "..", "jobs", "sensor_aggregation", "job.py"))));
  });

  it("same inputs give the same hash; any changed file changes it", () => {
    expect(computeManifest("2.4")).toEqual(computeManifest("2.4"));
    const files = computeManifest("2.4").files;
    const changed = files.map((f) => (f.path === "job_tables.py" ? { ...f, sha256: sha256("other ddl") } : f));
    expect(manifestHash(changed)).not.toBe(manifestHash(files));
    expect(manifestHash([...files].reverse())).toBe(manifestHash(files));
    expect(computeManifest("2.4").hash).not.toBe(computeManifest("3.1").hash);
  });

  it("artifactFiles gives each file's local source and built path", () => {
    for (const f of artifactFiles("3.1")) {
      expect(f.builtPath.endsWith(join("dist", "artifacts", "sensor-aggregation-3.1", f.path))).toBe(true);
      if (f.kind === "jar") expect(f.sourcePath).toBe(join(resolvedJarDir("3.1"), f.path.slice(5)));
    }
  });

  it("rejects an unknown Spark line naming the allowed ones", () => {
    expect(() => parseSparkLine("3.3")).toThrow('unknown Spark line "3.3"; allowed: 2.4, 3.1');
  });
});

describe("npm run build:job (real Maven-resolved jars from setup)", () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "job-artifact-"));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it("writes exactly the manifest's files, verified, and the same manifest twice", () => {
    const log: string[] = [];
    const first = buildArtifact("3.1", { outDir: join(work, "a"), log: (l) => log.push(l) });
    const second = buildArtifact("3.1", { outDir: join(work, "b"), log: () => undefined });
    expect(second).toEqual(first);
    expect(first).toEqual(computeManifest("3.1"));
    expect(readFileSync(join(work, "a", "manifest.json"), "utf8")).toBe(readFileSync(join(work, "b", "manifest.json"), "utf8"));
    expect(listFiles(join(work, "a"))).toEqual([...first.files.map((f) => f.path), "manifest.json"].sort());
    for (const f of first.files) {
      const data = readFileSync(join(work, "a", f.path));
      expect({ path: f.path, sha256: sha256(data), size: data.length }).toEqual({ path: f.path, sha256: f.sha256, size: f.size });
    }
    expect(log.at(-1)).toContain(first.hash);
  });

  it("refuses a jar that differs from the lock", () => {
    const jars = join(work, "jars");
    const real = artifactFiles("2.4").filter((f) => f.kind === "jar");
    mkdirSync(jars);
    for (const f of real) copyFileSync(f.sourcePath, join(jars, f.path.slice(5)));
    writeFileSync(join(jars, "kafka-clients-2.7.0.jar"), "not the real jar");
    expect(() => buildArtifact("2.4", { jarDir: jars, outDir: join(work, "out"), log: () => undefined })).toThrow(
      /jars\/kafka-clients-2\.7\.0\.jar: sha256 [0-9a-f]{64} \(16 bytes\) does not match jars\.lock\.json/,
    );
  });
});
