// Plan JSON -> summary -> markdown, on plans written in Terraform's documented JSON plan format
// (resource_changes, resource_drift, output_changes), covering what the real-terraform test in
// diff-environment.spec.ts cannot produce offline: replace, delete and drift outside Terraform.
import { renderEnvironmentMarkdown } from "../../scripts/ci/lib/plan-markdown";
import { hasInfrastructureChanges, PlanFormatError, summarizePlan } from "../../scripts/ci/lib/terraform-plan";

const change = (address: string, actions: string[], before: unknown, after: unknown, extra: object = {}) => ({
  address,
  mode: "managed",
  type: address.split(".")[0],
  name: address.split(".")[1],
  provider_name: "registry.terraform.io/hashicorp/azurerm",
  change: { actions, before, after, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
  ...extra,
});

const plan = {
  format_version: "1.2",
  terraform_version: "1.11.4",
  resource_drift: [
    change("azurerm_eventhub_namespace.ns", ["update"], { capacity: 2, tags: { a: "1" } }, { capacity: 5, tags: { a: "1" } }),
  ],
  resource_changes: [
    change("azurerm_eventhub_namespace.ns", ["update"], { capacity: 5, sku: "Standard" }, { capacity: 2, sku: "Standard" }),
    change("azurerm_eventhub.readings", ["delete", "create"], { partition_count: 4 }, { partition_count: 8 }, { action_reason: "replace_because_cannot_update" }),
    change("azurerm_eventhub_authorization_rule.sim", ["update"], { primary_key: "S3cretKeyValue0000" }, { primary_key: "An0therSecretValue" }),
    change("azurerm_resource_group.old", ["delete"], { name: "rg" }, null),
    change("azurerm_eventhub.stats", ["create"], null, { name: "sensor-stats" }),
    change("azurerm_eventhub.same", ["no-op"], { name: "x" }, { name: "x" }),
    { ...change("azurerm_client_config.current", ["read"], null, {}), mode: "data" },
  ],
  output_changes: { namespace: { actions: ["update"] }, unchanged: { actions: ["no-op"] } },
};

describe("summarizePlan", () => {
  const s = summarizePlan("sensors-dev-eventhubs", JSON.stringify(plan));

  it("counts like Terraform: a replace is one add and one destroy; no-op and reads are not changes", () => {
    expect(s.counts).toEqual({ add: 2, change: 2, destroy: 2 });
    expect(s.changes.map((c) => [c.address, c.kind])).toEqual([
      ["azurerm_eventhub.readings", "replace"],
      ["azurerm_eventhub.stats", "create"],
      ["azurerm_eventhub_authorization_rule.sim", "update"],
      ["azurerm_eventhub_namespace.ns", "update"],
      ["azurerm_resource_group.old", "delete"],
    ]);
    expect(hasInfrastructureChanges(s)).toBe(true);
  });

  it("names changed attributes, drift and outputs", () => {
    expect(s.changes.find((c) => c.kind === "replace")).toMatchObject({ changedAttributes: ["partition_count"], reason: "replace_because_cannot_update" });
    expect(s.drifted).toEqual([{ address: "azurerm_eventhub_namespace.ns", kind: "update", changedAttributes: ["capacity"] }]);
    expect(s.changedOutputs).toEqual(["namespace"]);
  });

  it("renders a table without ever printing a value", () => {
    const md = renderEnvironmentMarkdown("dev", [{ stack: s.stack, summary: s }]);
    expect(md).toContain("### 📝 dev: 2 to add, 2 to change, 2 to destroy");
    expect(md).toContain("| 🟠 replace (replace because cannot update) | `azurerm_eventhub.readings` | `partition_count` |");
    expect(md).toContain("⚠️ 1 resource(s) changed outside Terraform");
    expect(md).toContain("Outputs that would change: `namespace`");
    expect(md).not.toMatch(/S3cretKeyValue|An0therSecret|Standard/);
  });

  it("sees no changes in an empty plan", () => {
    const empty = summarizePlan("x", JSON.stringify({ format_version: "1.2", resource_changes: [] }));
    expect(hasInfrastructureChanges(empty)).toBe(false);
    expect(renderEnvironmentMarkdown("prod", [{ stack: "x", summary: empty }])).toContain("✅ prod: no changes");
  });

  it("rejects what is not a plan, naming the stack", () => {
    expect(() => summarizePlan("sensors-dev-bdc", "Error: no plan")).toThrow(PlanFormatError);
    expect(() => summarizePlan("sensors-dev-bdc", JSON.stringify({ resource_changes: "x" }))).toThrow(/sensors-dev-bdc: not a Terraform plan/);
    expect(() => summarizePlan("s", JSON.stringify({ format_version: "1.2", errored: true }))).toThrow(/errored/);
  });

  it("cuts very long plans per stack so a PR comment stays under GitHub's limit", () => {
    const many = { format_version: "1.2", resource_changes: Array.from({ length: 500 }, (_, i) => change(`azurerm_eventhub.h${i}`, ["create"], null, {})) };
    const md = renderEnvironmentMarkdown("dev", [{ stack: "s", summary: summarizePlan("s", JSON.stringify(many)) }]);
    expect(md).toContain("440 more, see the job log");
    expect(md.length).toBeLessThan(10_000);
  });
});
