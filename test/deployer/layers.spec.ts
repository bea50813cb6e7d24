/**
 * The deployer's folders are layers (src/deployer/README.md owns their order): every file lives in one of them,
 * and no file imports from a layer below its own in the table.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";

const ROOT = join(__dirname, "..", "..", "src", "deployer");

/** The layer folders, top of the table first (the lowest layer). */
function layersInOrder(): string[] {
  const table = readFileSync(join(ROOT, "README.md"), "utf8");
  return [...table.matchAll(/^\| `([a-z-]+)\/` \|/gm)].map((m) => m[1]!);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** Relative import specifiers of a file: `from "…"`, `import("…")`, `require("…")`. */
function relativeImports(source: string): string[] {
  return [...source.matchAll(/(?:from|import\(|require\()\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
}

const layerOf = (file: string): string => relative(ROOT, file).split(sep)[0]!;

describe("the deployer's layers", () => {
  const layers = layersInOrder();
  const files = tsFiles(ROOT);

  it("the README names the layers, and every folder is one of them", () => {
    expect(layers.length).toBeGreaterThanOrEqual(6);
    const folders = readdirSync(ROOT).filter((name) => statSync(join(ROOT, name)).isDirectory());
    expect(folders.sort()).toEqual([...layers].sort());
    expect(files.filter((f) => dirname(f) === ROOT)).toEqual([]);
  });

  it("no file imports from a layer below its own", () => {
    const upward: string[] = [];
    for (const file of files) {
      const rank = layers.indexOf(layerOf(file));
      for (const spec of relativeImports(readFileSync(file, "utf8"))) {
        const target = normalize(join(dirname(file), spec));
        if (!target.startsWith(ROOT + sep)) continue; // contracts/, config/, the build
        const targetRank = layers.indexOf(layerOf(target));
        if (targetRank > rank) upward.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
