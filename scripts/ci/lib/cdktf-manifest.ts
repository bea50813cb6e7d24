// Reads cdktf's synth manifest (cdktf.out/manifest.json) to find one environment's stacks,
// in dependency order, and where Terraform runs for each.
import { readFileSync } from "node:fs";
import path from "node:path";
import * as z from "zod";

const manifestSchema = z.object({
  version: z.string(),
  stacks: z.record(
    z.string(),
    z.object({
      name: z.string(),
      workingDirectory: z.string(),
      dependencies: z.array(z.string()).optional(),
    }),
  ),
});

/** A synthesized stack and the absolute directory Terraform runs in. */
export interface SynthesizedStack {
  name: string;
  workingDirectory: string;
}

export class ManifestError extends Error {}

/** Stacks named `sensors-<env>-*`, dependencies first, so a dependent stack's diff follows the stack it reads. */
export function environmentStacks(outDir: string, env: string, prefix = "sensors"): SynthesizedStack[] {
  const file = path.join(outDir, "manifest.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ManifestError(`cannot read ${file} (${(err as Error).message}); run \`npm run synth\` first`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new ManifestError(`${file} is not a cdktf manifest: ${parsed.error.message}`);
  const all = parsed.data.stacks;
  const wanted = Object.keys(all).filter((n) => n.startsWith(`${prefix}-${env}-`));
  if (wanted.length === 0) {
    const known = Object.keys(all).sort().join(", ") || "(none)";
    throw new ManifestError(`no stack named ${prefix}-${env}-* in ${file}; synthesized stacks: ${known}`);
  }
  const ordered: string[] = [];
  const visit = (name: string, trail: string[]): void => {
    if (ordered.includes(name) || !wanted.includes(name)) return;
    if (trail.includes(name)) throw new ManifestError(`dependency cycle: ${[...trail, name].join(" -> ")}`);
    for (const dep of all[name].dependencies ?? []) visit(dep, [...trail, name]);
    ordered.push(name);
  };
  for (const name of wanted.sort()) visit(name, []);
  return ordered.map((name) => ({ name, workingDirectory: path.resolve(outDir, all[name].workingDirectory) }));
}
