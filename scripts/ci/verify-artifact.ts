// Verifies every job artifact under a root (default dist/artifacts) against its manifest, and,
// when given, against the hashes the build job recorded. Prints `<artifact dir name>=<hash>` lines.
// The build job saves its output with --write-hashes; each deploy job checks with --expect-hashes,
// so the artifact promoted to staging and prod is the one built and tested, not a rebuild.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { checkArtifactDir, findArtifactDirs } from "./lib/artifact-manifest";
import { runCli } from "./lib/run-cli";

interface Options {
  root: string;
  writeHashes?: string;
  expectHashes?: string;
}

function readExpected(file: string): Record<string, string> {
  const raw: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error(`${file}: expected a JSON object {"<artifact dir name>": "<sha256>"}`);
  }
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
}

async function main(opts: Options): Promise<number> {
  const dirs = findArtifactDirs(opts.root);
  if (dirs.length === 0) {
    console.error(`error: no artifact (a directory with manifest.json) under ${opts.root}; run \`npm run build:job\` or download the pipeline artifact first`);
    return 1;
  }
  const hashes: Record<string, string> = {};
  let ok = true;
  for (const dir of dirs) {
    const name = path.basename(dir);
    console.log(`==> checking ${name} against its manifest`);
    const check = await checkArtifactDir(dir);
    for (const p of check.problems) console.error(`error: ${name}: ${p}`);
    if (check.problems.length > 0 || !check.hash) ok = false;
    else hashes[name] = check.hash;
  }
  if (opts.expectHashes) {
    const expected = readExpected(opts.expectHashes);
    const names = new Set([...Object.keys(expected), ...dirs.map((d) => path.basename(d))]);
    for (const name of [...names].sort()) {
      if (!(name in expected)) {
        console.error(`error: ${name}: not produced by the build job (expected only ${Object.keys(expected).join(", ")})`);
        ok = false;
      } else if (hashes[name] !== expected[name]) {
        console.error(`error: ${name}: hash ${hashes[name] ?? "(missing)"} but the build job recorded ${expected[name]}`);
        ok = false;
      }
    }
  }
  if (!ok) return 1;
  for (const [name, hash] of Object.entries(hashes)) console.log(`${name}=${hash}`);
  if (opts.writeHashes) writeFileSync(opts.writeHashes, JSON.stringify(hashes) + "\n");
  return 0;
}

const program = new Command()
  .name("verify-artifact")
  .description("check job artifacts against their manifest.json and the hashes the build recorded")
  .option("--root <dir>", "directory holding the artifact directories", "dist/artifacts")
  .option("--write-hashes <file>", "write {\"<artifact dir name>\": \"<hash>\"} as JSON (build job)")
  .option("--expect-hashes <file>", "fail unless the artifacts have exactly these hashes (deploy jobs)")
  .parse();

runCli(() => main(program.opts<Options>()));
