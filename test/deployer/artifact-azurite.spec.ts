/**
 * The artifact read from Azure Blob storage (Azurite over HTTPS with the test CA) with a
 * read-only container SAS, as the in-cluster Job reads it: verified against its manifest, and
 * the SAS never shows in a message.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { BlobServiceClient, ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } from "@azure/storage-blob";
import type { Dispatcher } from "undici";
import { loadArtifact } from "../../src/deployer/clients/artifact-source";
import { createDispatcher } from "../../src/deployer/core/http";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from "../harness/azurite/azurite";
import { createTestCa, type TestCa } from "../harness/knox-standin/test-ca";
import { buildTestArtifact } from "./support/test-artifact";

let work: string;
let azurite: Azurite;
let ca: TestCa;
let dispatcher: Dispatcher;
let hash: string;
let baseUrl: string;
let sas: string;
const lines: string[] = [];
const progress = { step: (s: string, d: string) => void lines.push(`${s}: ${d}`) };
const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);

/** Account-key client (what the bdc stack's Terraform uploads with); its HTTP stack trusts the test CA. */
function blobService(): BlobServiceClient {
  return new BlobServiceClient(azurite.blobEndpoint, credential, {
    tlsOptions: { ca: readFileSync(ca.caCertPath) },
  } as ConstructorParameters<typeof BlobServiceClient>[2]);
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "deployer-azurite-"));
  ca = createTestCa(join(work, "ca"), "azurite");
  azurite = await startAzurite({ dir: join(work, "azurite"), tls: { certPath: ca.certPath, keyPath: ca.keyPath } });
  const artifactDir = join(work, "artifact");
  hash = buildTestArtifact(artifactDir, { version: "blob", jarPayloadBytes: 64 * 1024 });

  // Upload with the account key (what the bdc stack does with Terraform), read with a SAS only.
  dispatcher = createDispatcher({ caBundlePath: ca.caCertPath, retry: { maxRetries: 2, minTimeoutMs: 20, maxTimeoutMs: 50 } });
  const container = blobService().getContainerClient("artifacts");
  await container.create();
  for (const path of files(artifactDir)) {
    const name = `sensor-aggregation/${hash}/${relative(artifactDir, path)}`;
    await container.getBlockBlobClient(name).uploadData(readFileSync(path));
  }
  sas = generateBlobSASQueryParameters(
    { containerName: "artifacts", permissions: ContainerSASPermissions.parse("r"), expiresOn: new Date(Date.now() + 3600_000) },
    credential,
  ).toString();
  baseUrl = `${azurite.blobEndpoint}/artifacts/sensor-aggregation/${hash}/`;
});

afterAll(async () => {
  await dispatcher?.close();
  await azurite?.stop();
  rmSync(work, { recursive: true, force: true });
});

test("reads and verifies every file over HTTPS with a read-only SAS", async () => {
  const artifact = await loadArtifact({ location: baseUrl, sasToken: sas, dispatcher }, progress, hash);
  expect(artifact.manifest.hash).toBe(hash);
  // Every file uploaded (what the build wrote, besides the manifest) comes back, verified.
  const uploaded = files(join(work, "artifact")).map((path) => relative(join(work, "artifact"), path)).filter((path) => path !== "manifest.json").sort();
  expect(uploaded).toContain("jars/test-connector-1.0.jar");
  expect(artifact.files.map((f) => f.path).sort()).toEqual(uploaded);
  expect(artifact.files.find((f) => f.kind === "jar")!.data.length).toBeGreaterThan(64 * 1024);
});

test("without the SAS the read is refused with a clear error", async () => {
  await expect(loadArtifact({ location: baseUrl, dispatcher }, progress, hash)).rejects.toThrow(
    /GET https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/artifacts\/sensor-aggregation\/[0-9a-f]+\/manifest\.json failed with HTTP (403|404)/,
  );
});

test("a blob changed after upload is refused", async () => {
  const blob = blobService().getContainerClient("artifacts").getBlockBlobClient(`sensor-aggregation/${hash}/job_tables.py`);
  const original = readFileSync(join(work, "artifact", "job_tables.py"));
  await blob.uploadData(Buffer.from("DROP DATABASE ${database};\n"));
  try {
    await expect(loadArtifact({ location: baseUrl, sasToken: sas, dispatcher }, progress, hash)).rejects.toThrow(
      /job_tables\.py.*(does not match manifest\.json|manifest\.json declares).*refusing the artifact/,
    );
  } finally {
    await blob.uploadData(original);
  }
});

test("an artifact that is not the planned one is refused", async () => {
  await expect(loadArtifact({ location: baseUrl, sasToken: sas, dispatcher }, progress, "0".repeat(64))).rejects.toThrow(
    `artifact hash ${hash} is not the planned ${"0".repeat(64)}`,
  );
});

test("the SAS signature never appears in progress lines", () => {
  const sig = new URLSearchParams(sas).get("sig")!;
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line).not.toContain(sig);
    expect(line).not.toContain(encodeURIComponent(sig));
  }
});
