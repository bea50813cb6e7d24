// No secret in the synthesized output: the whole app (every environment, every stack) is synthesized
// with recognisable fake secrets in the environment, as a pipeline would have them, and every file
// written is scanned for them. ConfigMaps must not even refer to a secret.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { loadEnvironments } from "../../config";
import { addEnvironmentStacks } from "../../stacks/environment-stacks";
import { remoteStateVariables } from "./remote-state";

const FAKE_KEY = "FAKEehKey0b5e2c9aQ7Zr4Lw1Xy8=";
const FAKE_SAS_SIG = "FAKEsasSig7d4e1fK2mP9";
const FAKES: Record<string, string> = {
  TF_VAR_bdc_gateway_username: "fake-gw-user-3f9d1c",
  TF_VAR_bdc_gateway_password: "FAKE-gw-pass-8e21b7",
  BDC_GATEWAY_USERNAME: "fake-gw-user-3f9d1c",
  BDC_GATEWAY_PASSWORD: "FAKE-gw-pass-8e21b7",
  EVENTHUBS_JOB_CONNECTION_STRING: `Endpoint=sb://fake-ns.servicebus.windows.net/;SharedAccessKeyName=fake-job;SharedAccessKey=${FAKE_KEY}`,
  EVENTHUBS_CONNECTION_STRING: `Endpoint=sb://fake-ns.servicebus.windows.net/;SharedAccessKeyName=fake-sim;SharedAccessKey=${FAKE_KEY}`,
  ARTIFACT_SAS_TOKEN: `sv=2022-11-02&sr=c&sp=r&sig=${FAKE_SAS_SIG}`,
};
const NEEDLES = [...new Set([...Object.values(FAKES), FAKE_KEY, FAKE_SAS_SIG])];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

type Block = Record<string, unknown>;
type TfJson = { resource?: Record<string, Record<string, Block>> };

describe("synthesized output of every environment", () => {
  const saved: Record<string, string | undefined> = {};
  let outdir = "";
  let files: string[] = [];

  beforeAll(() => {
    for (const [k, v] of Object.entries(FAKES)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    outdir = mkdtempSync(join(tmpdir(), "bdc-secrets-"));
    const app = new App({ outdir });
    for (const env of loadEnvironments(undefined, { variables: remoteStateVariables() })) addEnvironmentStacks(app, env);
    app.synth();
    files = filesUnder(outdir);
  });

  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(outdir, { recursive: true, force: true });
  });

  const bdcStacks = (): [string, TfJson][] =>
    files
      .filter((f) => /stacks[\\/][^\\/]+-bdc[\\/]cdk\.tf\.json$/.test(f))
      .map((f) => [f, JSON.parse(readFileSync(f, "utf8")) as TfJson]);

  it("has a bdc stack for every environment", () => {
    const names = bdcStacks().map(([f]) => f.split(/[\\/]/).at(-2)).sort();
    expect(names).toEqual(loadEnvironments(undefined, { variables: {} }).map((e) => `${e.namePrefix}-${e.name}-bdc`).sort());
  });

  it("contains none of the fake secret values in any file", () => {
    expect(files.length).toBeGreaterThan(0);
    const leaks = files.flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return NEEDLES.filter((needle) => text.includes(needle)).map((needle) => `${file}: ${needle}`);
    });
    expect(leaks).toEqual([]);
  });

  it("keeps ConfigMaps free of secrets and of references to them", () => {
    for (const [file, json] of bdcStacks()) {
      const configMaps = Object.values(json.resource?.kubernetes_config_map_v1 ?? {});
      expect(configMaps.length).toBeGreaterThan(0);
      for (const configMap of configMaps) {
        const text = JSON.stringify(configMap.data);
        // A Terraform interpolation of anything secret would put its value into the ConfigMap at apply.
        const secretReference = /\$\{[^}]*(var\.bdc_gateway|connection_string|blob_container_sas|primary_access_key|\.sas\b)[^}]*\}/;
        expect({ file, match: secretReference.exec(text)?.[0] }).toEqual({ file, match: undefined });
      }
    }
  });

  it("fills every Secret value from Terraform (a variable, reference or function), never a literal", () => {
    for (const [, json] of bdcStacks()) {
      for (const secret of Object.values(json.resource?.kubernetes_secret_v1 ?? {})) {
        for (const value of Object.values(secret.data as Record<string, string>)) {
          expect(value).toMatch(/^\$\{.+\}$/s);
        }
      }
    }
  });
});
