// The synth's diagnostics switch, in child processes: it changes process-wide state (source maps, V8's stack
// formatting) that must not leak into the test worker.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { diagnosticsRequested } from "./synth-diagnostics";

const root = resolve(__dirname, "..", "..");

/** Loads the module under tsx, as main.ts does, and reports what an error and the source-map switch look like. */
const PROBE = `
const early = new Error("thrown during the synth");
const during = { sourceMaps: process.sourceMapsEnabled, stack: new Error("read during the synth").stack };
require("./stacks/lib/synth-diagnostics").restoreDiagnostics();
console.log(JSON.stringify({ during, after: { sourceMaps: process.sourceMapsEnabled, earlyStack: early.stack } }));
`;

function probe(nodeOptions?: string): { during: { sourceMaps: boolean; stack: string }; after: { sourceMaps: boolean; earlyStack: string } } {
  const env = { ...process.env, NODE_OPTIONS: nodeOptions ?? "" };
  // The module is required first, as main.ts imports it first.
  const code = `require("./stacks/lib/synth-diagnostics");${PROBE}`;
  const result = spawnSync(process.execPath, ["--import", "tsx", "--eval", code], { cwd: root, env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

describe("synth diagnostics", () => {
  it("turns source maps and stack formatting off while loaded, and back on before an error is printed", () => {
    const { during, after } = probe();
    expect(during).toEqual({ sourceMaps: false, stack: "" });
    expect(after.sourceMaps).toBe(true);
    // An error created during the synth but printed after keeps its message and frames.
    expect(after.earlyStack).toMatch(/^Error: thrown during the synth\n\s+at /);
  });

  it("leaves both alone when the user asked for source maps", () => {
    const { during, after } = probe("--enable-source-maps");
    expect(during.sourceMaps).toBe(true);
    expect(during.stack).toMatch(/^Error: read during the synth\n\s+at /);
    expect(after.sourceMaps).toBe(true);
  });

  it.each([
    [["--enable-source-maps"], "", true],
    [[], "--max-old-space-size=512 --enable-source-maps", true],
    [["--import", "tsx"], "--max-old-space-size=512", false],
    [[], "", false],
  ])("argv %j with NODE_OPTIONS %j: requested %s", (execArgv, nodeOptions, requested) => {
    expect(diagnosticsRequested(execArgv, nodeOptions)).toBe(requested);
  });
});
