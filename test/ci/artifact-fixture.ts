// A small job artifact laid out as docs/interfaces.md §2 describes, hashed with coreutils'
// sha256sum rather than with the code under test, for the artifact-checking specs.
import { execSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const ARTIFACT_DIR_NAME = "sensor-aggregation-3.1";

/** Writes `<root>/sensor-aggregation-3.1/` with a manifest; returns the artifact hash. */
export function makeArtifact(root: string, jobText = "print('job')\n"): string {
  const dir = path.join(root, ARTIFACT_DIR_NAME);
  mkdirSync(path.join(dir, "jars"), { recursive: true });
  writeFileSync(path.join(dir, "job.py"), jobText);
  writeFileSync(path.join(dir, "tables.sql"), "CREATE TABLE t (x INT);\n");
  writeFileSync(path.join(dir, "jars", "kafka-clients-2.6.0.jar"), Buffer.alloc(4096, 7));
  const paths = ["jars/kafka-clients-2.6.0.jar", "job.py", "tables.sql"];
  const sums = execSync(`sha256sum ${paths.join(" ")}`, { cwd: dir, encoding: "utf8" });
  const hash = execSync("sha256sum", { input: sums, encoding: "utf8" }).split(" ")[0];
  const files = sums
    .trim()
    .split("\n")
    .map((line) => {
      const [sha256, p] = line.split(/\s+/);
      return { path: p, sha256, size: readFileSync(path.join(dir, p)).length, kind: p.startsWith("jars/") ? "jar" : "job" };
    });
  const manifest = { name: "sensor-aggregation", hash, sparkVersion: "3.1.2", scalaVersion: "2.12", files };
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return hash;
}
