// Runs a TypeScript module and our code under it from one precompiled CommonJS file, cached while its sources
// are unchanged (script-bundle.ts). Why: a synth loads about sixty of our modules and zod's hundred files
// one by one through tsx, and zod's locales with them; one file with zod tree-shaken loads in a fraction of
// that time. Packages other than the inlined ones load from node_modules as they do for any cdktf app.
import { basename, extname, join } from "node:path";
import { PROJECT_ROOT } from "./bundle-cache";
import { bundleFile, bundleModule } from "./script-bundle";

/** Inside the project, so the file's `require`s of packages resolve from node_modules. */
const PRECOMPILED_DIR = join(PROJECT_ROOT, ".cache", "precompiled");

/** Inlined by default: zod loads about a hundred files when required, and tree-shakes to a fifth of its size. */
export const INLINED_PACKAGES: readonly string[] = ["zod"];

/** The exports of `entry` (a .ts path), loaded from its precompiled file with the `inline` packages in it. */
export async function requirePrecompiled<Exports>(entry: string, inline: readonly string[] = INLINED_PACKAGES): Promise<Exports> {
  const bundle = await bundleModule(entry, inline);
  return require(bundleFile(bundle, `${basename(entry, extname(entry))}.cjs`, PRECOMPILED_DIR)) as Exports;
}
