import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { runInNewContext } from "node:vm";
import { bundleScriptSync } from "./kubernetes-script-bundle";

describe("bundleScriptSync", () => {
  const dir = mkdtempSync(join(tmpdir(), "bundle-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("inlines local imports into one runnable file and hashes it", () => {
    writeFileSync(join(dir, "lib.ts"), "export const greet = (n: string): string => `hello ${n}`;\n");
    writeFileSync(join(dir, "entry.ts"), "import { greet } from './lib';\n(globalThis as any).out = greet('bdc');\n");
    const bundle = bundleScriptSync(join(dir, "entry.ts"));
    expect(bundle.code).not.toMatch(/require\(["']\.\/lib["']\)/);
    expect(bundle.sha256).toBe(createHash("sha256").update(bundle.code).digest("hex"));
    const sandbox: { out?: string } = {};
    runInNewContext(bundle.code, sandbox);
    expect(sandbox.out).toBe("hello bdc");
  });
});
