/**
 * A throwaway certificate authority for tests, made with openssl: a CA and a server certificate
 * for 127.0.0.1/localhost signed by it. Tests trust the CA, as a deployer trusts a BDC's own CA.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCa {
  /** PEM of the CA certificate (what the client's CA bundle holds). */
  caCertPath: string;
  /** Server certificate and key for 127.0.0.1 / localhost. */
  certPath: string;
  keyPath: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

export function createTestCa(dir: string, name = "test"): TestCa {
  mkdirSync(dir, { recursive: true });
  const ca = { key: `${name}-ca.key`, cert: `${name}-ca.crt` };
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca.key, "-out", ca.cert, "-days", "2", "-subj", `/CN=${name} test CA`], dir);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}-server.key`, "-out", `${name}-server.csr`, "-subj", "/CN=127.0.0.1"], dir);
  writeFileSync(join(dir, `${name}-server.ext`), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
  openssl(
    ["x509", "-req", "-in", `${name}-server.csr`, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-out", `${name}-server.crt`, "-days", "2", "-extfile", `${name}-server.ext`],
    dir,
  );
  return { caCertPath: join(dir, ca.cert), certPath: join(dir, `${name}-server.crt`), keyPath: join(dir, `${name}-server.key`) };
}
