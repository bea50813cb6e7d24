// After `npm run synth`, checks that the job artifact the synthesized code will deploy (the
// `artifact_hash` output of the environment's stacks) is one of the verified artifacts in
// dist/artifacts. It catches deploying an artifact with code from another commit, e.g. a roll
// back that fetched an old artifact but synthesized today's code.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { checkArtifactDir, findArtifactDirs } from "./lib/artifact-manifest";
import { environmentStacks } from "./lib/cdktf-manifest";
import { runCli } from "./lib/run-cli";

interface Options {
  env: string;
  outDir: string;
  root: string;
}

/** The literal value of a stack's `artifact_hash` output, if the stack has one. */
function artifactHashOutput(stackDir: string): string | undefined {
  const tf = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as { output?: Record<string, { value?: unknown }> };
  const value = tf.output?.artifact_hash?.value;
  return typeof value === "string" ? value : undefined;
}

async function main(opts: Options): Promise<number> {
  const verified = new Map<string, string>();
  for (const dir of findArtifactDirs(opts.root)) {
    const check = await checkArtifactDir(dir);
    if (check.problems.length === 0 && check.hash) verified.set(check.hash, path.basename(dir));
  }
  const deploying = environmentStacks(opts.outDir, opts.env).flatMap((s) => {
    const hash = artifactHashOutput(s.workingDirectory);
    return hash ? [{ stack: s.name, hash }] : [];
  });
  if (deploying.length === 0) {
    console.error(`error: no stack of ${opts.env} has an artifact_hash output in ${opts.outDir}; is the bdc stack synthesized?`);
    return 1;
  }
  let ok = true;
  for (const d of deploying) {
    const name = verified.get(d.hash);
    if (name) console.log(`${d.stack} deploys ${name} (${d.hash})`);
    else {
      const known = [...verified.entries()].map(([h, n]) => `${n}=${h}`).join(", ") || "(none)";
      console.error(`error: ${d.stack} would deploy artifact ${d.hash}, which is not among the verified artifacts: ${known}. Synthesize the commit that built the artifact.`);
      ok = false;
    }
  }
  return ok ? 0 : 1;
}

const program = new Command()
  .name("check-synth-artifact")
  .description("check the synthesized stacks deploy one of the verified job artifacts")
  .requiredOption("--env <name>", "environment whose stacks to check")
  .option("--out-dir <dir>", "cdktf synth output", "cdktf.out")
  .option("--root <dir>", "directory holding the artifact directories", "dist/artifacts")
  .parse();

runCli(() => main(program.opts<Options>()));
