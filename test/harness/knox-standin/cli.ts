/**
 * Starts the Knox gateway stand-in on 127.0.0.1 (free port) and prints one JSON line
 * {"url": "https://127.0.0.1:<port>", "pid": <pid>}; runs until SIGTERM/SIGINT.
 *   npx tsx test/harness/knox-standin/cli.ts --webhdfs URL --livy URL --cert PEM --key PEM
 * Credentials come from KNOX_STANDIN_USERNAME / KNOX_STANDIN_PASSWORD (never from the command line).
 */
import { Command } from "commander";
import { startKnoxStandIn } from "./knox-standin";

async function main(): Promise<void> {
  const opts = new Command("knox-standin")
    .requiredOption("--webhdfs <url>", "NameNode HTTP base URL")
    .requiredOption("--livy <url>", "Livy base URL")
    .requiredOption("--cert <file>", "server certificate (PEM)")
    .requiredOption("--key <file>", "server key (PEM)")
    .parse()
    .opts<{ webhdfs: string; livy: string; cert: string; key: string }>();
  const username = process.env.KNOX_STANDIN_USERNAME;
  const password = process.env.KNOX_STANDIN_PASSWORD;
  if (!username || !password) throw new Error("set KNOX_STANDIN_USERNAME and KNOX_STANDIN_PASSWORD");
  const knox = await startKnoxStandIn({ webhdfsUrl: opts.webhdfs, livyUrl: opts.livy, username, password, tls: { certPath: opts.cert, keyPath: opts.key } });
  process.stdout.write(`${JSON.stringify({ url: knox.url, pid: process.pid })}\n`);
  const stop = (): void => void knox.stop().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err: Error) => {
  process.stderr.write(`knox stand-in: ${err.message}\n`);
  process.exit(1);
});
