/**
 * Starts Azurite's Blob service (npm `azurite`) on 127.0.0.1 with a free port, over HTTPS when given
 * a certificate, in its own data directory; `stop()` ends the process. Node launcher for tests:
 *   npx tsx test/harness/azurite/azurite.ts --dir <work dir> [--cert PEM --key PEM]   (prints one JSON line)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import net from "node:net";
import { join, resolve } from "node:path";

/** Azurite's documented development account (public, fixed in Azurite; not a secret). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  dir: string;
  /** PEM certificate and key for HTTPS. @default plain HTTP */
  tls?: { certPath: string; keyPath: string };
}

export interface Azurite {
  /** Blob endpoint including the account path, e.g. https://127.0.0.1:<port>/devstoreaccount1 */
  blobEndpoint: string;
  pid: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`azurite exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((r) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        r(true);
      });
      socket.on("error", () => r(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`azurite not listening on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startAzurite(options: AzuriteOptions): Promise<Azurite> {
  const root = resolve(__dirname, "..", "..", "..");
  const port = await freePort();
  mkdirSync(options.dir, { recursive: true });
  const args = ["--blobHost", "127.0.0.1", "--blobPort", String(port), "--location", options.dir, "--silent", "--skipApiVersionCheck", "--disableTelemetry"];
  if (options.tls) args.push("--cert", options.tls.certPath, "--key", options.tls.keyPath);
  const child = spawn(join(root, "node_modules", ".bin", "azurite-blob"), args, { stdio: ["ignore", "ignore", "inherit"] });
  try {
    await waitForPort(port, child, 30_000);
  } catch (err) {
    child.kill("SIGTERM");
    throw err;
  }
  const scheme = options.tls ? "https" : "http";
  return {
    blobEndpoint: `${scheme}://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once("exit", () => r());
        child.kill("SIGTERM");
      }),
  };
}

if (require.main === module) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const dir = arg("dir");
  if (!dir) throw new Error("usage: azurite.ts --dir <work dir> [--cert PEM --key PEM]");
  const cert = arg("cert");
  const key = arg("key");
  startAzurite({ dir, tls: cert && key ? { certPath: cert, keyPath: key } : undefined }).then((a) => {
    process.stdout.write(`${JSON.stringify({ blobEndpoint: a.blobEndpoint, pid: a.pid })}\n`);
    const stop = (): void => void a.stop().then(() => process.exit(0));
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
