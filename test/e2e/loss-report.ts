/**
 * What the end-to-end test prints when a reading is missing from the tables, so that a CI log alone tells how
 * the rows went: the missing positions, which batches each table holds, the tables' partitions as the
 * metastore lists them and as HDFS holds them (read_tables.py), and every delete the NameNode's audit log
 * recorded under the warehouse outside Spark's staging directories.
 */
import { existsSync, readFileSync } from "node:fs";

type Row = (string | number)[];
export interface TableListing {
  registered: string[];
  files: [string, number][];
}
export interface ObservedTables {
  data: Row[];
  rejected: Row[];
  stats: Row[];
  listing: Record<string, TableListing>;
  /** Each table's columns as the catalog has them. */
  columns: Record<string, string[]>;
}

const shortRun = (run: unknown) => String(run).slice(0, 8);

/** The (run, batch) partitions the rows name, as "run/batch" with the run's first 8 characters. */
function batchesOf(rows: Row[], runColumn: number): string[] {
  return [...new Set(rows.map((row) => `${shortRun(row[runColumn])}/${String(row[runColumn + 1])}`))].sort();
}

/**
 * The partition directory of each data file ("run_id=…/batch_id=…": its `<column>=<value>` parts, without the
 * directory of the write that put it there, `attempt-<uuid>`: job.py write_run_partition), the hidden ones left
 * out as readers do.
 */
export function fileDirectories(listing: TableListing): string[] {
  const dirs = listing.files.map(([path]) => path.replace(/^\//, "").split("/").slice(0, -1));
  const visible = dirs.filter((parts) => !parts.some((part) => /^[._]/.test(part)));
  return [...new Set(visible.map((parts) => parts.filter((part) => part.includes("=")).join("/")))].sort();
}

/**
 * Warehouse deletes that removed something, but Spark's own staging directories: a replayed batch's partition
 * is one line each; anything else (a table's or a run's directory) is how rows went.
 */
function auditedDeletes(auditLog: string): string[] {
  if (!existsSync(auditLog)) return [`(no audit log at ${auditLog})`];
  return readFileSync(auditLog, "utf8")
    .split("\n")
    .filter((line) => /allowed=true\t.*cmd=delete\tsrc=\S*\/warehouse\//.test(line) && !line.includes("/.spark-staging-"))
    .map((line) => line.replace(/\tugi=.*?\tcmd=delete\tsrc=/, " delete ").replace(/\tdst=.*$/, ""));
}

export function lossReport(missing: string[], tables: ObservedTables, auditLog: string): string {
  const lines = [`${missing.length} produced readings are in no table, e.g. ${missing.slice(0, 10).join(", ")}`];
  lines.push(`data batches: ${batchesOf(tables.data, 5).join(" ")}`);
  lines.push(`rejected batches: ${batchesOf(tables.rejected, 3).join(" ")}`);
  for (const [table, listing] of Object.entries(tables.listing)) {
    const directories = fileDirectories(listing);
    lines.push(`${table}: registered ${listing.registered.length}, directories with files ${directories.length}`);
    const registered = new Set(listing.registered);
    const unregistered = directories.filter((dir) => !registered.has(dir));
    if (unregistered.length > 0) lines.push(`  on HDFS, not in the metastore: ${unregistered.join(" ")}`);
  }
  lines.push("warehouse deletes (NameNode audit log):", ...auditedDeletes(auditLog));
  return lines.join("\n");
}
