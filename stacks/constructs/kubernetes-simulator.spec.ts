import { Testing, TerraformVariable } from "cdktf";
import { KubernetesSimulator } from "./kubernetes-simulator";
import { readFileSync } from "node:fs";
import { bundleFile } from "../../src/build/script-bundle";
import { parseTerraformTemplate } from "../../test/stacks/terraform-template";

type Block = Record<string, unknown>;
type Json = { resource: Record<string, Record<string, Block>> };

const bundle = { code: "console.log(`simulator ${Date.now()}`)", sha256: "c".repeat(64) };

function synth(): Json {
  return JSON.parse(
    Testing.synthScope((scope) => {
      const cs = new TerraformVariable(scope, "send_cs", { type: "string", sensitive: true }).stringValue;
      new KubernetesSimulator(scope, "sim", {
        namespace: "mssql-cluster",
        image: "node:20",
        bundle,
        args: ["--topic", "sensor-readings", "--rate", "50"],
        connectionString: cs,
      });
    }),
  ) as Json;
}

describe("KubernetesSimulator", () => {
  it("runs the bundled simulator against its topic, reading the connection string from its own Secret", () => {
    const json = synth();
    const [deployment] = Object.values(json.resource.kubernetes_deployment_v1) as {
      metadata: Block;
      spec: { template: { metadata: { annotations: Block }; spec: { container: Block[] } } };
    }[];
    expect(deployment.metadata).toMatchObject({ name: "sensor-simulator", namespace: "mssql-cluster" });
    const container = deployment.spec.template.spec.container[0];
    expect(container.command).toEqual(["node", "/simulator/simulator.js", "--topic", "sensor-readings", "--rate", "50"]);
    expect(container.env).toEqual([
      { name: "EVENTHUBS_CONNECTION_STRING", value_from: { secret_key_ref: expect.objectContaining({ key: "EVENTHUBS_CONNECTION_STRING" }) } },
    ]);
    expect(deployment.spec.template.metadata.annotations["sensors.bdc/code-sha256"]).toBe(bundle.sha256);
    const [configMap] = Object.values(json.resource.kubernetes_config_map_v1);
    expect(Object.keys(configMap.data as Block)).toEqual(["simulator.js"]);
    expect(parseTerraformTemplate((configMap.data as Record<string, string>)["simulator.js"]!).evaluated).toEqual([expect.stringMatching(new RegExp(`^file\\("assets/[\\w-]+/${bundle.sha256}/simulator\\.js"\\)$`))]);
    expect(readFileSync(bundleFile(bundle, "simulator.js"), "utf8")).toBe(bundle.code);
    const [secret] = Object.values(json.resource.kubernetes_secret_v1);
    expect(Object.keys(secret.data as Block)).toEqual(["EVENTHUBS_CONNECTION_STRING"]);
  });

  it("refuses a literal connection string", () => {
    expect(() =>
      Testing.synthScope((scope) => {
        new KubernetesSimulator(scope, "sim", { namespace: "ns", image: "node:20", bundle, args: [], connectionString: "Endpoint=sb://x" });
      }),
    ).toThrow(/connectionString: a literal string — allowed: a Terraform variable or reference/);
  });
});
