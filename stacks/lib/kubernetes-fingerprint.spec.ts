import { Testing, TerraformVariable } from "cdktf";
import { fingerprint } from "./kubernetes-fingerprint";

describe("fingerprint", () => {
  it("ignores key order but not values", () => {
    expect(fingerprint({ a: 1, b: [1, 2] })).toBe(fingerprint({ b: [1, 2], a: 1 }));
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
    expect(fingerprint({ a: [1, 2] })).not.toBe(fingerprint({ a: [2, 1] }));
  });

  it("gives the same text for tokens created in a different order, keeping the literal text around them", () => {
    let first = "";
    let second = "";
    let otherLiteral = "";
    Testing.synthScope((scope) => {
      const x = new TerraformVariable(scope, "x", { type: "string" }).stringValue;
      first = fingerprint({ url: `https://${x}/a` });
      new TerraformVariable(scope, "noise", { type: "string" });
      const y = new TerraformVariable(scope, "y", { type: "string" }).stringValue;
      second = fingerprint({ url: `https://${y}/a` });
      otherLiteral = fingerprint({ url: `https://${y}/b` });
    });
    expect(second).toBe(first);
    expect(otherLiteral).not.toBe(first);
    expect(first).not.toMatch(/TOKEN/);
  });
});
