"""How the code is laid out, where a slip would go unnoticed: checked here."""

import ast
import doctest
import importlib
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_doctests_of_both_packages_run():
    """comparisons' docstring examples were never run: testpaths left the package out."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert {"refimpl", "comparisons"} <= set(config["testpaths"])
    assert "--doctest-modules" in config["addopts"].split()


def test_comparisons_has_doctests_to_run():
    """...and there are some: a package-wide count, so the line above guards something."""
    import comparisons
    from comparisons import FRAMEWORKS

    finder, n = doctest.DocTestFinder(), 0
    for info in pkgutil.walk_packages(comparisons.__path__, "comparisons."):
        if info.name.split(".")[-1] in FRAMEWORKS or info.name.split(".")[1] in FRAMEWORKS:
            continue                   # twins and probes: their frameworks may be absent
        module = importlib.import_module(info.name)
        n += sum(len(t.examples) for t in finder.find(module))
    assert n >= 5


FRAMEWORK_MODULES = {"torch", "tensorflow", "keras", "jax", "jaxlib", "optax", "flax"}


def test_refimpl_imports_no_framework():
    """The one rule of dependency (ARCHITECTURE.md): refimpl needs numpy and ml_dtypes only.
    Both ways: no import statement names a framework, and importing refimpl loads none."""
    for path in sorted((ROOT / "refimpl").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not {n.split(".")[0] for n in names} & FRAMEWORK_MODULES, (path, names)
    code = ("import sys, refimpl; loaded = {m.split('.')[0] for m in sys.modules}; "
            f"assert not loaded & set({sorted(FRAMEWORK_MODULES)!r}), loaded")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
