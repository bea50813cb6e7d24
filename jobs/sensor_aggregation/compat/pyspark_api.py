"""Checks the job's PySpark calls against the PySpark installed beside it, statically (no JVM is started).

BDC CU9-CU12 run the job on Spark 2.4, whose Java 8 cannot be had here; installed in a Python 3.7 venv, PySpark
2.4.8's Python API can still be read. This walks each file's syntax tree and fails naming the line of:
  * an import from pyspark that the installed PySpark lacks;
  * a pyspark.sql.functions function it lacks (`F.<name>(...)`), or a keyword argument that function refuses;
  * a method call whose name no PySpark class has (nor the Python types the job also calls methods on), or a
    keyword argument that no PySpark method of that name accepts.
Calls through a private attribute (`df._jdf.sparkSession()`, py4j into the JVM), or on a name bound from one
(`jvm = sc._jvm`, `fs = jvm....getFileSystem(...)`), are not Python API: skipped; so are module functions.

    python pyspark_api.py <file.py> ...     exit 1 and one line per problem when there are any
"""
from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import io
import re
import string
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set

import pyspark


def _classes():
    from pyspark import SparkConf, SparkContext, StorageLevel
    from pyspark.rdd import RDD
    from pyspark.sql import Column, DataFrame, DataFrameReader, DataFrameWriter, GroupedData, Row, SparkSession
    from pyspark.sql.catalog import Catalog
    from pyspark.sql.conf import RuntimeConfig
    from pyspark.sql.streaming import DataStreamReader, DataStreamWriter, StreamingQuery, StreamingQueryManager
    from pyspark.sql.types import StructField, StructType

    return [SparkConf, SparkContext, StorageLevel, RDD, Column, DataFrame, DataFrameReader, DataFrameWriter, GroupedData, Row,
            SparkSession, SparkSession.Builder, Catalog, RuntimeConfig, DataStreamReader, DataStreamWriter,
            StreamingQuery, StreamingQueryManager, StructField, StructType]


# Python's own types the job calls methods on (str.join, dict.get, the argument parser, ...): not PySpark calls.
PYTHON_TYPES = [str, bytes, dict, list, set, tuple, int, float, io.BufferedRandom, argparse.ArgumentParser, argparse.Namespace,
                threading.Event, threading.Thread, datetime, Path, string.Template, type(re.compile("")), type(re.match("", ""))]


def _accepts(function, keyword: str) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return True  # no signature to read (a builtin): assume it does
    return any(p.name == keyword or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


# Py4JJavaError's attribute holding the Java exception: py4j, like a private attribute's value.
PY4J_ATTRIBUTES = ("java_exception",)


def _through_private(node: ast.expr) -> bool:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        if isinstance(node, ast.Attribute) and (node.attr.startswith("_") or node.attr in PY4J_ATTRIBUTES):
            return True
        node = node.value if not isinstance(node, ast.Call) else node.func
    return False


def _root_name(node: ast.expr) -> Optional[str]:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _py4j_names(tree: ast.AST) -> Set[str]:
    """Names bound (by assignment or a comprehension) to a value reached through a private attribute, or through
    such a name; repeated until nothing is added."""
    names = set()  # type: Set[str]
    bindings = []  # type: List[tuple]
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            bindings.extend((target, node.value) for target in node.targets)
        elif isinstance(node, ast.comprehension):
            bindings.append((node.target, node.iter))
    while True:
        added = {t.id for t, value in bindings if isinstance(t, ast.Name) and t.id not in names
                 and (_through_private(value) or _root_name(value) in names or _made_from(value, names))}
        if not added:
            return names
        names |= added


def _made_from(value: ast.expr, names: Set[str]) -> bool:
    """A call of the job's own function on py4j values (`out = _take_hdfs(fs, path)`): its result is taken as py4j."""
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and any(isinstance(a, ast.Name) and a.id in names for a in value.args))


def own_methods(trees: Iterable[ast.AST]) -> Set[str]:
    """The method names of the classes the checked files define (the job's own objects, not PySpark's)."""
    return {item.name for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
            for item in node.body if isinstance(item, ast.FunctionDef)}


class Checker(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems = []  # type: List[str]
        self.functions_aliases = set()  # type: Set[str]
        self.module_aliases = set()  # type: Set[str]
        self.py4j_names = set()  # type: Set[str]
        self.methods = {}  # type: Dict[str, list]
        for cls in _classes():
            for name, member in inspect.getmembers(cls):
                if not name.startswith("_"):
                    self.methods.setdefault(name, []).append(member)
        self.python_names = {name for t in PYTHON_TYPES for name in dir(t)}

    def problem(self, node: ast.AST, text: str) -> None:
        self.problems.append("%s:%d: %s (PySpark %s)" % (self.path, node.lineno, text, pyspark.__version__))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.module_aliases.add((alias.asname or alias.name).split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            if module.startswith("pyspark"):
                loaded = importlib.import_module(module)
                if not hasattr(loaded, alias.name):
                    try:
                        importlib.import_module("%s.%s" % (module, alias.name))
                    except ImportError:
                        self.problem(node, "from %s import %s: not there" % (module, alias.name))
                        continue
                if module == "pyspark.sql" and alias.name == "functions":
                    self.functions_aliases.add(alias.asname or alias.name)
                    continue
            self.module_aliases.add(alias.asname or alias.name)

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        func = node.func
        if not isinstance(func, ast.Attribute) or _through_private(func.value) or _root_name(func.value) in self.py4j_names:
            return
        if func.attr.startswith("_"):
            return  # a private member (`self._write(...)`): the job's own, never PySpark API
        keywords = [k.arg for k in node.keywords if k.arg is not None]
        receiver = func.value
        if isinstance(receiver, ast.Name) and receiver.id in self.functions_aliases:
            import pyspark.sql.functions as functions

            target = getattr(functions, func.attr, None)
            if target is None:
                self.problem(node, "pyspark.sql.functions.%s: not there" % func.attr)
            for keyword in keywords:
                if target is not None and not _accepts(target, keyword):
                    self.problem(node, "pyspark.sql.functions.%s(%s=...): no such argument" % (func.attr, keyword))
            return
        if _root_name(receiver) in self.module_aliases and isinstance(receiver, (ast.Name, ast.Attribute)):
            return  # a module's function (os.path.isfile, json.loads, ...) or a class imported by name
        candidates = self.methods.get(func.attr)
        if candidates is None:
            if func.attr not in self.python_names:
                self.problem(node, ".%s(...): no PySpark class has it" % func.attr)
            return
        for keyword in keywords:
            if not any(_accepts(c, keyword) for c in candidates if callable(c)):
                self.problem(node, ".%s(%s=...): no PySpark method of that name takes it" % (func.attr, keyword))


def check_source(source: str, path: str = "<source>", job_methods: Iterable[str] = ()) -> List[str]:
    """job_methods: method names of the job's own classes, allowed on any receiver."""
    checker = Checker(path)
    tree = ast.parse(source, path)
    checker.py4j_names = _py4j_names(tree)
    checker.python_names |= set(job_methods)
    checker.visit(tree)
    return checker.problems


def check_files(paths: Iterable[Path]) -> List[str]:
    sources = [(path, path.read_text()) for path in paths]
    methods = own_methods(ast.parse(text, str(path)) for path, text in sources)
    problems = []  # type: List[str]
    for path, text in sources:
        problems.extend(check_source(text, str(path), methods))
    return problems


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    problems = check_files(parser.parse_args(argv).files)
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
