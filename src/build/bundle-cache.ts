// The bundles' disk cache: synth runs in a fresh process each time, and bundling is most of its work. An entry
// holds the code and the sha256 of every file esbuild read for it; it is used only while each of them is
// unchanged (a changed source or dependency, or a new import, which is a change to a file read, builds anew).
// As git's index does, a file whose size and modification time are as recorded is not read again: hashing the
// hundreds of dependency files on every synth cost more than the rest of the cache lookup.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/** A bundled script and the sha256 of its code. */
export interface ScriptBundle {
  /** The JavaScript, one file. */
  readonly code: string;
  /** sha256 hex of `code`. */
  readonly sha256: string;
}

/** The project's root: inputs are recorded relative to it, and the cache lives in its git-ignored .cache/. */
export const PROJECT_ROOT = resolve(__dirname, "..", "..");
const CACHE_DIR = join(PROJECT_ROOT, ".cache", "bundles");

/** What a cache entry knows of one input file. */
interface InputRecord {
  readonly sha256: string;
  readonly size: number;
  readonly mtimeMs: number;
}

interface CacheEntry {
  readonly code: string;
  /** Path relative to PROJECT_ROOT → the file as it was read. */
  readonly inputs: Record<string, InputRecord>;
}

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

let lockDigestOfProcess: string | undefined;

/**
 * sha256 of package-lock.json, read once per process (a synth asks for each bundle once per environment).
 * It is in every key: resolution can change with the installed packages without a file read changing.
 */
function lockDigest(): string {
  const lock = join(PROJECT_ROOT, "package-lock.json");
  lockDigestOfProcess ??= existsSync(lock) ? sha256(readFileSync(lock)) : "";
  return lockDigestOfProcess;
}

/** The cache key of a build: what it was asked (JSON-serializable) and the installed packages. */
export function cacheKey(build: object): string {
  return sha256(JSON.stringify({ lock: lockDigest(), build }));
}

/** Read before its stat: a write in between then shows as a modification time the caller can see. */
function inputRecord(file: string): InputRecord {
  const content = readFileSync(file);
  const stat = statSync(file);
  return { sha256: sha256(content), size: stat.size, mtimeMs: stat.mtimeMs };
}

function unchanged(file: string, recorded: InputRecord): boolean {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat?.size !== recorded.size) return false;
  return stat.mtimeMs === recorded.mtimeMs || sha256(readFileSync(file)) === recorded.sha256;
}

/** The cached bundle of `key`, if every file it was built from is as it was. */
export function readCachedBundle(key: string): ScriptBundle | undefined {
  const path = join(CACHE_DIR, `${key}.json`);
  if (!existsSync(path)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(path, "utf8")) as CacheEntry;
    for (const [input, recorded] of Object.entries(entry.inputs)) {
      if (typeof recorded !== "object" || !unchanged(resolve(PROJECT_ROOT, input), recorded)) return undefined;
    }
    return { code: entry.code, sha256: sha256(entry.code) };
  } catch {
    return undefined; // unreadable or half-written by a run that died: build anew
  }
}

/**
 * Records `bundle` under `key` with the files it was built from (esbuild's metafile inputs, relative to the working
 * directory), unless one of them changed after the build began at `startedMs`: the code may hold its older text,
 * and recording its newer one would keep serving that code until the file changed again.
 */
export function writeCachedBundle(key: string, bundle: ScriptBundle, inputs: readonly string[], startedMs: number): void {
  // One that is no file (e.g. a virtual module) cannot be checked later: such a build is not cached.
  if (!inputs.every((input) => existsSync(resolve(input)))) return;
  const records = Object.fromEntries(inputs.map((input) => [relative(PROJECT_ROOT, resolve(input)), inputRecord(resolve(input))]));
  if (Object.values(records).some((record) => record.mtimeMs >= startedMs)) return;
  mkdirSync(CACHE_DIR, { recursive: true });
  const path = join(CACHE_DIR, `${key}.json`);
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, JSON.stringify({ code: bundle.code, inputs: records } satisfies CacheEntry));
  renameSync(partial, path);
}
