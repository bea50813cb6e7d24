// The pipeline's promotion checks agree with the real parts they guard: an artifact from the real
// builder (npm run build:job, jars resolved by scripts/setup.sh) passes verify-artifact, and the
// real app's synthesized bdc stack deploys exactly that artifact (check-synth-artifact).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { loadEnvironment } from "../../config";
import { buildArtifact } from "../../jobs/sensor_aggregation/build/build-artifact";
import { REPO_ROOT } from "./ci-files";

jest.setTimeout(600_000);

const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const CDKTF = path.join(REPO_ROOT, "node_modules", ".bin", "cdktf");

describe("promotion checks on the real artifact and the real app", () => {
  let dir: string;
  let hash: string;
  // The Spark line dev's BDC release needs, as the bdc stack chooses it.
  const line = loadEnvironment("dev").sparkLine;
  const artifactDir = `sensor-aggregation-${line}`;
  const root = () => path.join(dir, "artifacts");
  const tsx = (script: string, args: string[]) => {
    const r = spawnSync(TSX, [path.join(REPO_ROOT, "scripts", "ci", script), ...args], { cwd: REPO_ROOT, encoding: "utf8" });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  beforeAll(() => {
    mkdirSync(path.join(REPO_ROOT, ".tmp"), { recursive: true });
    dir = mkdtempSync(path.join(REPO_ROOT, ".tmp", "ci-contract-"));
    hash = buildArtifact(line, { outDir: path.join(root(), artifactDir), log: () => undefined }).hash;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("verify-artifact accepts what build:job writes and reports its manifest hash", () => {
    const r = tsx("verify-artifact.ts", ["--root", root()]);
    expect(r.out).toContain(`${artifactDir}=${hash}`);
    expect(r.status).toBe(0);
  });

  it("the synthesized dev bdc stack deploys exactly that artifact", () => {
    const out = path.join(dir, "cdktf.out");
    const synth = spawnSync(CDKTF, ["synth", "--output", out], {
      cwd: REPO_ROOT,
      env: { ...process.env, SENSORS_ENV: "dev", CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
    });
    if (synth.status !== 0) throw new Error(`cdktf synth failed:\n${synth.stdout}${synth.stderr}`);
    const r = tsx("check-synth-artifact.ts", ["--env", "dev", "--out-dir", out, "--root", root()]);
    expect(r.out).toContain(`sensors-dev-bdc deploys ${artifactDir} (${hash})`);
    expect(r.status).toBe(0);
  });
});
