// Posts the plan summary on the pull request as ONE comment, edited in place on every push
// (found by a hidden marker), so the conversation keeps a single, current plan.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { fitBody, githubContextFromEnv, githubRequest } from "./lib/github-rest";
import { runCli } from "./lib/run-cli";

const MARKER = "<!-- sensors-cdktf-diff -->";

interface Options {
  pr: string;
  bodyFile: string;
}

interface IssueComment {
  id: number;
  body?: string;
}

async function upsertComment(opts: Options): Promise<string> {
  if (!/^[1-9][0-9]*$/.test(opts.pr)) throw new Error(`--pr "${opts.pr}" is not a pull request number`);
  const ctx = githubContextFromEnv();
  const body = `${MARKER}\n${fitBody(readFileSync(opts.bodyFile, "utf8"))}`;
  for (let page = 1; ; page++) {
    const comments = await githubRequest<IssueComment[]>(ctx, "GET", `/issues/${opts.pr}/comments?per_page=100&page=${page}`);
    const mine = comments.find((c) => c.body?.startsWith(MARKER));
    if (mine) {
      await githubRequest(ctx, "PATCH", `/issues/comments/${mine.id}`, { body });
      return `updated comment ${mine.id}`;
    }
    if (comments.length < 100) break;
  }
  const created = await githubRequest<IssueComment>(ctx, "POST", `/issues/${opts.pr}/comments`, { body });
  return `created comment ${created.id}`;
}

const program = new Command()
  .name("upsert-pr-comment")
  .description("create or update the pull request's plan summary comment")
  .requiredOption("--pr <number>", "pull request number")
  .requiredOption("--body-file <file>", "markdown to post")
  .parse();

runCli(() => upsertComment(program.opts<Options>()));
