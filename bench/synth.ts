// `npm run bench:synth`: wall time and peak memory (RSS) of synthesizing every environment (main.ts) beside a bare
// cdktf app with one resource (bench/bare-app/main.ts), each run in a fresh child process, interleaved, in the same run.
// Goal: the full app within 1.5× the bare app. Prints figures and whether the goal is met; asserts nothing.
// A second baseline, the bare app with main.ts's diagnostics switch, shows the ratio like for like: the switch
// cheapens loading cdktf itself, which the bare app pays for as a cdktf app is usually run.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";

const GOAL_RATIO = 1.5;
const root = resolve(__dirname, "..");

/** Written by the child at exit: its own peak RSS, so the parent needs no `time` binary. */
const USAGE_REPORTER =
  'data:text/javascript,import { writeFileSync } from "node:fs"; process.on("exit", () => writeFileSync(process.env.BENCH_USAGE_FILE, String(process.resourceUsage().maxRSS)));';

interface Sample {
  readonly wallMs: number;
  readonly peakRssMb: number;
}

interface Subject {
  readonly label: string;
  readonly entry: string;
  /** Node options before the entry, after tsx's. */
  readonly nodeArgs?: readonly string[];
}

/** Child mode: synthesize only the eventhubs stacks of every environment, to show what the later stacks add. */
const EVENTHUBS_ONLY_FLAG = "--child-eventhubs-only";

/** The switch main.ts loads first (source maps and token stack formatting off), for the like-for-like baseline. */
const SYNTH_DIAGNOSTICS = "./stacks/lib/synth-diagnostics.ts";

const BARE: Subject = { label: "bare app (1 resource)", entry: "bench/bare-app/main.ts" };
// main.ts's switch also makes cdktf's own modules cheaper to load; this baseline shows what is left of our cost.
const BARE_QUIET: Subject = { label: "bare app, diagnostics off", entry: "bench/bare-app/main.ts", nodeArgs: ["--import", SYNTH_DIAGNOSTICS] };
const FULL: Subject = { label: "all environments (main.ts)", entry: "main.ts" };
const SUBJECTS: readonly Subject[] = [
  BARE,
  BARE_QUIET,
  { label: "eventhubs stacks only", entry: `bench/synth.ts ${EVENTHUBS_ONLY_FLAG}`, nodeArgs: ["--import", SYNTH_DIAGNOSTICS] },
  FULL,
];

/** One synth in a fresh `node --import tsx` process, as `cdktf synth` runs the app (main.ts then loads its precompiled file). */
function runOnce(subject: Subject): Promise<Sample> {
  const work = mkdtempSync(join(tmpdir(), "bench-synth-"));
  const usageFile = join(work, "usage");
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: join(work, "out"), BENCH_USAGE_FILE: usageFile };
  delete env.SENSORS_ENV; // always every environment
  const started = process.hrtime.bigint();
  return new Promise<Sample>((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--import", USAGE_REPORTER, ...(subject.nodeArgs ?? []), ...subject.entry.split(" ")], { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      try {
        if (code !== 0) throw new Error(`${subject.entry} exited with ${String(code)}:\n${stderr}`);
        const peakRssMb = Number(readFileSync(usageFile, "utf8")) / 1024; // maxRSS is in KiB
        done({ wallMs, peakRssMb });
      } catch (error) {
        fail(error);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  });
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

function parseRuns(text: string): number {
  const runs = Number(text);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new InvalidArgumentError("a whole number from 1 to 50");
  return runs;
}

async function main(): Promise<void> {
  const options = new Command()
    .name("bench:synth")
    .description("Synth wall time and peak RSS of every environment vs a bare one-resource cdktf app")
    .option("-r, --runs <n>", "measured runs per app (after one warm-up each)", parseRuns, 5)
    .parse()
    .opts<{ runs: number }>();

  const samples = new Map<Subject, Sample[]>(SUBJECTS.map((subject) => [subject, []]));
  console.log(`warm-up (fills the tsx transform cache), then ${options.runs} interleaved runs of each app ...`);
  for (const subject of SUBJECTS) await runOnce(subject);
  for (let run = 1; run <= options.runs; run += 1) {
    for (const subject of SUBJECTS) {
      const sample = await runOnce(subject);
      samples.get(subject)?.push(sample);
      console.log(`  run ${run}/${options.runs}  ${subject.label.padEnd(28)} ${sample.wallMs.toFixed(0).padStart(6)} ms  ${sample.peakRssMb.toFixed(1).padStart(7)} MB`);
    }
  }

  const summary = SUBJECTS.map((subject) => {
    const list = samples.get(subject) ?? [];
    const walls = list.map((s) => s.wallMs);
    return { subject, wall: median(walls), min: Math.min(...walls), max: Math.max(...walls), rss: median(list.map((s) => s.peakRssMb)) };
  });
  const row = (subject: Subject): (typeof summary)[number] => summary.find((entry) => entry.subject === subject) as (typeof summary)[number];
  const bare = row(BARE);
  const full = row(FULL);
  console.log("");
  console.log(`${"app".padEnd(28)}  ${"median wall".padStart(11)}  ${"min–max".padStart(13)}  ${"median peak RSS".padStart(15)}`);
  for (const row of summary) {
    console.log(`${row.subject.label.padEnd(28)}  ${`${row.wall.toFixed(0)} ms`.padStart(11)}  ${`${row.min.toFixed(0)}–${row.max.toFixed(0)} ms`.padStart(13)}  ${`${row.rss.toFixed(1)} MB`.padStart(15)}`);
  }
  const verdict = (ratio: number): string => (ratio <= GOAL_RATIO ? "met" : "NOT met");
  console.log("");
  const ratios = (entry: (typeof summary)[number], base: (typeof summary)[number]): string =>
    `wall ${(entry.wall / base.wall).toFixed(2)}×, peak RSS ${(entry.rss / base.rss).toFixed(2)}×`;
  for (const entry of summary.filter((entry) => entry.subject !== BARE && entry.subject !== BARE_QUIET)) {
    console.log(`${entry.subject.label} / bare app: ${ratios(entry, bare)}`);
  }
  console.log(`${full.subject.label} / ${BARE_QUIET.label} (like for like): ${ratios(full, row(BARE_QUIET))}`);
  console.log(`goal (all environments ≤ ${GOAL_RATIO}× the bare app): wall ${verdict(full.wall / bare.wall)}, peak RSS ${verdict(full.rss / bare.rss)}`);
}

/** Child mode: bench/eventhubs-only-app.ts, precompiled as main.ts runs stacks/app.ts. Loaded lazily so the parent stays light. */
async function synthEventHubsOnly(): Promise<void> {
  const { requirePrecompiled } = require("../src/build/precompiled") as typeof import("../src/build/precompiled");
  const app = await requirePrecompiled<typeof import("./eventhubs-only-app")>(resolve(__dirname, "eventhubs-only-app.ts"));
  app.synthesizeEventHubsOnly();
}

(process.argv.includes(EVENTHUBS_ONLY_FLAG) ? synthEventHubsOnly() : main()).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
