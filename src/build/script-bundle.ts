// The one bundler: a TypeScript entry point into one CommonJS file.
// - Scripts (bundleScriptSync): everything inlined and minified, for the stock Node image of the deployer and
//   simulator pods (the code travels as data, in a ConfigMap) and for the local stack. CommonJS keeps the
//   entry's `require.main === module` check working; ESM dependencies such as @platformatic/kafka call
//   createRequire(import.meta.url), so import.meta.url is defined as the bundle's own file URL.
// - Modules (bundleModule): our code and the packages named inlined, the other packages left to `require`,
//   each module keeping its own __dirname; run in place by src/build/precompiled.ts.
// Both are cached in the process and on disk (bundle-cache.ts).
import { mkdirSync, readFileSync, renameSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import type { BuildOptions, BuildResult, Plugin } from "esbuild";
import { cacheKey, PROJECT_ROOT, readCachedBundle, sha256, writeCachedBundle, type ScriptBundle } from "./bundle-cache";

export type { ScriptBundle } from "./bundle-cache";

export interface BundleOptions {
  /** Relative imports left as `require(...)` of a sibling file, bundled on their own (e.g. "./topic-offsets"). @default [] */
  readonly external?: readonly string[];
}

/** esbuild, loaded only to build: a synth whose bundles are all cached needs none of it. */
const esbuild = (): typeof import("esbuild") => require("esbuild") as typeof import("esbuild");
const ESBUILD_VERSION = (require("esbuild/package.json") as { version: string }).version;

/** This process's bundles, by cache key. */
const cache = new Map<string, ScriptBundle>();

/** `import.meta.url` of bundled ES modules, which a CommonJS bundle would leave undefined. */
const IMPORT_META_URL = "__bundleImportMetaUrl";
const IMPORT_META_URL_SHIM = `var ${IMPORT_META_URL}=require("node:url").pathToFileURL(__filename).href;`;

const NODE_CJS: BuildOptions = { bundle: true, platform: "node", target: "node20", format: "cjs", logLevel: "silent" };

/** The bundle of `key` from this process or the disk, else built by `build` and recorded in both. */
function cached(key: string, build: () => BuildResult<{ write: false; metafile: true }>): ScriptBundle;
function cached(key: string, build: () => Promise<BuildResult<{ write: false; metafile: true }>>): Promise<ScriptBundle>;
function cached(key: string, build: () => BuildResult | Promise<BuildResult>): ScriptBundle | Promise<ScriptBundle> {
  const hit = cache.get(key) ?? readCachedBundle(key);
  if (hit) {
    cache.set(key, hit);
    return hit;
  }
  const started = Date.now();
  const record = (result: BuildResult): ScriptBundle => {
    const code = result.outputFiles![0]!.text;
    const bundle = { code, sha256: sha256(code) };
    writeCachedBundle(key, bundle, Object.keys(result.metafile!.inputs), started);
    cache.set(key, bundle);
    return bundle;
  };
  const result = build();
  return result instanceof Promise ? result.then(record) : record(result);
}

/** Bundles `entry` with every import inlined (platform node, target node20, CommonJS, minified). */
export function bundleScriptSync(entry: string, options: BundleOptions = {}): ScriptBundle {
  const build: BuildOptions = {
    ...NODE_CJS,
    external: [...(options.external ?? [])],
    define: { "import.meta.url": IMPORT_META_URL },
    banner: { js: IMPORT_META_URL_SHIM },
    minify: true,
    legalComments: "none",
  };
  const key = cacheKey({ esbuild: ESBUILD_VERSION, entry: relative(PROJECT_ROOT, entry), build });
  return cached(key, () => esbuild().buildSync({ ...build, entryPoints: [entry], write: false, metafile: true }));
}

/** Each TypeScript module keeps its own __dirname and __filename in the bundle: they name files beside it. */
const keepModulePaths: Plugin = {
  name: "keep-module-paths",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, ({ path }) => {
      const source = readFileSync(path, "utf8");
      const paths = `const __dirname = ${JSON.stringify(dirname(path))}, __filename = ${JSON.stringify(path)};\n`;
      return { contents: /\b__(dirname|filename)\b/.test(source) ? paths + source : source, loader: "ts" };
    });
  },
};

/** The project's packages (package.json), to leave to `require` unless inlined. */
function installedPackages(): string[] {
  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
  return [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
}

/**
 * Bundles the module `entry` and our code it imports, with the `inline` packages; every other package stays a
 * `require` of node_modules, so the file must run inside the project. Not minified, so a stack stays readable.
 * The paths of the modules are written into it: the key holds the project's root.
 */
export function bundleModule(entry: string, inline: readonly string[]): Promise<ScriptBundle> {
  const build: BuildOptions = { ...NODE_CJS, external: installedPackages().filter((name) => !inline.includes(name)) };
  const key = cacheKey({ esbuild: ESBUILD_VERSION, root: PROJECT_ROOT, entry: relative(PROJECT_ROOT, entry), build, plugins: [keepModulePaths.name] });
  return Promise.resolve(cached(key, () => esbuild().build({ ...build, entryPoints: [entry], plugins: [keepModulePaths], write: false, metafile: true })));
}

/**
 * The bundle as a file `<under>/<sha256>/<name>`, written once (atomically, so parallel synths of the same code
 * never see half a file): by default in the temporary directory, what cdktf copies into a stack as an asset.
 */
export function bundleFile(bundle: ScriptBundle, name: string, under = join(tmpdir(), "sensor-bundles")): string {
  const dir = join(under, bundle.sha256);
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
