// scripts/ci/upsert-pr-comment.ts and report-drift-issue.ts against the GitHub REST stand-in:
// one plan comment per pull request, edited in place; one open drift issue, commented on repeat.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./ci-files";
import { startGitHubStandIn, STANDIN_REPOSITORY, STANDIN_TOKEN, type RunningStandIn } from "./github-standin";

const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");

describe("GitHub scripts (REST stand-in)", () => {
  let gh: RunningStandIn;
  let dir: string;

  beforeEach(async () => {
    // 150 unrelated comments on PR 7: finding the plan comment must follow pagination.
    const comments = Array.from({ length: 150 }, (_, i) => ({ id: i + 1, issue: 7, body: `review note ${i}` }));
    gh = await startGitHubStandIn({ comments, issues: [{ number: 1, title: "unrelated", body: "", labels: ["bug"], state: "open" }] });
    dir = mkdtempSync(path.join(os.tmpdir(), "gh-scripts-"));
  });
  afterEach(async () => {
    await gh.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (script: string, args: string[], body: string, token = STANDIN_TOKEN) => {
    const file = path.join(dir, "body.md");
    writeFileSync(file, body);
    return new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(TSX, [path.join(REPO_ROOT, "scripts", "ci", script), ...args, "--body-file", file], {
        env: { ...process.env, GITHUB_TOKEN: token, GITHUB_REPOSITORY: STANDIN_REPOSITORY, GITHUB_API_URL: gh.api },
      });
      let out = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      child.stderr.on("data", (c: Buffer) => (out += c.toString()));
      child.on("close", (code) => resolve({ code, out }));
    });
  };

  it("creates the plan comment once, then edits it in place", async () => {
    const first = await run("upsert-pr-comment.ts", ["--pr", "7"], "### ✅ dev: no changes");
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toMatch(/created comment 1000/);
    const second = await run("upsert-pr-comment.ts", ["--pr", "7"], "### 📝 dev: 1 to add");
    expect(second.out).toMatch(/updated comment 1000/);
    const mine = gh.data.comments.filter((c) => c.body.includes("sensors-cdktf-diff"));
    expect(mine).toHaveLength(1);
    expect(mine[0].body).toContain("1 to add");
    expect(gh.data.comments).toHaveLength(151);
  });

  it("fails with GitHub's answer when the token is refused", async () => {
    const r = await run("upsert-pr-comment.ts", ["--pr", "7"], "x", "wrong");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/HTTP 401 .*Bad credentials/);
  });

  it("opens one drift issue, then comments on it while it stays open", async () => {
    const args = ["--run-url", "https://github.example/org/repo/actions/runs/42"];
    const first = await run("report-drift-issue.ts", args, "### 📝 prod: 0 to add, 1 to change, 0 to destroy");
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toContain("opened issue #2");
    const issue = gh.data.issues[1];
    expect(issue).toMatchObject({ title: "Drift: live infrastructure differs from main", labels: ["drift"], state: "open" });
    expect(issue.body).toContain("runs/42 failed");
    expect(issue.body).toContain("prod: 0 to add, 1 to change");

    const again = await run("report-drift-issue.ts", args, "### 📝 prod: still drifting");
    expect(again.out).toContain("commented on issue #2");
    expect(gh.data.issues).toHaveLength(2);
    expect(gh.data.comments.filter((c) => c.issue === 2).map((c) => c.body)).toEqual([expect.stringContaining("still drifting")]);

    // Once a person closes it, the next drift opens a fresh issue.
    issue.state = "closed";
    expect((await run("report-drift-issue.ts", args, "### 📝 dev drifted")).out).toContain("opened issue #3");
  });
});
