// scripts/ci/verify-artifact.ts: the promoted artifact must be exactly what the build recorded.
// The manifest hash is recomputed independently with coreutils' sha256sum (docs/interfaces.md §2).
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { artifactHash } from "../../scripts/ci/lib/artifact-manifest";
import { ARTIFACT_DIR_NAME as NAME, makeArtifact } from "./artifact-fixture";
import { REPO_ROOT } from "./ci-files";

const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const SCRIPT = path.join(REPO_ROOT, "scripts", "ci", "verify-artifact.ts");

describe("verify-artifact", () => {
  let root: string;
  let hash: string;
  const verify = (...args: string[]) => {
    const r = spawnSync(TSX, [SCRIPT, "--root", path.join(root, "dist"), ...args], { encoding: "utf8" });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "verify-artifact-"));
    hash = makeArtifact(path.join(root, "dist"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("computes the §2 hash exactly as sha256sum does", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, "dist", NAME, "manifest.json"), "utf8"));
    expect(artifactHash(manifest.files)).toBe(hash);
  });

  it("accepts an intact artifact, prints and records its hash", () => {
    const hashes = path.join(root, "hashes.json");
    const r = verify("--write-hashes", hashes);
    expect(r.status).toBe(0);
    expect(r.out).toContain(`${NAME}=${hash}`);
    expect(JSON.parse(readFileSync(hashes, "utf8"))).toEqual({ [NAME]: hash });
    expect(verify("--expect-hashes", hashes).status).toBe(0);
  });

  it("rejects a file changed after the build, naming it", () => {
    appendFileSync(path.join(root, "dist", NAME, "job.py"), "import os\n");
    const r = verify();
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/job\.py: size \d+, manifest says \d+/);
    expect(r.out).toMatch(/job\.py: sha256 [0-9a-f]{64}, manifest says/);
  });

  it("rejects a file slipped in and a file missing", () => {
    writeFileSync(path.join(root, "dist", NAME, "jars", "extra.jar"), "x");
    rmSync(path.join(root, "dist", NAME, "tables.sql"));
    const r = verify();
    expect(r.status).toBe(1);
    expect(r.out).toContain("jars/extra.jar: present but not in the manifest");
    expect(r.out).toContain("tables.sql: listed in the manifest but missing");
  });

  it("rejects a consistent artifact that is not the one the build recorded (a rebuild or a swap)", () => {
    const expected = path.join(root, "expected.json");
    writeFileSync(expected, JSON.stringify({ [NAME]: "0".repeat(64) }));
    const r = verify("--expect-hashes", expected);
    expect(r.status).toBe(1);
    expect(r.out).toContain(`${NAME}: hash ${hash} but the build job recorded ${"0".repeat(64)}`);
    writeFileSync(expected, JSON.stringify({ [NAME]: hash, "sensor-aggregation-2.4": hash }));
    expect(verify("--expect-hashes", expected).out).toContain("sensor-aggregation-2.4: hash (missing)");
  });

  it("rejects a manifest whose hash does not match its own file list", () => {
    const file = path.join(root, "dist", NAME, "manifest.json");
    const m = JSON.parse(readFileSync(file, "utf8"));
    m.hash = "f".repeat(64);
    writeFileSync(file, JSON.stringify(m));
    expect(verify().out).toContain(`manifest hash ${"f".repeat(64)} does not match its file list (${hash})`);
  });

  it("says what to do when there is no artifact", () => {
    rmSync(path.join(root, "dist"), { recursive: true });
    const r = verify();
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/no artifact .* run `npm run build:job` or download the pipeline artifact first/);
  });
});
