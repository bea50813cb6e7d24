// Bundles a TypeScript entry point into one CommonJS file at synth, for a ConfigMap (the Kubernetes
// side runs a stock Node image, so the code travels as data). CommonJS keeps the entry's
// `require.main === module` check working; ESM dependencies such as @platformatic/kafka call
// createRequire(import.meta.url), so import.meta.url is defined as the bundle's own file URL.
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

/** `import.meta.url` of bundled ES modules, which a CommonJS bundle would leave undefined. */
const IMPORT_META_URL = "__bundleImportMetaUrl";
const IMPORT_META_URL_SHIM = `var ${IMPORT_META_URL}=require("node:url").pathToFileURL(__filename).href;`;

/** Bundles `entry` (platform node, target node20, CommonJS, minified); cached per process, since synth may ask several times. */
export function bundleScriptSync(entry: string): ScriptBundle {
  const cached = cache.get(entry);
  if (cached) return cached;
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    define: { "import.meta.url": IMPORT_META_URL },
    banner: { js: IMPORT_META_URL_SHIM },
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

/** ConfigMaps hold at most 1 MiB; keep a margin for the other keys and metadata. */
export const MAX_CONFIGMAP_SCRIPT_BYTES = 900 * 1024;

/** Refuses a script too large for a ConfigMap, naming it and the limit. */
export function requireConfigMapSize(what: string, code: string): void {
  const bytes = Buffer.byteLength(code, "utf8");
  if (bytes > MAX_CONFIGMAP_SCRIPT_BYTES) {
    throw new Error(`${what} is ${bytes} bytes — allowed: at most ${MAX_CONFIGMAP_SCRIPT_BYTES} (a ConfigMap holds 1 MiB)`);
  }
}
