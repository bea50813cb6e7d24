/**
 * Bundles the in-cluster deployer (main.ts and its dependencies) into one minified file for the
 * bdc stack's ConfigMap. `npm run build:deployer` writes it to dist/deployer/deployer.js.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildSync } from "esbuild";

const ENTRY = resolve(__dirname, "main.ts");
/** ConfigMaps are limited to 1 MiB; stay well below. */
export const MAX_BUNDLE_BYTES = 900 * 1024;

export interface DeployerBundle {
  code: string;
  sha256: string;
}

export function bundleDeployerSync(): DeployerBundle {
  const result = buildSync({
    entryPoints: [ENTRY],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    write: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.text;
  if (Buffer.byteLength(code) > MAX_BUNDLE_BYTES) {
    throw new Error(`deployer bundle is ${Buffer.byteLength(code)} bytes; the ConfigMap limit leaves room for at most ${MAX_BUNDLE_BYTES}`);
  }
  return { code, sha256: createHash("sha256").update(code).digest("hex") };
}

if (require.main === module) {
  const out = resolve(__dirname, "..", "..", "dist", "deployer");
  mkdirSync(out, { recursive: true });
  const bundle = bundleDeployerSync();
  writeFileSync(join(out, "deployer.js"), bundle.code);
  process.stdout.write(`dist/deployer/deployer.js: ${Buffer.byteLength(bundle.code)} bytes, sha256 ${bundle.sha256}\n`);
}
