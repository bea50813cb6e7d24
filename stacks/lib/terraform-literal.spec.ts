import { Testing, TerraformVariable } from "cdktf";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { terraformLiteral } from "./terraform-literal";
import { parseTerraformTemplate, terraformText } from "../../test/stacks/terraform-template";

function synthValue(build: (scope: import("constructs").Construct) => string): string {
  let value = "";
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      new ConfigMapV1(scope, "c", { metadata: { name: "c" }, data: { v: build(scope) } });
    }),
  ) as { resource: { kubernetes_config_map_v1: { c: { data: { v: string } } } } };
  value = json.resource.kubernetes_config_map_v1.c.data.v;
  return value;
}

describe("terraformLiteral", () => {
  const code = 'const a=`x ${b} y`;const d="%{if}";const e="$${already}";const f="%%{x}";const g="$ {no}";';

  it("makes Terraform read JavaScript template literals and directives verbatim", () => {
    const synthesized = synthValue(() => terraformLiteral(code));
    expect(terraformText(synthesized)).toBe(code);
  });

  it("would let Terraform interpolate the same text unescaped (the failure it prevents)", () => {
    expect(() => terraformText(synthValue(() => code))).toThrow(/Terraform (could not parse|would evaluate)/);
  });

  it("keeps cdktf tokens live while escaping the text around them", () => {
    const synthesized = synthValue((scope) => {
      const v = new TerraformVariable(scope, "endpoint", { type: "string" }).stringValue;
      return terraformLiteral(`{"url":"${v}/x","js":"\${notMine}"}`);
    });
    expect(synthesized).toBe('{"url":"${var.endpoint}/x","js":"$${notMine}"}');
    expect(parseTerraformTemplate(synthesized)).toEqual({ rendered: '{"url":"<var.endpoint>/x","js":"${notMine}"}', references: ["var.endpoint"], evaluated: [] });
  });
});
