"""The job's PySpark calls against the installed PySpark's API (pyspark_api.py), and its files byte-compiled by
the running Python. Run in every lane: on the Spark 2.4 one (PySpark 2.4.8, Python 3.7) this is the check BDC
CU9-CU12 get here, since Spark 2.4 itself needs a Java 8 this machine cannot have."""
from __future__ import annotations

import py_compile
import sys
from pathlib import Path

import pyspark
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pyspark_api import check_files, check_source  # noqa: E402

JOB_DIR = Path(__file__).resolve().parents[1]
JOB_FILES = sorted(JOB_DIR.glob("*.py"))  # the entry scripts and the modules they import
SPARK = tuple(int(part) for part in pyspark.__version__.split(".")[:2])

# Calls that exist only from Spark 3.1 (the first two) or 3.3 (the last) on.
SPARK_3_ONLY = '''
from pyspark.sql import functions as F
def f(df, other):
    df.select(F.timestamp_seconds("t"))
    df.unionByName(other, allowMissingColumns=True)
    df.withColumns({"a": F.lit(1)})
'''


@pytest.mark.parametrize("path", JOB_FILES, ids=lambda p: p.name)
def test_the_job_file_compiles_on_this_python(path, tmp_path):
    py_compile.compile(str(path), cfile=str(tmp_path / "out.pyc"), doraise=True)


def test_every_pyspark_call_of_the_job_exists_in_the_installed_pyspark():
    assert check_files(JOB_FILES) == []


def test_a_call_the_installed_pyspark_lacks_fails_naming_the_line_and_the_call():
    source = "from pyspark.sql import functions as F\nfrom pyspark.sql import NoSuchThing\n" \
             "def f(df):\n    df.select(F.no_such_function('x'))\n    df.writeStream.trigger(no_such_argument=True)\n" \
             "    df.no_such_method()\n"
    problems = check_source(source, "snippet.py")
    assert [p.split(" (PySpark")[0] for p in problems] == [
        "snippet.py:2: from pyspark.sql import NoSuchThing: not there",
        "snippet.py:4: pyspark.sql.functions.no_such_function: not there",
        "snippet.py:5: .trigger(no_such_argument=...): no PySpark method of that name takes it",
        "snippet.py:6: .no_such_method(...): no PySpark class has it",
    ]


def test_calls_newer_than_the_installed_pyspark_are_refused_and_the_others_accepted():
    problems = [p.split(" (PySpark")[0] for p in check_source(SPARK_3_ONLY, "snippet.py")]
    expected = []
    if SPARK < (3, 1):
        expected += ["snippet.py:4: pyspark.sql.functions.timestamp_seconds: not there",
                     "snippet.py:5: .unionByName(allowMissingColumns=...): no PySpark method of that name takes it"]
    if SPARK < (3, 3):
        expected += ["snippet.py:6: .withColumns(...): no PySpark class has it"]
    assert problems == expected
