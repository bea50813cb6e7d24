/** What the Blob stores (lock and state) share: one download that gives the text, the ETag and the lease state together. */
import { RestError, type BlockBlobClient } from "@azure/storage-blob";

export function isStatus(err: unknown, status: number): boolean {
  return err instanceof RestError && err.statusCode === status;
}

/** The blob's text with its ETag and lease state, from one answer (so they cannot disagree in time); undefined when there is no blob. */
export async function readBlob(blob: BlockBlobClient): Promise<{ text: string; etag: string; leased: boolean } | undefined> {
  try {
    const answer = await blob.download();
    const chunks: Buffer[] = [];
    for await (const chunk of answer.readableStreamBody ?? []) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    return { text: Buffer.concat(chunks).toString("utf8"), etag: answer.etag ?? "", leased: answer.leaseState === "leased" };
  } catch (err) {
    if (isStatus(err, 404)) return undefined;
    throw err;
  }
}
