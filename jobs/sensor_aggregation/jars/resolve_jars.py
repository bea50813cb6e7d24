#!/usr/bin/env python3
"""Resolves the Spark Kafka connector jars with Maven from the poms beside this file and
verifies each against jars.lock.json (sha256 and size). Standard library only.

Usage: python3 resolve_jars.py [LINE ...]   (LINE: 2.4, 3.1, 3.5-test; default all)
Prints the directory of each line's jars (.cache/jars/<pom dir>/ at the repository root).
A second run only re-hashes the jars already there, so it is quick.
"""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
LOCK = json.loads((HERE / "jars.lock.json").read_text())["lines"]


def jar_dir(line: str) -> Path:
    return REPO / ".cache" / "jars" / Path(LOCK[line]["pom"]).parent.name


def mismatches(line: str) -> list:
    """Names every locked jar that is missing or differs from the lock."""
    problems = []
    for jar in LOCK[line]["jars"]:
        path = jar_dir(line) / jar["file"]
        if not path.is_file():
            problems.append(f"{jar['file']}: missing")
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != jar["sha256"] or len(data) != jar["size"]:
            problems.append(f"{jar['file']}: sha256 {digest} size {len(data)}, lock wants {jar['sha256']} size {jar['size']}")
    return problems


def resolve(line: str) -> Path:
    if line not in LOCK:
        raise SystemExit(f"unknown Spark line {line!r}; allowed: {', '.join(LOCK)}")
    target = jar_dir(line)
    if not mismatches(line):
        return target
    target.mkdir(parents=True, exist_ok=True)
    print(f"jars {line}: resolving with Maven into {target}", file=sys.stderr)
    subprocess.run(
        ["mvn", "-q", "-B", "-Dstyle.color=never", "-f", str(HERE / LOCK[line]["pom"]), "dependency:copy-dependencies",
         "-DexcludeTransitive=true", f"-DoutputDirectory={target}"],
        check=True,
    )
    problems = mismatches(line)
    if problems:
        raise SystemExit(f"jars {line}: checksum verification against jars.lock.json failed:\n  " + "\n  ".join(problems))
    return target


if __name__ == "__main__":
    for name in sys.argv[1:] or list(LOCK):
        print(resolve(name))
