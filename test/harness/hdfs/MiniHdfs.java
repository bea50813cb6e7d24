import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * Test HDFS: a one-DataNode MiniDFSCluster on 127.0.0.1 with WebHDFS and permissions enabled.
 * Usage: MiniHdfs <base dir> <ready file>. Writes {"webhdfs": "http://127.0.0.1:<port>", ...} to the
 * ready file once the cluster is up, then runs until SIGTERM (the launcher's stop command).
 */
public final class MiniHdfs {
  public static void main(String[] args) throws Exception {
    File base = new File(args[0]);
    File ready = new File(args[1]);
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
    conf.setBoolean("dfs.webhdfs.enabled", true);
    conf.setBoolean(DFSConfigKeys.DFS_PERMISSIONS_ENABLED_KEY, true);
    // Loopback only, ports chosen by the OS (0) so parallel test runs never collide.
    conf.set(DFSConfigKeys.DFS_NAMENODE_HTTP_ADDRESS_KEY, "127.0.0.1:0");
    conf.set(DFSConfigKeys.DFS_NAMENODE_RPC_ADDRESS_KEY, "127.0.0.1:0");
    conf.set(DFSConfigKeys.DFS_DATANODE_ADDRESS_KEY, "127.0.0.1:0");
    conf.set(DFSConfigKeys.DFS_DATANODE_HTTP_ADDRESS_KEY, "127.0.0.1:0");
    conf.set(DFSConfigKeys.DFS_DATANODE_IPC_ADDRESS_KEY, "127.0.0.1:0");
    conf.set("hadoop.http.staticuser.user", "dr.who");
    conf.set("fs.permissions.umask-mode", "022");
    // Small blocks and one replica: test files are small and there is one DataNode.
    conf.setLong(DFSConfigKeys.DFS_BLOCK_SIZE_KEY, 1024L * 1024L);
    conf.setInt(DFSConfigKeys.DFS_REPLICATION_KEY, 1);
    // One DataNode: an append (WebHDFS's, from the DataNode's own client) must not look for a replacement node.
    conf.set("dfs.client.block.write.replace-datanode-on-failure.policy", "NEVER");
    // The DataNode's own client closes each WebHDFS upload: its first wait for the block's completion is 20 ms,
    // as the job's (config/hdfs-client.ts), not 400 ms, which most closes paid in every suite's uploads.
    conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 20);
    conf.setInt("dfs.client.block.write.locateFollowingBlock.retries", 10);

    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
        .numDataNodes(1)
        .nameNodePort(0)
        .nameNodeHttpPort(0)
        .checkDataNodeAddrConfig(true)
        .build();
    cluster.waitActive();
    // A shorter lease soft limit (-Dminihdfs.leaseSoftLimitMs) lets a killed driver's checkpoint lease lapse
    // sooner in tests; its clients must then renew faster than HDFS's default 30 s (ipc.client.rpc-timeout.ms / 2).
    long softLimitMs = Long.getLong("minihdfs.leaseSoftLimitMs", 60_000L);
    if (softLimitMs != 60_000L) cluster.setLeasePeriod(softLimitMs, 3_600_000L);

    // The process user is the HDFS superuser; give the deploy user ("deployer" over WebHDFS with
    // user.name, as Knox asserts it) its home and /apps, like a BDC where the user owns its paths.
    FileSystem fs = cluster.getFileSystem();
    String user = args.length > 2 ? args[2] : "deployer";
    for (String dir : new String[] {"/apps", "/user/" + user}) {
      Path p = new Path(dir);
      fs.mkdirs(p, new FsPermission((short) 0755));
      fs.setOwner(p, user, "supergroup");
    }
    fs.setPermission(new Path("/user"), new FsPermission((short) 0755));
    fs.mkdirs(new Path("/tmp"), new FsPermission((short) 01777));
    fs.setPermission(new Path("/tmp"), new FsPermission((short) 01777));

    String nnHttp = "http://127.0.0.1:" + cluster.getNameNode().getHttpAddress().getPort();
    String json = "{\"webhdfs\": \"" + nnHttp + "\", \"rpc\": \"hdfs://127.0.0.1:"
        + cluster.getNameNodePort() + "\", \"superuser\": \"" + System.getProperty("user.name")
        + "\", \"user\": \"" + user + "\", \"leaseSoftLimitMs\": " + softLimitMs + "}\n";
    File tmp = new File(ready.getAbsolutePath() + ".tmp");
    Files.write(tmp.toPath(), json.getBytes(StandardCharsets.UTF_8));
    Files.move(tmp.toPath(), ready.toPath(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);

    Runtime.getRuntime().addShutdownHook(new Thread(cluster::shutdown));
    Thread.currentThread().join();
  }
}
