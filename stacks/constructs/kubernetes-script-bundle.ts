// Bundles a TypeScript entry point into one Node file at synth, for a ConfigMap (the Kubernetes
// side runs a stock Node image, so the code travels as data). Same settings as the deployer bundle.
import { createHash } from "node:crypto";
import { buildSync } from "esbuild";

/** A bundled script and the sha256 of its code. */
export interface ScriptBundle {
  /** The JavaScript, one file, no external imports except Node built-ins. */
  readonly code: string;
  /** sha256 hex of `code`. */
  readonly sha256: string;
}

const cache = new Map<string, ScriptBundle>();

/** Bundles `entry` (platform node, target node20, minified); cached per process, since synth may ask several times. */
export function bundleScriptSync(entry: string): ScriptBundle {
  const cached = cache.get(entry);
  if (cached) return cached;
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    write: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const code = result.outputFiles[0].text;
  const bundle = { code, sha256: createHash("sha256").update(code).digest("hex") };
  cache.set(entry, bundle);
  return bundle;
}
