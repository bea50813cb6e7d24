// Bundles a TypeScript entry point into one Node ES module at synth, for a ConfigMap (the Kubernetes
// side runs a stock Node image, so the code travels as data). ESM, not CJS: dependencies such as
// @platformatic/kafka call createRequire(import.meta.url), which a CJS bundle leaves undefined.
// Run the result as a `.mjs` file.
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

/** Gives bundled CommonJS dependencies a `require` for Node built-ins inside the ES module. */
const REQUIRE_SHIM = 'import{createRequire as __bundleCreateRequire}from"node:module";const require=__bundleCreateRequire(import.meta.url);';

/** Bundles `entry` (platform node, target node20, ESM, minified); cached per process, since synth may ask several times. */
export function bundleScriptSync(entry: string): ScriptBundle {
  const cached = cache.get(entry);
  if (cached) return cached;
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    banner: { js: REQUIRE_SHIM },
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
