"""Prints the run's figures from jest's JSON and each pytest JUnit XML (one per Spark lane): the duration of every
suite (a jest spec file, a pytest module) and of every lane, slowest first, so growth shows in every run; then a
line of counts per report, and one closing line, 'tests: N passed, N failed, N skipped'.

A missing or unreadable report counts as a failure: a runner that crashed before writing it did not pass.
Streams' wall times, when test-all.sh recorded them, are read from <reports>/<stream>.seconds.
"""
import json
import os
import sys
import xml.etree.ElementTree as ElementTree
from collections import defaultdict


def jest_report(path):
    with open(path, encoding="utf-8") as handle:
        report = json.load(handle)
    failed = report["numFailedTests"] + report.get("numRuntimeErrorTestSuites", 0)
    counts = report["numPassedTests"], failed, report["numPendingTests"] + report.get("numTodoTests", 0)
    root = os.getcwd() + os.sep
    durations = {
        result["name"].replace(root, ""): (result.get("endTime", 0) - result.get("startTime", 0)) / 1000
        for result in report.get("testResults", [])
    }
    return counts, durations


def pytest_report(path):
    root = ElementTree.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = failed = skipped = 0
    durations = defaultdict(float)
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
        for case in suite.iter("testcase"):
            # classname is the module's dotted path, plus the class for tests in a class: the module is the suite.
            parts = (case.get("classname") or "?").split(".")
            module = ".".join(p for p in parts if not p[:1].isupper()) or parts[0]
            durations[module] += float(case.get("time", 0) or 0)
    return (total - failed - skipped, failed, skipped), dict(durations)


def print_durations(label, durations, limit=12):
    ranked = sorted(durations.items(), key=lambda item: -item[1])
    print(f"  {label}: {sum(durations.values()):.0f} s over {len(ranked)} suites")
    for name, seconds in ranked[:limit]:
        print(f"    {seconds:7.1f} s  {name}")
    if len(ranked) > limit:
        print(f"    {sum(s for _, s in ranked[limit:]):7.1f} s  the other {len(ranked) - limit}")


def stream_seconds(reports_dir):
    found = {}
    for name in sorted(os.listdir(reports_dir)) if os.path.isdir(reports_dir) else []:
        if name.endswith(".seconds"):
            with open(os.path.join(reports_dir, name), encoding="utf-8") as handle:
                found[name[: -len(".seconds")]] = handle.read().strip()
    return found


def main(jest_path, *pytest_paths):
    passed = failed = skipped = 0
    reports = [("jest", jest_path, jest_report)] + [("pytest", path, pytest_report) for path in pytest_paths]
    lines = []
    print("durations per suite (wall time inside each runner):")
    for name, path, read in reports:
        try:
            (p, f, s), durations = read(path)
            print_durations(f"{name} ({os.path.basename(path)})", durations)
        except (OSError, ValueError, KeyError, ElementTree.ParseError) as error:
            print(f"{name}: no readable report at {path} ({error}); counted as a failure", file=sys.stderr)
            p, f, s = 0, 1, 0
        lines.append(f"  {name} ({path}): {p} passed, {f} failed, {s} skipped")
        passed, failed, skipped = passed + p, failed + f, skipped + s
    streams = stream_seconds(os.path.dirname(jest_path))
    if streams:
        print("wall time per stream: " + ", ".join(f"{name} {seconds} s" for name, seconds in streams.items()))
    print("\n".join(lines))
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], *sys.argv[2:]))
