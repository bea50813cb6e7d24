// scripts/ci/write-kubeconfig.sh and remove-kubeconfig.sh: the protected kubeconfig secret lands
// in a private file (mode 600) in the job's temp dir, is never echoed, and is removed afterwards.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./ci-files";

const WRITE = path.join(REPO_ROOT, "scripts", "ci", "write-kubeconfig.sh");
const REMOVE = path.join(REPO_ROOT, "scripts", "ci", "remove-kubeconfig.sh");
const KUBECONFIG = "apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: not-a-real-token-but-secret\n";

describe("kubeconfig scripts", () => {
  let tmp: string;
  beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const write = (content: string | undefined) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, RUNNER_TEMP: tmp };
    if (content !== undefined) env.KUBECONFIG_CONTENT = content;
    return spawnSync("bash", [WRITE], { env, encoding: "utf8" });
  };

  it("writes the secret to a mode-600 file under the runner's temp dir and prints only the path", () => {
    const r = write(KUBECONFIG);
    expect(r.status).toBe(0);
    const file = r.stdout.trim();
    expect(file.startsWith(tmp + path.sep)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, "utf8")).toBe(KUBECONFIG);
    expect(r.stdout + r.stderr).not.toContain("not-a-real-token");

    const removed = spawnSync("bash", [REMOVE, file], { encoding: "utf8" });
    expect(removed.status).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it("refuses a missing secret and text that is not a kubeconfig, leaving nothing behind", () => {
    const missing = write(undefined);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("KUBECONFIG_CONTENT is empty");
    const base64 = write(Buffer.from(KUBECONFIG).toString("base64"));
    expect(base64.status).toBe(1);
    expect(base64.stderr).toContain("not a kubeconfig");
    expect(spawnSync("ls", ["-A", tmp], { encoding: "utf8" }).stdout).toBe("");
  });
});
