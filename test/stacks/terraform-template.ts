// A small reader of Terraform's string templates, for tests: it renders `$${`/`%%{` escapes and
// plain `${reference}` interpolations from a map, and throws on anything else it would evaluate,
// so a test can prove what text Terraform will produce from a synthesized string.
export function renderTerraformTemplate(
  template: string,
  references: Readonly<Record<string, string>> | ((expression: string) => string | undefined),
): string {
  const lookup = typeof references === "function" ? references : (expression: string) => references[expression];
  let out = "";
  for (let i = 0; i < template.length; ) {
    const two = template.slice(i, i + 3);
    if (two === "$${" || two === "%%{") {
      out += two.slice(1);
      i += 3;
    } else if (template.startsWith("${", i) || template.startsWith("%{", i)) {
      const end = template.indexOf("}", i);
      const expression = template.slice(i + 2, end);
      const value = template[i] === "$" ? lookup(expression) : undefined;
      if (value === undefined) throw new Error(`Terraform would evaluate an interpolation or directive: ${template.slice(i, end + 1)}`);
      out += value;
      i = end + 1;
    } else {
      out += template[i];
      i += 1;
    }
  }
  return out;
}
