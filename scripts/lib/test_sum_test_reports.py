"""The closing figures of npm test: per-suite durations, per-report counts, and a missing report failing the run."""
import json
import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "sum_test_reports.py")

JUNIT = """<?xml version="1.0"?><testsuites><testsuite tests="3" failures="1" errors="0" skipped="1">
<testcase classname="jobs.a.tests.test_slow" name="t1" time="7.5"/>
<testcase classname="jobs.a.tests.test_slow.TestGroup" name="t2" time="2.5"/>
<testcase classname="jobs.a.tests.test_fast" name="t3" time="0.5"/>
</testsuite></testsuites>"""


def run(tmp_path, *reports):
    return subprocess.run([sys.executable, SCRIPT, *map(str, reports)], capture_output=True, text=True, cwd=tmp_path)


def test_durations_per_suite_slowest_first_and_counts(tmp_path):
    jest = tmp_path / "jest.json"
    jest.write_text(json.dumps({
        "numPassedTests": 4, "numFailedTests": 0, "numPendingTests": 1,
        "testResults": [{"name": str(tmp_path / "a.spec.ts"), "startTime": 0, "endTime": 1500},
                        {"name": str(tmp_path / "b.spec.ts"), "startTime": 0, "endTime": 9000}],
    }))
    junit = tmp_path / "pytest.xml"
    junit.write_text(JUNIT)
    (tmp_path / "spark.seconds").write_text("321\n")
    out = run(tmp_path, jest, junit)
    assert out.returncode == 1  # the junit report has a failure
    lines = out.stdout.splitlines()
    assert lines.index("        9.0 s  b.spec.ts") < lines.index("        1.5 s  a.spec.ts")
    # a test class's cases count toward its module
    assert "       10.0 s  jobs.a.tests.test_slow" in lines
    assert "wall time per stream: spark 321 s" in lines
    assert lines[-1] == "tests: 5 passed, 1 failed, 2 skipped"


def test_a_missing_report_is_a_failure(tmp_path):
    jest = tmp_path / "jest.json"
    jest.write_text(json.dumps({"numPassedTests": 2, "numFailedTests": 0, "numPendingTests": 0, "testResults": []}))
    out = run(tmp_path, jest, tmp_path / "absent.xml")
    assert out.returncode == 1
    assert out.stdout.splitlines()[-1] == "tests: 2 passed, 1 failed, 0 skipped"
