// How the job's HDFS client closes a file (its checkpoint's offsets and commit logs, each table write's files).
// A close asks the NameNode to complete the file's last block; when the DataNode's report of that block has not
// reached the NameNode yet, the client waits and asks again, first after 400 ms by default. That race is lost on
// most closes, so a micro-batch paid about 400 ms for each of walCommit and commit, and more in its writes:
// measured with `npm run bench:e2e -- --rates 200 --seconds 60` (a batch 2.70 s → 1.63 s, walCommit 417 → 39 ms).
// The first wait is 20 ms here, and with ten retries doubling from it the client still waits 20.5 s in all before
// it gives up, longer than the default's 12.4 s (400 ms, five retries), so a slow cluster fails no more often.
// The first-wait key is read by Hadoop clients after 2.7 (3.x on a BDC, whose HDFS tiering is Hadoop 3.1's provided
// storage; 3.2 and 3.3 in Spark 3.1 and 3.5). A 2.7 client reads only the retries, and waits 400 ms first as
// before, doubling ten times: 409 s of patience instead of 12.4 s; for such a cluster set both keys in the
// environment's bdc.spark.conf. Spark conf, so it reaches the driver's and the executors' clients.
export const HDFS_CLOSE_CONF: Readonly<Record<string, string>> = {
  "spark.hadoop.dfs.client.block.write.locateFollowingBlock.initial.delay.ms": "20",
  "spark.hadoop.dfs.client.block.write.locateFollowingBlock.retries": "10",
};
