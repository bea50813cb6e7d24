// Posts the plan summary on the pull request as ONE comment, edited in place on every push
// (found by a hidden marker), so the conversation keeps a single, current plan.
// Reads GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL from the environment (set by Actions).
import { readFileSync } from "node:fs";
import { Command } from "commander";

const MARKER = "<!-- sensors-cdktf-diff -->";
/** GitHub refuses comment bodies above 65536 characters. */
const MAX_BODY = 65000;

interface Options {
  pr: string;
  bodyFile: string;
}

interface IssueComment {
  id: number;
  body?: string;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run inside GitHub Actions or set it`);
  return value;
}

async function github(method: string, url: string, token: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: {
      accept: "application/vnd.github+json",
      authorization: `Bearer ${token}`,
      "x-github-api-version": "2022-11-28",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res.json();
}

async function upsertComment(opts: Options): Promise<string> {
  if (!/^[1-9][0-9]*$/.test(opts.pr)) throw new Error(`--pr "${opts.pr}" is not a pull request number`);
  const token = env("GITHUB_TOKEN");
  const api = process.env.GITHUB_API_URL ?? "https://api.github.com";
  const base = `${api}/repos/${env("GITHUB_REPOSITORY")}/issues/${opts.pr}/comments`;
  let text = readFileSync(opts.bodyFile, "utf8");
  if (text.length > MAX_BODY) text = text.slice(0, MAX_BODY) + "\n\n… cut to fit a comment; the full summary is on the run page.";
  const body = `${MARKER}\n${text}`;
  for (let page = 1; ; page++) {
    const comments = (await github("GET", `${base}?per_page=100&page=${page}`, token)) as IssueComment[];
    const mine = comments.find((c) => c.body?.startsWith(MARKER));
    if (mine) {
      await github("PATCH", `${api}/repos/${env("GITHUB_REPOSITORY")}/issues/comments/${mine.id}`, token, { body });
      return `updated comment ${mine.id}`;
    }
    if (comments.length < 100) break;
  }
  const created = (await github("POST", base, token, { body })) as IssueComment;
  return `created comment ${created.id}`;
}

const program = new Command()
  .name("upsert-pr-comment")
  .description("create or update the pull request's plan summary comment")
  .requiredOption("--pr <number>", "pull request number")
  .requiredOption("--body-file <file>", "markdown to post")
  .parse();

upsertComment(program.opts<Options>()).then(
  (what) => console.log(what),
  (err: unknown) => {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  },
);
