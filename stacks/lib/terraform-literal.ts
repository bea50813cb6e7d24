// Terraform reads every string in cdk.tf.json as a template: `${` and `%{` start an interpolation
// or a directive. Text that must arrive verbatim (bundled JavaScript, JSON written by us) is escaped
// by doubling the leading character (`$${`, `%%{`); cdktf tokens inside it stay live.
import { Tokenization } from "cdktf";

/** Escapes template sequences in the literal parts of `text`, keeping any cdktf tokens as they are. */
export function terraformLiteral(text: string): string {
  let out = "";
  let rest = text;
  for (const token of Tokenization.reverseString(text).tokens) {
    const marker = token.toString();
    const at = rest.indexOf(marker);
    out += escapeTemplate(rest.slice(0, at)) + marker;
    rest = rest.slice(at + marker.length);
  }
  return out + escapeTemplate(rest);
}

function escapeTemplate(literal: string): string {
  // Replacement functions, not strings: in a replacement string `$$` itself means "$".
  return literal.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}
