// Reads a synthesized string the way Terraform does: HashiCorp's HCL template parser, built by
// scripts/setup.d/51-bdc-hcl-template.sh from test/stacks/bdc-hcl-template/. Tests use it to prove
// what text Terraform will produce from a string in cdk.tf.json.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

const TOOL = resolve(__dirname, "..", "..", ".cache", "bin", "bdc-hcl-template");

/** A string as Terraform reads it. */
export interface TerraformTemplate {
  /** The text produced, with each plain reference shown as `<reference>`. */
  readonly rendered: string;
  /** Plain references, e.g. `azurerm_storage_account.a.name`, in order. */
  readonly references: readonly string[];
  /** Anything else Terraform would evaluate (function calls, directives). */
  readonly evaluated: readonly string[];
}

/** Parses `text` as a Terraform template; throws on a syntax error. */
export function parseTerraformTemplate(text: string): TerraformTemplate {
  if (!existsSync(TOOL)) throw new Error(`${TOOL} is missing: run bash scripts/setup.sh`);
  const run = spawnSync(TOOL, { input: text, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`bdc-hcl-template failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout) as TerraformTemplate & { error?: string };
  if (out.error) throw new Error(`Terraform could not parse the string: ${out.error.slice(0, 500)}`);
  return out;
}

/** The text Terraform produces from `text`, which must hold no reference or expression at all. */
export function terraformText(text: string): string {
  const parsed = parseTerraformTemplate(text);
  if (parsed.references.length > 0 || parsed.evaluated.length > 0) {
    throw new Error(`Terraform would evaluate: ${[...parsed.references, ...parsed.evaluated].slice(0, 5).join(", ")}`);
  }
  return parsed.rendered;
}

/** JSON paths (with the parser's message) of the strings in a synthesized stack that Terraform cannot parse. */
export function unparsableStrings(stackJson: string): { strings: number; errors: { path: string; error: string }[] } {
  if (!existsSync(TOOL)) throw new Error(`${TOOL} is missing: run bash scripts/setup.sh`);
  const run = spawnSync(TOOL, ["--all-strings"], { input: stackJson, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`bdc-hcl-template failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { strings: number; errors: { path: string; error: string }[] };
}

/**
 * The text Terraform produces from a `${file("<path>")}` value (and nothing else around it): the file's content,
 * read from `stackDir`, the synthesized stack's directory where Terraform runs.
 */
export function terraformFileText(text: string, stackDir: string): string {
  const parsed = parseTerraformTemplate(text);
  const call = /^file\("([^"\\]+)"\)$/.exec(parsed.evaluated.length === 1 ? parsed.evaluated[0]! : "");
  if (call === null || parsed.references.length > 0 || parsed.rendered !== "") {
    throw new Error(`not a lone file("…") call: ${text.slice(0, 200)}`);
  }
  return readFileSync(resolve(stackDir, call[1]!), "utf8");
}
