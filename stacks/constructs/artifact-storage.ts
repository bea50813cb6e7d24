// Azure Storage for built job artifacts: one locked-down account, one private container,
// blobs under content-addressed names, and short-lived read-only SAS tokens for the deployer.
import { Construct } from "constructs";
import { Fn } from "cdktf";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { DataAzurermStorageAccountBlobContainerSas } from "@cdktf/provider-azurerm/lib/data-azurerm-storage-account-blob-container-sas";
import { AzureStorageAccount, AzureStorageBlob } from "../lib/azurerm-resources";

/** Storage account names: 3–24 lowercase letters and digits (Azure's rule). */
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

export interface ArtifactStorageProps {
  /** Storage account name, globally unique, 3–24 lowercase letters and digits. */
  readonly accountName: string;
  /** Resource group that holds the account. */
  readonly resourceGroupName: string;
  /** Azure region of the account. */
  readonly location: string;
  /** Tags on the account. @default {} */
  readonly tags?: Record<string, string>;
  /** Name of the private container that holds the artifacts. @default "artifacts" */
  readonly containerName?: string;
  /** Replication of the account (LRS, ZRS, GRS, ...). @default "LRS" */
  readonly replicationType?: string;
  /** Days a deleted blob stays recoverable. @default 7 */
  readonly deleteRetentionDays?: number;
  /**
   * Who may reach the blobs: Deny lets in only these addresses and subnets (and trusted Azure services);
   * the pipeline's agents upload and the BDC downloads, so both must be among them.
   * @default { defaultAction: "Deny", ipRules: [], subnetIds: [] }
   */
  readonly network?: { readonly defaultAction: "Allow" | "Deny"; readonly ipRules: readonly string[]; readonly subnetIds: readonly string[] };
}

/** One file of an artifact to store as a blob. */
export interface ArtifactBlobFile {
  /** Path inside the artifact, e.g. `jars/kafka-clients-2.6.0.jar`. */
  readonly path: string;
  /** Local file that Terraform uploads (absolute, read at plan time, so it may be built after synth). */
  readonly source: string;
}

/** What `addArtifact` needs: the artifact's name, its content hash and its files. */
export interface ArtifactBlobsProps {
  /** Artifact name, the first segment of every blob name, e.g. `sensor-aggregation`. */
  readonly name: string;
  /** Content hash of the whole artifact (sha256 hex); the second segment of every blob name. */
  readonly hash: string;
  /** The files to upload. */
  readonly files: readonly ArtifactBlobFile[];
}

/** An artifact stored as blobs. */
export interface StoredArtifact {
  /** `<container URL>/<name>/<hash>`: a file's URL is this plus `/<path>`. */
  readonly baseUrl: string;
  /** The blobs, for `dependsOn` of whatever reads them. */
  readonly blobs: readonly AzureStorageBlob[];
}

/** Validity of a read-only SAS: starts a little before plan time (clock skew), ends `validFor` after it. */
export interface ArtifactReadSasProps {
  /** Validity after plan time, as a Terraform duration (e.g. "6h"). @default "6h" */
  readonly validFor?: string;
  /** Back-dating of the start, for clock skew between Azure and the cluster. @default "15m" */
  readonly clockSkew?: string;
}

export class ArtifactStorage extends Construct {
  /** The storage account. */
  public readonly account: AzureStorageAccount;
  /** The private container. */
  public readonly container: StorageContainer;
  /** `https://<account>.blob.core.windows.net/<container>` (a token until apply). */
  public readonly containerUrl: string;

  constructor(scope: Construct, id: string, props: ArtifactStorageProps) {
    super(scope, id);
    if (!ACCOUNT_NAME.test(props.accountName)) {
      throw new Error(
        `storage account name "${props.accountName}" — allowed: 3–24 lowercase letters and digits`,
      );
    }
    this.account = new AzureStorageAccount(this, "account", {
      name: props.accountName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      accountTier: "Standard",
      accountKind: "StorageV2",
      accountReplicationType: props.replicationType ?? "LRS",
      minTlsVersion: "TLS1_2",
      httpsTrafficOnlyEnabled: true,
      allowNestedItemsToBePublic: false,
      // The deploy Job reads with a SAS, which the provider's SAS data source signs with the account key
      // (azurerm has no user-delegation SAS); `ensure` and `maintain` read nothing from here.
      sharedAccessKeyEnabled: true,
      crossTenantReplicationEnabled: false,
      blobProperties: {
        deleteRetentionPolicy: { days: props.deleteRetentionDays ?? 7 },
      },
      networkRules: {
        defaultAction: props.network?.defaultAction ?? "Deny",
        ipRules: [...(props.network?.ipRules ?? [])],
        virtualNetworkSubnetIds: [...(props.network?.subnetIds ?? [])],
        bypass: ["AzureServices"],
      },
      tags: props.tags ?? {},
    });
    this.container = new StorageContainer(this, "container", {
      name: props.containerName ?? "artifacts",
      storageAccountId: this.account.id,
      containerAccessType: "private",
    });
    this.containerUrl = `${this.account.primaryBlobEndpoint}${this.container.name}`;
  }

  /**
   * Uploads an artifact's files as block blobs named `<name>/<hash>/<path>`.
   * A new artifact gets new names, so existing blobs are never rewritten; Content-MD5 lets Azure check each upload.
   */
  public addArtifact(id: string, props: ArtifactBlobsProps): StoredArtifact {
    const scope = new Construct(this, id);
    const prefix = `${props.name}/${props.hash}`;
    const blobs = props.files.map(
      (file) =>
        new AzureStorageBlob(scope, `blob-${file.path.replace(/[^A-Za-z0-9_-]/g, "_")}`, {
          name: `${prefix}/${file.path}`,
          storageAccountName: this.account.name,
          storageContainerName: this.container.name,
          type: "Block",
          source: file.source,
          contentMd5: Fn.filemd5(file.source),
          contentType: "application/octet-stream",
        }),
    );
    return { baseUrl: `${this.containerUrl}/${prefix}`, blobs };
  }

  /**
   * A read-only SAS for the container, without the leading "?", valid from plan time for `validFor`.
   * It changes on every plan: store it where a change does not cause drift (see KubernetesDeployer).
   */
  public readOnlySas(id: string, props: ArtifactReadSasProps = {}): string {
    const now = Fn.plantimestamp();
    const sas = new DataAzurermStorageAccountBlobContainerSas(this, id, {
      connectionString: this.account.primaryConnectionString,
      containerName: this.container.name,
      httpsOnly: true,
      start: Fn.timeadd(now, `-${props.clockSkew ?? "15m"}`),
      expiry: Fn.timeadd(now, props.validFor ?? "6h"),
      permissions: { read: true, list: false, add: false, create: false, write: false, delete: false },
    });
    return Fn.trimprefix(sas.sas, "?");
  }
}
