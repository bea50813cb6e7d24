/**
 * The state and lock stores on an Azure Blob container (environment-stores.ts loads this module only for a plan
 * whose target names a stateStore): `<environment>/state` (If-Match on its ETag) and `<environment>/lock` (a lease).
 * Kept out of the in-cluster bundle (bundle.ts): the Azure SDKs would pass what a ConfigMap holds, and the
 * in-cluster deployer serves a BDC, whose state stays on WebHDFS.
 */
import { AnonymousCredential, ContainerClient, type StoragePipelineOptions } from "@azure/storage-blob";
import { DefaultAzureCredential } from "@azure/identity";
import type { StateStoreSettings } from "../../../contracts/deploy-target";
import { DeployError } from "../core/errors";
import { BlobLeaseLockStore } from "./blob-lock-store";
import { BlobStateStore } from "./blob-state-store";
import { writtenUnder } from "./deploy-state";
import type { EnvironmentStores } from "./environment-stores";

/**
 * A lease renewal must not hang past the lease: each try ends within 10 s and is retried, the whole within the
 * 20 s between renewals (blob-lock-store.ts).
 */
const BLOB_PIPELINE: StoragePipelineOptions = { retryOptions: { maxTries: 3, tryTimeoutInMs: 10_000, retryDelayInMs: 500, maxRetryDelayInMs: 2000 } };

/**
 * The lock blob's first record starts above the live state's fence: a lock blob created anew (deleted by hand)
 * never hands out a fence the state was already written under.
 */
export function blobStores(container: ContainerClient, environment: string): EnvironmentStores {
  const state = new BlobStateStore(container.getBlockBlobClient(`${environment}/state`));
  // Read leniently: a state this deployer cannot parse (damaged, or a later version's) still names its fence.
  const fenceFloor = async () => {
    const seen = await state.read();
    return seen === undefined ? undefined : writtenUnder(seen.text);
  };
  return { state, lock: new BlobLeaseLockStore(container.getBlockBlobClient(`${environment}/lock`), { fenceFloor }), elsewhere: state.where };
}

/** The container of a Blob state store, with a SAS (`sasToken`, a query string) or Entra (DefaultAzureCredential). */
export function stateStoreContainer(settings: StateStoreSettings, sasToken: string | undefined): ContainerClient {
  if (settings.auth === "entra") return new ContainerClient(settings.containerUrl, new DefaultAzureCredential(), BLOB_PIPELINE);
  if (!sasToken) throw new DeployError('the state store takes a SAS (target.stateStore.auth "sas"): set STATE_STORE_SAS_TOKEN');
  const query = sasToken.startsWith("?") ? sasToken : `?${sasToken}`;
  return new ContainerClient(`${settings.containerUrl}${query}`, new AnonymousCredential(), BLOB_PIPELINE);
}

export function blobEnvironmentStores(settings: StateStoreSettings, sasToken: string | undefined, environment: string): EnvironmentStores {
  return blobStores(stateStoreContainer(settings, sasToken), environment);
}
