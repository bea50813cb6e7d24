/**
 * Where an environment's job runs (issue 25): the Spark platform and how the deployer reaches its batch API and
 * its file store. The one definition of the target kinds and of the plan's `target`; config/schema.ts (what an
 * environment writes), config/target-rules.ts (the combinations refused at synth) and the deployer's clients
 * (src/deployer/clients/clients.ts) import it. Pure: no I/O.
 */
import * as z from "zod/mini";

/** Every platform an environment can name: a BDC (Knox in front), any Apache Livy, HDInsight, a Synapse pool. */
export const TARGET_KINDS = ["bdc", "livy", "hdinsight", "synapse"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/**
 * The kinds the deployer can deploy to today: their files live on HDFS (WebHDFS). HDInsight and Synapse keep
 * the job's files, checkpoint and tables in Blob storage or ADLS Gen2; the deployer has the Blob state and lock
 * stores (src/deployer/state/blob-*.ts) but not yet the Blob file store for artifacts and checkpoints.
 */
export const DEPLOYABLE_TARGET_KINDS: readonly TargetKind[] = ["bdc", "livy"];

/** A user name as Hadoop's simple auth (`user.name`) and HDFS paths take it: no '/', ':' or spaces. */
export const PLAIN_USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** An http(s) origin with an optional path, no query or fragment: http://host:port[/path]. */
export const SERVICE_URL = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[^?#\s]*)?$/;

/** How a `livy` target authenticates to Livy: none (a cluster on a private network) or basic (a proxy in front). */
export const LIVY_AUTH_KINDS = ["none", "basic"] as const;

/** How the deployer authenticates to a Blob state store: Entra (@azure/identity: workload identity, managed identity, `az login`) or a container SAS. */
export const STATE_STORE_AUTH_KINDS = ["entra", "sas"] as const;

/** A loopback host: the only one a SAS or a token may be sent to over http:// (an emulator such as Azurite). */
export const LOOPBACK_URL = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?(\/|$)/;

/**
 * Where the deployer keeps the environment's live state and deploy lock when not beside the job's files: an Azure
 * Blob container (src/deployer/state/environment-stores.ts), as `<environment>/state` (replaced with If-Match on
 * its ETag) and `<environment>/lock` (a blob lease). Absent: xattrs of the state directory on WebHDFS.
 */
export const stateStoreSchema = z
  .object({
    kind: z.literal("blob"),
    /** https://<account>.blob.core.windows.net/<container>; http:// only on loopback (an emulator). */
    containerUrl: z.string().check(z.regex(SERVICE_URL, { error: "an http(s)://host[:port]/<container> URL" })),
    auth: z.enum(STATE_STORE_AUTH_KINDS),
  })
  .check(
    z.refine((s) => s.containerUrl.startsWith("https://") || LOOPBACK_URL.test(s.containerUrl), {
      error: "an https:// containerUrl (http:// only on loopback): the token is never sent in clear",
    }),
  );
export type StateStoreSettings = z.infer<typeof stateStoreSchema>;

/**
 * A plain Apache Livy with WebHDFS (a NameNode, or HttpFS) and no gateway. WebHDFS takes simple auth as `user`,
 * who owns the job's files and whose name fills `{user}` in the plan's JAAS paths (on a BDC the gateway user
 * does). Livy takes none, or basic auth (a proxy in front of it) with the deployer's gateway credentials, and
 * basic auth goes only over https: credentials are never sent in clear.
 */
export const livyTargetSchema = z
  .object({
    kind: z.literal("livy"),
    livyUrl: z.string().check(z.regex(SERVICE_URL, { error: "an http(s)://host:port URL" })),
    webhdfsUrl: z.string().check(z.regex(SERVICE_URL, { error: "an http(s)://host:port URL (the NameNode's or HttpFS's; /webhdfs/v1 is added)" })),
    user: z.string().check(z.regex(PLAIN_USER_NAME, { error: "a plain user name (no '/', ':' or spaces)" })),
    auth: z.enum(LIVY_AUTH_KINDS),
    caBundlePath: z.optional(z.string().check(z.minLength(1))),
    stateStore: z.optional(stateStoreSchema),
  })
  .check(
    z.refine((t) => t.auth !== "basic" || t.livyUrl.startsWith("https://"), {
      error: "basic auth needs an https:// livyUrl: the credentials are never sent in clear",
    }),
  );
export type LivyTarget = z.infer<typeof livyTargetSchema>;

/** The plan's `target`: absent for a BDC (the plan's gatewayUrl, as every plan before targets), else a `livy`. */
export const planTargetSchema = livyTargetSchema;
export type PlanTarget = LivyTarget;
