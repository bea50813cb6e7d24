// Reports a failed drift check where people see it: one open issue labelled `drift`, created on the
// first failure and commented on each later one, with every environment's summary. Closing the
// issue once main and the environments agree again is a person's call, not the robot's.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { fitBody, githubContextFromEnv, githubRequest } from "./lib/github-rest";
import { runCli } from "./lib/run-cli";

const LABEL = "drift";
const TITLE = "Drift: live infrastructure differs from main";

interface Options {
  bodyFile: string;
  runUrl: string;
}

interface Issue {
  number: number;
  title: string;
  pull_request?: unknown;
}

async function report(opts: Options): Promise<string> {
  const ctx = githubContextFromEnv();
  const summary = fitBody(`Drift check ${opts.runUrl} failed.\n\n${readFileSync(opts.bodyFile, "utf8")}`);
  const open = await githubRequest<Issue[]>(ctx, "GET", `/issues?state=open&labels=${LABEL}&per_page=100`);
  const issue = open.find((i) => i.pull_request === undefined && i.title === TITLE);
  if (issue) {
    await githubRequest(ctx, "POST", `/issues/${issue.number}/comments`, { body: summary });
    return `commented on issue #${issue.number}`;
  }
  const created = await githubRequest<Issue>(ctx, "POST", "/issues", { title: TITLE, body: summary, labels: [LABEL] });
  return `opened issue #${created.number}`;
}

const program = new Command()
  .name("report-drift-issue")
  .description("open or comment on the drift issue with the drift check's summaries")
  .requiredOption("--body-file <file>", "markdown summaries of the environments")
  .requiredOption("--run-url <url>", "link to the failed drift check run")
  .parse();

runCli(() => report(program.opts<Options>()));
