import { Testing } from "cdktf";
import { ArtifactStorage } from "./artifact-storage";

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

function synth(build: (storage: ArtifactStorage) => void): Json {
  return JSON.parse(
    Testing.synthScope((scope) => {
      const storage = new ArtifactStorage(scope, "artifacts", {
        accountName: "sensorsdevart01",
        resourceGroupName: "rg-sensors-dev",
        location: "westeurope",
        tags: { env: "dev" },
      });
      build(storage);
    }),
  ) as Json;
}

describe("ArtifactStorage", () => {
  it("locks the account down: TLS 1.2, https only, no public blobs", () => {
    const json = synth(() => undefined);
    const [account] = Object.values(json.resource.azurerm_storage_account);
    expect(account).toMatchObject({
      name: "sensorsdevart01",
      min_tls_version: "TLS1_2",
      https_traffic_only_enabled: true,
      allow_nested_items_to_be_public: false,
      account_replication_type: "LRS",
      tags: { env: "dev" },
    });
  });

  it("keeps the container private", () => {
    const json = synth(() => undefined);
    const [container] = Object.values(json.resource.azurerm_storage_container);
    expect(container).toMatchObject({ name: "artifacts", container_access_type: "private" });
  });

  it("stores each file under <name>/<hash>/<path> with its MD5 checked by Azure", () => {
    let baseUrl = "";
    const json = synth((s) => {
      baseUrl = s.addArtifact("job", {
        name: "sensor-aggregation",
        hash: "ab12",
        files: [
          { path: "job.py", source: "/build/job.py" },
          { path: "jars/kafka-clients-2.6.0.jar", source: "/build/jars/kafka-clients-2.6.0.jar" },
        ],
      }).baseUrl;
    });
    const blobs = Object.values(json.resource.azurerm_storage_blob);
    expect(blobs.map((b) => b.name).sort()).toEqual([
      "sensor-aggregation/ab12/jars/kafka-clients-2.6.0.jar",
      "sensor-aggregation/ab12/job.py",
    ]);
    const jar = blobs.find((b) => String(b.name).endsWith(".jar"));
    expect(jar).toMatchObject({ type: "Block", source: "/build/jars/kafka-clients-2.6.0.jar", content_md5: '${filemd5("/build/jars/kafka-clients-2.6.0.jar")}' });
    expect(baseUrl).toMatch(/sensor-aggregation\/ab12$/);
  });

  it("issues a read-only, https-only SAS whose window is computed at plan time, not frozen at synth", () => {
    const json = synth((s) => {
      s.readOnlySas("sas", { validFor: "2h" });
    });
    const [sas] = Object.values(json.data.azurerm_storage_account_blob_container_sas);
    expect(sas).toMatchObject({
      https_only: true,
      permissions: { read: true, list: false, add: false, create: false, write: false, delete: false },
      expiry: '${timeadd(plantimestamp(), "2h")}',
      start: '${timeadd(plantimestamp(), "-15m")}',
    });
  });

  it("refuses an invalid account name, saying what is allowed", () => {
    expect(() =>
      Testing.synthScope((scope) => {
        new ArtifactStorage(scope, "a", { accountName: "Sensors-Dev", resourceGroupName: "rg", location: "westeurope" });
      }),
    ).toThrow(/storage account name "Sensors-Dev" — allowed: 3–24 lowercase letters and digits/);
  });
});
