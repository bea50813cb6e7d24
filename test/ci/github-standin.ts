// Stand-in for the GitHub REST endpoints the CI scripts call (issues and issue comments, as
// documented at docs.github.com/rest/issues), served on a free loopback port with bearer auth and
// pagination. Only what the scripts use; anything else answers 404.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export const STANDIN_TOKEN = "stand-in-token";
export const STANDIN_REPOSITORY = "org/repo";

export interface StandInComment {
  id: number;
  issue: number;
  body: string;
}

export interface StandInIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  pull_request?: object;
}

/** The repository's data; tests seed and inspect it. */
export interface StandInData {
  comments: StandInComment[];
  issues: StandInIssue[];
}

export interface RunningStandIn {
  api: string;
  data: StandInData;
  close(): Promise<void>;
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => resolve(JSON.parse(text || "{}")));
  });
}

export async function startGitHubStandIn(data: StandInData): Promise<RunningStandIn> {
  let nextId = 1000;
  const base = `/repos/${STANDIN_REPOSITORY}`;
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${STANDIN_TOKEN}`) return reply(401, { message: "Bad credentials" });
    const page = Number(url.searchParams.get("page") ?? 1);
    const perPage = Number(url.searchParams.get("per_page") ?? 30);
    const paged = <T>(items: T[]) => items.slice((page - 1) * perPage, page * perPage);
    let m: RegExpMatchArray | null;

    if (req.method === "GET" && url.pathname === `${base}/issues`) {
      const state = url.searchParams.get("state") ?? "open";
      const labels = (url.searchParams.get("labels") ?? "").split(",").filter(Boolean);
      const found = data.issues.filter((i) => i.state === state && labels.every((l) => i.labels.includes(l)));
      return reply(200, paged(found.map((i) => ({ ...i, labels: i.labels.map((name) => ({ name })) }))));
    }
    if (req.method === "POST" && url.pathname === `${base}/issues`) {
      const body = await readJson(req);
      const issue: StandInIssue = { number: data.issues.length + 1, title: String(body.title), body: String(body.body), labels: (body.labels as string[]) ?? [], state: "open" };
      data.issues.push(issue);
      return reply(201, issue);
    }
    if ((m = url.pathname.match(new RegExp(`^${base}/issues/(\\d+)/comments$`)))) {
      const issue = Number(m[1]);
      if (req.method === "GET") return reply(200, paged(data.comments.filter((c) => c.issue === issue)));
      if (req.method === "POST") {
        const c = { id: nextId++, issue, body: String((await readJson(req)).body) };
        data.comments.push(c);
        return reply(201, c);
      }
    }
    if (req.method === "PATCH" && (m = url.pathname.match(new RegExp(`^${base}/issues/comments/(\\d+)$`)))) {
      const c = data.comments.find((x) => x.id === Number(m?.[1]));
      if (!c) return reply(404, { message: "Not Found" });
      c.body = String((await readJson(req)).body);
      return reply(200, c);
    }
    reply(404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    api: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    data,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
