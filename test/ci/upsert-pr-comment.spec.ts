// scripts/ci/upsert-pr-comment.ts against a stand-in of the three GitHub REST endpoints it uses
// (list / create / update issue comments, as documented at docs.github.com/rest/issues/comments),
// served on a free loopback port: one plan comment per pull request, edited in place.
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./ci-files";

const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const SCRIPT = path.join(REPO_ROOT, "scripts", "ci", "upsert-pr-comment.ts");
const TOKEN = "stand-in-token";

interface Comment {
  id: number;
  body: string;
}

/** GitHub REST stand-in: issue comments of one repository, with bearer auth and pagination. */
function githubStandIn(comments: Comment[]): Server {
  let nextId = 1000;
  const readBody = (req: IncomingMessage) =>
    new Promise<{ body: string }>((resolve) => {
      let data = "";
      req.on("data", (c: Buffer) => (data += c.toString()));
      req.on("end", () => resolve(JSON.parse(data)));
    });
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply(401, { message: "Bad credentials" });
    if (req.method === "GET" && url.pathname === "/repos/org/repo/issues/7/comments") {
      const perPage = Number(url.searchParams.get("per_page") ?? 30);
      const page = Number(url.searchParams.get("page") ?? 1);
      return reply(200, comments.slice((page - 1) * perPage, page * perPage));
    }
    if (req.method === "POST" && url.pathname === "/repos/org/repo/issues/7/comments") {
      const c = { id: nextId++, body: (await readBody(req)).body };
      comments.push(c);
      return reply(201, c);
    }
    const m = url.pathname.match(/^\/repos\/org\/repo\/issues\/comments\/(\d+)$/);
    if (req.method === "PATCH" && m) {
      const c = comments.find((x) => x.id === Number(m[1]));
      if (!c) return reply(404, { message: "Not Found" });
      c.body = (await readBody(req)).body;
      return reply(200, c);
    }
    reply(404, { message: "Not Found" });
  });
}

describe("upsert-pr-comment (GitHub REST stand-in)", () => {
  let server: Server;
  let comments: Comment[];
  let dir: string;
  let api: string;

  beforeEach(async () => {
    // 150 unrelated comments: the plan comment's search must follow pagination.
    comments = Array.from({ length: 150 }, (_, i) => ({ id: i + 1, body: `review note ${i}` }));
    server = githubStandIn(comments);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(path.join(os.tmpdir(), "pr-comment-"));
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: string, token = TOKEN) => {
    const file = path.join(dir, "body.md");
    writeFileSync(file, body);
    return new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(TSX, [SCRIPT, "--pr", "7", "--body-file", file], {
        env: { ...process.env, GITHUB_TOKEN: token, GITHUB_REPOSITORY: "org/repo", GITHUB_API_URL: api },
      });
      let out = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      child.stderr.on("data", (c: Buffer) => (out += c.toString()));
      child.on("close", (code) => resolve({ code, out }));
    });
  };

  it("creates the plan comment once, then edits it in place", async () => {
    const first = await post("### ✅ dev: no changes");
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toMatch(/created comment 1000/);
    const second = await post("### 📝 dev: 1 to add");
    expect(second.out).toMatch(/updated comment 1000/);
    const mine = comments.filter((c) => c.body.includes("sensors-cdktf-diff"));
    expect(mine).toHaveLength(1);
    expect(mine[0].body).toContain("1 to add");
    expect(comments).toHaveLength(151);
  });

  it("fails with GitHub's answer when the token is refused", async () => {
    const r = await post("x", "wrong");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/HTTP 401 .*Bad credentials/);
  });
});
