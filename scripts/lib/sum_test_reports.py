"""Prints one closing line, 'tests: N passed, N failed, N skipped', from jest's JSON and each pytest JUnit XML
(one per Spark lane), with a line per report first.

A missing or unreadable report counts as a failure: a runner that crashed before writing it did not pass.
"""
import json
import sys
import xml.etree.ElementTree as ElementTree


def jest_counts(path):
    with open(path, encoding="utf-8") as handle:
        report = json.load(handle)
    failed = report["numFailedTests"] + report.get("numRuntimeErrorTestSuites", 0)
    return report["numPassedTests"], failed, report["numPendingTests"] + report.get("numTodoTests", 0)


def pytest_counts(path):
    root = ElementTree.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


def main(jest_path, *pytest_paths):
    passed = failed = skipped = 0
    reports = [("jest", jest_path, jest_counts)] + [("pytest", path, pytest_counts) for path in pytest_paths]
    for name, path, read in reports:
        try:
            p, f, s = read(path)
        except (OSError, ValueError, KeyError, ElementTree.ParseError) as error:
            print(f"{name}: no readable report at {path} ({error}); counted as a failure", file=sys.stderr)
            p, f, s = 0, 1, 0
        print(f"  {name} ({path}): {p} passed, {f} failed, {s} skipped")
        passed, failed, skipped = passed + p, failed + f, skipped + s
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], *sys.argv[2:]))
