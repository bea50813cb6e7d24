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
