// scripts/ci/check-synth-artifact.ts: the synthesized stacks must deploy one of the verified
// artifacts (same commit as the artifact), checked on a cdktf.out laid out as cdktf writes it.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ARTIFACT_DIR_NAME, makeArtifact } from "./artifact-fixture";
import { REPO_ROOT } from "./ci-files";

const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const SCRIPT = path.join(REPO_ROOT, "scripts", "ci", "check-synth-artifact.ts");

function synthOut(root: string, outputs: Record<string, string | undefined>): string {
  const out = path.join(root, "cdktf.out");
  const stacks: Record<string, object> = {};
  for (const [name, hash] of Object.entries(outputs)) {
    const dir = path.join(out, "stacks", name);
    mkdirSync(dir, { recursive: true });
    const tf = hash === undefined ? { resource: {} } : { output: { artifact_hash: { value: hash } } };
    writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(tf));
    stacks[name] = { name, workingDirectory: `stacks/${name}`, dependencies: [] };
  }
  writeFileSync(path.join(out, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks }));
  return out;
}

describe("check-synth-artifact", () => {
  let root: string;
  let hash: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "check-synth-"));
    hash = makeArtifact(path.join(root, "dist"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const check = (out: string) => {
    const r = spawnSync(TSX, [SCRIPT, "--env", "dev", "--out-dir", out, "--root", path.join(root, "dist")], { encoding: "utf8" });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  it("passes when the bdc stack deploys the verified artifact", () => {
    const r = check(synthOut(root, { "sensors-dev-eventhubs": undefined, "sensors-dev-bdc": hash }));
    expect(r.status).toBe(0);
    expect(r.out).toContain(`sensors-dev-bdc deploys ${ARTIFACT_DIR_NAME} (${hash})`);
  });

  it("fails when the code would deploy another artifact (old artifact, new code)", () => {
    const other = "a".repeat(64);
    const r = check(synthOut(root, { "sensors-dev-eventhubs": undefined, "sensors-dev-bdc": other }));
    expect(r.status).toBe(1);
    expect(r.out).toContain(`sensors-dev-bdc would deploy artifact ${other}, which is not among the verified artifacts: ${ARTIFACT_DIR_NAME}=${hash}`);
  });

  it("fails when the environment synthesizes no artifact at all", () => {
    const r = check(synthOut(root, { "sensors-dev-eventhubs": undefined, "sensors-staging-bdc": hash }));
    expect(r.status).toBe(1);
    expect(r.out).toContain("no stack of dev has an artifact_hash output");
  });
});
