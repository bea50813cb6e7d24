import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { bundleScriptSync } from "./kubernetes-script-bundle";

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
