/**
 * The port of the live state's storage (deploy-state.ts owns its format and its fenced write): one value,
 * read whole and replaced whole. WebHDFS keeps it as an extended attribute (below); Azure Blob storage as a
 * blob replaced with If-Match on its ETag (blob-state-store.ts), a compare-and-swap the xattr cannot offer.
 */
import type { WebHdfsClient } from "../clients/webhdfs-client";

export interface StateStore {
  /** Where the state lives, for messages. */
  readonly where: string;
  /** How an operator reads it by hand, and removes it when it is beyond repair. */
  readonly inspect: string;
  readonly remove: string;
  /** The largest value the store takes, in bytes. */
  readonly maxBytes: number;
  /** The stored text and a tag of this version of it; undefined when none was written. */
  read(): Promise<{ text: string; tag: string } | undefined>;
  /**
   * Replaces the value; never re-sent blindly (a store may re-send only a conditional write, which a repeat
   * cannot apply twice). `tag`: the version read before; a store with compare-and-swap answers "changed" when
   * another write landed since (the caller reads again). Undefined tag: there was none.
   */
  write(text: string, tag: string | undefined): Promise<"written" | "changed">;
  /** Removes the value (teardown); nothing when there is none. */
  clear(): Promise<void>;
}

/** The first deployer's attribute name, kept: existing environments keep their state. */
export const STATE_XATTR = "user.sensor-deployer.state";
/** HDFS's default limit on one extended attribute (dfs.namenode.fs-limits.max-xattr-size). */
const MAX_XATTR_BYTES = 16384;

/** The state as an xattr of the state directory: one GETXATTRS reads it, one SETXATTR replaces it atomically. */
export class WebHdfsStateStore implements StateStore {
  readonly maxBytes = MAX_XATTR_BYTES;
  readonly where: string;
  readonly inspect: string;
  readonly remove: string;

  constructor(
    private readonly hdfs: WebHdfsClient,
    private readonly dir: string,
  ) {
    this.where = `${dir} (xattr ${STATE_XATTR})`;
    this.inspect = `hdfs dfs -getfattr -n ${STATE_XATTR} ${dir}`;
    this.remove = `hdfs dfs -setfattr -x ${STATE_XATTR} ${dir}`;
  }

  async read(): Promise<{ text: string; tag: string } | undefined> {
    const text = await this.hdfs.getXAttr(this.dir, STATE_XATTR);
    return text === undefined ? undefined : { text, tag: text };
  }

  /** No compare-and-swap on an xattr: the fence check before it (deploy-state.ts) is what guards it. */
  async write(text: string): Promise<"written"> {
    await this.hdfs.setXAttr(this.dir, STATE_XATTR, text, { sendOnce: true });
    return "written";
  }

  async clear(): Promise<void> {
    await this.hdfs.removeXAttr(this.dir, STATE_XATTR);
  }
}
