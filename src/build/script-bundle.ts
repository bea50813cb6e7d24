// The one bundler: a TypeScript entry point into one CommonJS file, for the stock Node image of the
// deployer and simulator pods (the code travels as data, in a ConfigMap) and for the local stack.
// CommonJS keeps the entry's `require.main === module` check working; ESM dependencies such as
// @platformatic/kafka call createRequire(import.meta.url), so import.meta.url is defined as the
// bundle's own file URL.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { buildSync, version as esbuildVersion, type BuildOptions } from "esbuild";

/** A bundled script and the sha256 of its code. */
export interface ScriptBundle {
  /** The JavaScript, one file, no imports except Node built-ins and the `external` siblings asked for. */
  readonly code: string;
  /** sha256 hex of `code`. */
  readonly sha256: string;
}

export interface BundleOptions {
  /** Relative imports left as `require(...)` of a sibling file, bundled on their own (e.g. "./topic-offsets"). @default [] */
  readonly external?: readonly string[];
}

/** This process's bundles, by cache key. */
const cache = new Map<string, ScriptBundle>();

let lockDigestOfProcess: string | undefined;

/**
 * sha256 of package-lock.json, read once per process (a synth asks for each bundle once per environment).
 * It is in the cache key: resolution can change with the installed packages without a file read changing.
 */
function lockDigest(): string {
  const lock = join(ROOT, "package-lock.json");
  lockDigestOfProcess ??= existsSync(lock) ? sha256(readFileSync(lock)) : "";
  return lockDigestOfProcess;
}

/** `import.meta.url` of bundled ES modules, which a CommonJS bundle would leave undefined. */
const IMPORT_META_URL = "__bundleImportMetaUrl";
const IMPORT_META_URL_SHIM = `var ${IMPORT_META_URL}=require("node:url").pathToFileURL(__filename).href;`;

/** Bundles `entry` (platform node, target node20, CommonJS, minified); cached in the process and on disk (bundle-cache). */
export function bundleScriptSync(entry: string, options: BundleOptions = {}): ScriptBundle {
  const external = [...(options.external ?? [])];
  const build: BuildOptions = {
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external,
    define: { "import.meta.url": IMPORT_META_URL },
    banner: { js: IMPORT_META_URL_SHIM },
    minify: true,
    legalComments: "none",
    logLevel: "silent",
  };
  const key = sha256(JSON.stringify({ esbuildVersion, lock: lockDigest(), entry: relative(ROOT, entry), build: { ...build, entryPoints: [] } }));
  const cached = cache.get(key) ?? readCachedBundle(key);
  if (cached) {
    cache.set(key, cached);
    return cached;
  }
  const result = buildSync({ ...build, write: false, metafile: true });
  const code = result.outputFiles![0]!.text;
  const bundle = { code, sha256: sha256(code) };
  writeCachedBundle(key, bundle, Object.keys(result.metafile!.inputs));
  cache.set(key, bundle);
  return bundle;
}

// The disk cache: synth runs in a fresh process each time, and bundling is most of its work. An entry holds
// the code and the sha256 of every file esbuild read for it; it is used only while each of them is unchanged
// (a changed source or dependency, or a new import, which is a change to a file read, builds anew). As git's
// index does, a file whose size and modification time are as recorded is not read again: hashing the
// hundreds of dependency files on every synth cost more than the rest of the cache lookup.
const ROOT = resolve(__dirname, "..", "..");
const CACHE_DIR = join(ROOT, ".cache", "bundles");

/** What a cache entry knows of one input file. */
interface InputRecord {
  readonly sha256: string;
  readonly size: number;
  readonly mtimeMs: number;
}

interface CacheEntry {
  readonly code: string;
  /** Path relative to ROOT → the file as it was read. */
  readonly inputs: Record<string, InputRecord>;
}

function inputRecord(file: string): InputRecord {
  const stat = statSync(file);
  return { sha256: sha256(readFileSync(file)), size: stat.size, mtimeMs: stat.mtimeMs };
}

function unchanged(file: string, recorded: InputRecord): boolean {
  if (!existsSync(file)) return false;
  const stat = statSync(file);
  if (stat.size !== recorded.size) return false;
  return stat.mtimeMs === recorded.mtimeMs || sha256(readFileSync(file)) === recorded.sha256;
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function readCachedBundle(key: string): ScriptBundle | undefined {
  const path = join(CACHE_DIR, `${key}.json`);
  if (!existsSync(path)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(path, "utf8")) as CacheEntry;
    for (const [input, recorded] of Object.entries(entry.inputs)) {
      if (typeof recorded !== "object" || !unchanged(resolve(ROOT, input), recorded)) return undefined;
    }
    return { code: entry.code, sha256: sha256(entry.code) };
  } catch {
    return undefined; // unreadable or half-written by a run that died: build anew
  }
}

function writeCachedBundle(key: string, bundle: ScriptBundle, inputs: readonly string[]): void {
  // esbuild names inputs relative to its working directory (process.cwd()); one that is no file is not cached.
  if (!inputs.every((input) => existsSync(resolve(input)))) return;
  const records = Object.fromEntries(inputs.map((input) => [relative(ROOT, resolve(input)), inputRecord(resolve(input))]));
  mkdirSync(CACHE_DIR, { recursive: true });
  const path = join(CACHE_DIR, `${key}.json`);
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, JSON.stringify({ code: bundle.code, inputs: records } satisfies CacheEntry));
  renameSync(partial, path);
}

/**
 * The bundle as a file `<tmp>/sensor-bundles/<sha256>/<name>`, written once (atomically, so parallel synths
 * of the same code never see half a file): what cdktf copies into the synthesized stack as an asset.
 */
export function bundleFile(bundle: ScriptBundle, name: string): string {
  const dir = join(tmpdir(), "sensor-bundles", bundle.sha256);
  const path = join(dir, name);
  // Named by its content and only ever renamed into place whole: a file there already holds these bytes.
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, bundle.code);
  renameSync(partial, path);
  return path;
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
