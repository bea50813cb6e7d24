/**
 * The live state on Azure Blob storage (issue 25): the blob `<environment>/state`, replaced with If-Match on
 * the ETag read before it (If-None-Match: * for the first), so a write that raced another is refused, never
 * applied over it. The fence check of deploy-state.ts still runs first; this makes its read and the write one
 * compare-and-swap, which the WebHDFS xattr cannot.
 */
import type { BlockBlobClient } from "@azure/storage-blob";
import { isStatus, readBlob } from "./blob-read";
import type { StateStore } from "./state-store";

/** A block blob takes far more; the bound keeps one state read a single small request. */
const MAX_STATE_BLOB_BYTES = 1024 * 1024;

export class BlobStateStore implements StateStore {
  readonly maxBytes = MAX_STATE_BLOB_BYTES;
  readonly where: string;
  readonly inspect: string;
  readonly remove: string;

  constructor(private readonly blob: BlockBlobClient) {
    this.where = `blob ${blob.containerName}/${blob.name}`;
    this.inspect = `az storage blob download --container-name ${blob.containerName} --name ${blob.name} --file -`;
    this.remove = `az storage blob delete --container-name ${blob.containerName} --name ${blob.name}`;
  }

  async read(): Promise<{ text: string; tag: string } | undefined> {
    const seen = await readBlob(this.blob);
    return seen && { text: seen.text, tag: seen.etag };
  }

  /** Conditional, so also safe when the SDK re-sends it: a repeat of an applied write finds the ETag changed. */
  async write(text: string, tag: string | undefined): Promise<"written" | "changed"> {
    try {
      await this.blob.upload(text, Buffer.byteLength(text), {
        conditions: tag === undefined ? { ifNoneMatch: "*" } : { ifMatch: tag },
        blobHTTPHeaders: { blobContentType: "text/plain" },
      });
      return "written";
    } catch (err) {
      if (isStatus(err, 412) || isStatus(err, 409)) return "changed";
      throw err;
    }
  }

  async clear(): Promise<void> {
    await this.blob.deleteIfExists();
  }
}
