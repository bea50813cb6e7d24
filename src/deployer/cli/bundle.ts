/**
 * The in-cluster deployer as files for the stock Node image: `deployer.js` (main.ts and its dependencies)
 * and, beside it, `topic-offsets.js` (the Kafka client that ensure and status ask for end offsets). Two
 * files because together they pass what one ConfigMap holds; deployer.js loads the second with a plain
 * `require("../clients/topic-offsets")` only when it asks Kafka. `npm run build:deployer` writes both to dist/deployer/.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleScriptSync, type ScriptBundle } from "../../build/script-bundle";
import { DEPLOYER_SCRIPT, TOPIC_OFFSETS_SCRIPT } from "../../../contracts/deployer-container";
import { TOPIC_OFFSETS_MODULE } from "../clients/topic-offsets-loader";
import { BLOB_STORES_MODULE } from "../state/environment-stores";

// deployer.js requires the Kafka client by this module path: the file beside it must carry its name.
if (`${TOPIC_OFFSETS_MODULE}.js` !== `./${TOPIC_OFFSETS_SCRIPT}`) throw new Error(`${TOPIC_OFFSETS_MODULE} is not ./${TOPIC_OFFSETS_SCRIPT}`);

export interface DeployerBundle {
  /** deployer.js. */
  readonly main: ScriptBundle;
  /** topic-offsets.js, required by deployer.js from its own directory. */
  readonly topicOffsets: ScriptBundle;
  /** sha256 over both files: changes exactly when the deployer's code does. */
  readonly sha256: string;
}

export function bundleDeployerSync(): DeployerBundle {
  // The Blob state stores stay out: a BDC's deployer keeps its state on WebHDFS (environment-stores.ts).
  const main = bundleScriptSync(resolve(__dirname, "main.ts"), { external: [TOPIC_OFFSETS_MODULE, BLOB_STORES_MODULE] });
  const topicOffsets = bundleScriptSync(resolve(__dirname, "..", "clients", "topic-offsets.ts"));
  const sha256 = createHash("sha256").update(`${main.sha256}\n${topicOffsets.sha256}\n`).digest("hex");
  return { main, topicOffsets, sha256 };
}

/** Writes the deployer's two files into `dir`; returns the path of deployer.js. */
export function writeDeployerFiles(dir: string, bundle: DeployerBundle = bundleDeployerSync()): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, TOPIC_OFFSETS_SCRIPT), bundle.topicOffsets.code);
  writeFileSync(join(dir, DEPLOYER_SCRIPT), bundle.main.code);
  return join(dir, DEPLOYER_SCRIPT);
}

if (require.main === module) {
  const out = resolve(__dirname, "..", "..", "..", "dist", "deployer");
  const bundle = bundleDeployerSync();
  writeDeployerFiles(out, bundle);
  for (const [name, file] of [[DEPLOYER_SCRIPT, bundle.main], [TOPIC_OFFSETS_SCRIPT, bundle.topicOffsets]] as const) {
    process.stdout.write(`dist/deployer/${name}: ${Buffer.byteLength(file.code)} bytes, sha256 ${file.sha256}\n`);
  }
}
