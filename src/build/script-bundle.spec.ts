import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { execFile, execFileSync } from "node:child_process";
import { bundleModule, bundleScriptSync } from "./script-bundle";
import { requirePrecompiled } from "./precompiled";

describe("bundleScriptSync", () => {
  // Inside the repository (git-ignored .tmp/), so that esbuild resolves packages from node_modules.
  const scratch = resolve(__dirname, "..", "..", ".tmp");
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(join(scratch, "bundle-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("inlines local and package imports into one CommonJS file that a bare Node runs as its main module", () => {
    // lib.ts uses import.meta.url and require of a built-in, as ESM packages such as @platformatic/kafka do.
    writeFileSync(
      join(dir, "lib.ts"),
      [
        'import { createRequire } from "node:module";',
        "const req = createRequire(import.meta.url);",
        'export const greet = (n: string): string => `hello ${n} ${typeof req("node:os").hostname}`;',
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "entry.ts"),
      'import { greet } from "./lib";\nimport { Producer } from "@platformatic/kafka";\nif (require.main === module) console.log(greet("bdc"), typeof Producer);\n',
    );
    const bundle = bundleScriptSync(join(dir, "entry.ts"));
    expect(bundle.code).not.toMatch(/require\(["']\.\/lib["']\)/);
    expect(bundle.sha256).toBe(createHash("sha256").update(bundle.code).digest("hex"));
    // Run it from an empty directory: nothing may be resolved from node_modules at run time.
    const runDir = mkdtempSync(join(tmpdir(), "bundle-run-"));
    try {
      writeFileSync(join(runDir, "script.js"), bundle.code);
      const out = execFileSync(process.execPath, [join(runDir, "script.js")], { cwd: runDir, encoding: "utf8" });
      expect(out.trim()).toBe("hello bdc function function");
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});

describe("the bundle cache", () => {
  const scratch = resolve(__dirname, "..", "..", ".tmp");
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(join(scratch, "bundle-cache-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("gives the cached code in a new process while every file read is unchanged, and builds anew when one changes", () => {
    writeFileSync(join(dir, "dep.ts"), 'export const word = "first";\n');
    writeFileSync(join(dir, "main.ts"), 'import { word } from "./dep";\nconsole.log(word);\n');
    const bundleIn = (): string =>
      execFileSync(process.execPath, ["--import", "tsx", "-e", `process.stdout.write(require(${JSON.stringify(__dirname + "/script-bundle")}).bundleScriptSync(${JSON.stringify(join(dir, "main.ts"))}).code)`], {
        cwd: resolve(__dirname, "..", ".."),
        encoding: "utf8",
      });
    const first = bundleIn();
    expect(first).toContain('"first"');
    // Mark the cached code: a second process must give the marked code, from the cache, not a build.
    const cacheDir = resolve(__dirname, "..", "..", ".cache", "bundles");
    const [entry] = readdirSync(cacheDir).map((f) => join(cacheDir, f)).filter((f) => readFileSync(f, "utf8").includes(JSON.stringify(first).slice(1, -1)));
    const cached = JSON.parse(readFileSync(entry!, "utf8")) as { code: string };
    writeFileSync(entry!, JSON.stringify({ ...cached, code: `${cached.code}/* from the cache */` }));
    expect(bundleIn()).toBe(`${first}/* from the cache */`);
    writeFileSync(join(dir, "dep.ts"), 'export const word = "second";\n'); // a dependency of the entry, not the entry
    const second = bundleIn();
    expect(second).toContain('"second"');
    expect(second).not.toContain('"first"');
    // Same size, other content: the new modification time makes the cache read and hash it again.
    writeFileSync(join(dir, "dep.ts"), 'export const word = "third!";\n');
    utimesSync(join(dir, "dep.ts"), new Date(), new Date(Date.now() + 5000));
    expect(bundleIn()).toContain('"third!"');
  });
});

describe("the bundle cache and a file written during the build", () => {
  const scratch = resolve(__dirname, "..", "..", ".tmp");
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(join(scratch, "bundle-race-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cacheDir = resolve(__dirname, "..", "..", ".cache", "bundles");
  const entriesWith = (marker: string): string[] => readdirSync(cacheDir).filter((f) => f.endsWith(".json") && readFileSync(join(cacheDir, f), "utf8").includes(marker));

  it("does not record a build one of whose files changed after it began (the code may hold the older text)", () => {
    const marker = `marker-${process.pid}-${Date.now()}`;
    writeFileSync(join(dir, "late.ts"), `console.log("${marker}-late");\n`);
    // A modification time after the build's start is what a write during the build leaves.
    utimesSync(join(dir, "late.ts"), new Date(), new Date(Date.now() + 60_000));
    expect(bundleScriptSync(join(dir, "late.ts")).code).toContain(`${marker}-late`);
    expect(entriesWith(`${marker}-late`)).toEqual([]);
    writeFileSync(join(dir, "settled.ts"), `console.log("${marker}-settled");\n`);
    utimesSync(join(dir, "settled.ts"), new Date(), new Date(Date.now() - 60_000));
    bundleScriptSync(join(dir, "settled.ts"));
    expect(entriesWith(`${marker}-settled`)).toHaveLength(1);
  });
});

describe("bundleModule and requirePrecompiled", () => {
  const scratch = resolve(__dirname, "..", "..", ".tmp");
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(join(scratch, "bundle-module-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("inlines our modules and the packages named, leaves the others to require, and keeps each module's own __dirname", async () => {
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "where.ts"), "export const here = { dir: __dirname, file: __filename };\n");
    writeFileSync(
      join(dir, "entry.ts"),
      [
        'import { here } from "./sub/where";',
        'import { Command } from "commander";',
        'import * as z from "zod";',
        'export const result = { here, entryDir: __dirname, command: typeof Command, parsed: z.string().parse("ok") };',
      ].join("\n"),
    );
    const bundle = await bundleModule(join(dir, "entry.ts"), ["zod"]);
    expect(bundle.code).toContain('require("commander")');
    expect(bundle.code).not.toMatch(/require\("zod/);
    expect(bundle.code).not.toMatch(/require\("\.\/sub/);
    const { result } = await requirePrecompiled<{ result: Record<string, unknown> }>(join(dir, "entry.ts"));
    expect(result).toEqual({ here: { dir: join(dir, "sub"), file: join(dir, "sub", "where.ts") }, entryDir: dir, command: "function", parsed: "ok" });
  });

  it("loads the module anew in a new process once a file it was built from changes", () => {
    writeFileSync(join(dir, "word.ts"), 'export const word = "first";\n');
    writeFileSync(join(dir, "says.ts"), 'import { word } from "./word";\nexport const says = word;\n');
    const saysIn = (): string =>
      execFileSync(process.execPath, ["--import", "tsx", "-e", `require(${JSON.stringify(__dirname + "/precompiled")}).requirePrecompiled(${JSON.stringify(join(dir, "says.ts"))}).then((m) => process.stdout.write(m.says))`], {
        cwd: resolve(__dirname, "..", ".."),
        encoding: "utf8",
      });
    expect(saysIn()).toBe("first");
    writeFileSync(join(dir, "word.ts"), 'export const word = "second";\n');
    expect(saysIn()).toBe("second");
  });

  it("serves synths started at once on a cold cache, and one whose cache entry a killed run left half-written", async () => {
    const marker = `concurrent-${process.pid}-${Date.now()}`;
    writeFileSync(join(dir, "shared.ts"), `export const says = "${marker}";\n`);
    utimesSync(join(dir, "shared.ts"), new Date(), new Date(Date.now() - 60_000));
    const run = () =>
      new Promise<string>((done, fail) =>
        execFile(process.execPath, ["--import", "tsx", "-e", `require(${JSON.stringify(__dirname + "/precompiled")}).requirePrecompiled(${JSON.stringify(join(dir, "shared.ts"))}).then((m) => process.stdout.write(m.says))`], { cwd: resolve(__dirname, "..", "..") }, (error, stdout) => (error ? fail(error) : done(stdout))),
      );
    expect(await Promise.all([run(), run(), run()])).toEqual([marker, marker, marker]);
    const cacheDir = resolve(__dirname, "..", "..", ".cache", "bundles");
    const entries = readdirSync(cacheDir).filter((f) => f.endsWith(".json") && readFileSync(join(cacheDir, f), "utf8").includes(marker));
    expect(entries).toHaveLength(1);
    // A run killed mid-write leaves at most a truncated entry (entries are renamed into place whole, but a disk can fill).
    const entry = join(cacheDir, entries[0]!);
    writeFileSync(entry, readFileSync(entry, "utf8").slice(0, 100));
    expect(await run()).toBe(marker);
    expect(JSON.parse(readFileSync(entry, "utf8")).code).toContain(marker);
  });

  it("fails on a module that does not compile with esbuild's message naming the file and line", async () => {
    writeFileSync(join(dir, "broken.ts"), "export const a = ;\n");
    await expect(requirePrecompiled(join(dir, "broken.ts"))).rejects.toThrow(/broken\.ts:1:17: ERROR: Unexpected ";"/);
  });

  it("tree-shakes zod: none of its locales but English are in the file", async () => {
    writeFileSync(join(dir, "schema.ts"), 'import * as z from "zod";\nexport const parse = (v: unknown) => z.object({ a: z.number() }).safeParse(v);\n');
    const { code } = await bundleModule(join(dir, "schema.ts"), ["zod"]);
    expect(code).toContain("locales/en.js");
    expect(code).not.toContain("locales/de.js");
  });
});
