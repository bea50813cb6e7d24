// `cdktf diff` for every stack of one environment, rendered as a readable markdown summary.
// Used by the pull-request plan (report only) and the scheduled drift check (--fail-on-changes).
// Expects `npm run synth` to have run; diffs with --skip-synth so every stack sees the same synth.
//
// Refuses event hub changes that the apply would fail on part way or that delete retained events
// (scripts/ci/lib/hub-changes.ts). The deploy workflows run it with --hub-check before `cdktf deploy`: the
// eventhubs stack alone, whose plan holds the hubs. The stacks after it read its outputs from its state, so their
// plans fail until it has been applied (a first deploy, a new output); the deploy applies them in order.
//
// Exit codes: 0 = diffs ran (and, with --fail-on-changes, nothing would change);
//             1 = a diff failed or the input is wrong; 2 = --fail-on-changes and live infra differs from code;
//             3 = a plan holds an event hub change that is refused (nothing may be applied).
import { spawn, execFile } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { Command } from "commander";
import { KNOWN_ENVIRONMENT_NAMES, loadEnvironment } from "../../config";
import { environmentStacks, ManifestError } from "./lib/cdktf-manifest";
import { diffOutcome } from "./lib/diff-outcome";
import { hubChangeRefusals, hubPolicyOf, type HubPolicy } from "./lib/hub-changes";
import { STACK_PARTS, stackName } from "../../stacks/lib/stack-name";
import { renderEnvironmentMarkdown, type StackDiffResult } from "./lib/plan-markdown";
import { PlanFormatError, summarizePlan } from "./lib/terraform-plan";
import { runCli } from "./lib/run-cli";

const execFileAsync = promisify(execFile);
const CDKTF_BIN = path.resolve(__dirname, "..", "..", "node_modules", ".bin", "cdktf");
const TERRAFORM_BIN = process.env.TERRAFORM_BINARY_NAME ?? "terraform";
const LOG_TAIL_LINES = 30;

interface Options {
  env: string;
  projectDir: string;
  outDir: string;
  summary?: string;
  failOnChanges: boolean;
  hubCheck: boolean;
  context?: string;
}

/** Runs `cdktf diff <stack>`, streaming its output for progress, keeping a tail for the summary. */
function runCdktfDiff(stack: string, projectDir: string, outDir: string): Promise<{ ok: boolean; tail: string }> {
  return new Promise((resolve) => {
    const child = spawn(CDKTF_BIN, ["diff", stack, "--skip-synth", "--no-color", "--output", outDir], {
      cwd: projectDir,
      env: { ...process.env, CI: "true", CHECKPOINT_DISABLE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let tail: string[] = [];
    const keep = (chunk: Buffer, sink: NodeJS.WriteStream): void => {
      sink.write(chunk);
      tail = [...tail, ...chunk.toString("utf8").split("\n")].slice(-LOG_TAIL_LINES);
    };
    child.stdout.on("data", (c: Buffer) => keep(c, process.stdout));
    child.stderr.on("data", (c: Buffer) => keep(c, process.stderr));
    child.on("error", (err) => resolve({ ok: false, tail: `cannot run ${CDKTF_BIN}: ${err.message}` }));
    child.on("close", (code) => resolve({ ok: code === 0, tail: tail.join("\n") }));
  });
}

async function diffStack(stack: string, workdir: string, opts: Options, policy: HubPolicy): Promise<StackDiffResult> {
  const diff = await runCdktfDiff(stack, opts.projectDir, opts.outDir);
  if (!diff.ok) return { stack, error: `cdktf diff exited with an error; last lines:\n${diff.tail}` };
  try {
    // cdktf diff saves the plan as `plan` in the stack's working directory (non-cloud backends).
    const { stdout } = await execFileAsync(TERRAFORM_BIN, ["show", "-json", "-no-color", "plan"], {
      cwd: workdir,
      maxBuffer: 512 * 1024 * 1024,
    });
    return { stack, summary: summarizePlan(stack, stdout), refusals: hubChangeRefusals(JSON.parse(stdout), policy) };
  } catch (err) {
    const reason = err instanceof PlanFormatError ? err.message : `terraform show failed: ${(err as Error).message}`;
    return { stack, error: reason };
  }
}

/** What the environment's config lets a deploy do to its hubs; nothing is allowed for a name config/ does not know. */
function hubPolicy(env: string): HubPolicy {
  return KNOWN_ENVIRONMENT_NAMES.includes(env) ? hubPolicyOf(loadEnvironment(env).eventHubs) : {};
}

async function main(opts: Options): Promise<number> {
  if (!/^[a-z][a-z0-9-]*$/.test(opts.env)) {
    console.error(`error: --env "${opts.env}" is not an environment name (lowercase letters, digits, dashes)`);
    return 1;
  }
  const outDir = path.resolve(opts.projectDir, opts.outDir);
  const all = environmentStacks(outDir, opts.env);
  // Exactly this environment's eventhubs stack (another environment's name may start with this one's).
  const hubStack = stackName({ namePrefix: "sensors", name: opts.env }, STACK_PARTS.eventhubs);
  const stacks = opts.hubCheck ? all.filter((s) => s.name === hubStack) : all;
  if (stacks.length === 0) {
    console.error(`error: --hub-check: no ${STACK_PARTS.eventhubs} stack among ${all.map((s) => s.name).join(", ")}`);
    return 1;
  }
  const policy = hubPolicy(opts.env);
  const results: StackDiffResult[] = [];
  for (const [i, s] of stacks.entries()) {
    console.log(`==> [${opts.env}] cdktf diff ${s.name} (${i + 1}/${stacks.length})`);
    results.push(await diffStack(s.name, s.workingDirectory, { ...opts, outDir }, policy));
  }
  const markdown = renderEnvironmentMarkdown(opts.env, results, opts.context);
  if (opts.summary) {
    mkdirSync(path.dirname(path.resolve(opts.summary)), { recursive: true });
    writeFileSync(opts.summary, markdown + "\n");
    console.log(`==> [${opts.env}] summary written to ${opts.summary}`);
  }
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown + "\n");
  const outcome = diffOutcome(opts.env, results, opts.failOnChanges);
  for (const line of outcome.info) console.log(line);
  for (const line of outcome.errors) console.error(line);
  return outcome.code;
}

const program = new Command()
  .name("diff-environment")
  .description("cdktf diff every stack of one environment and render a markdown summary")
  .requiredOption("--env <name>", "environment whose stacks (sensors-<env>-*) to diff")
  .option("--project-dir <dir>", "directory holding cdktf.json", process.cwd())
  .option("--out-dir <dir>", "cdktf synth output, relative to the project dir", "cdktf.out")
  .option("--summary <file>", "write the markdown summary to this file")
  .option("--fail-on-changes", "exit 2 when any stack would change (drift check)", false)
  .option("--context <text>", "a line to print under the headline (e.g. commit and run link)")
  .option("--hub-check", "only the eventhubs stack: refuse its hub changes before a deploy applies it (exit 3)", false)
  .parse();

runCli(
  () => main(program.opts<Options>()),
  (err) => (err instanceof ManifestError ? err.message : (err as Error).stack ?? String(err)),
);
