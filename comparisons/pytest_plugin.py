"""pytest's way in: the conformance suite run on a plugged-in implementation, from any
project's test run (a framework's own CI), as array-api-tests does for array libraries::

    pytest --pyargs comparisons.conformance --impl IMPL [--impl-xfails FILE]

IMPL is what `refimpl check` takes (a module path, a .py file, a package folder, an
installed entry point's name); the environment variables REFIMPL_IMPL and REFIMPL_XFAILS
stand for the options. The xfails file is `refimpl check --xfails`'s: one ``op``,
``op/dtype`` or ``op/dtype/check`` per line, the reason after ``#``; a listed test is
marked xfail with that reason. pytest loads this module by itself (the entry point
``pytest11``); it only adds the options and those marks.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("refimpl", "refimpl's conformance suite (comparisons.conformance)")
    group.addoption("--impl", default=os.environ.get("REFIMPL_IMPL"), metavar="IMPL",
                    help="the implementation comparisons.conformance judges: a module path, "
                    ".py file, package folder or entry point name (env REFIMPL_IMPL)")
    group.addoption("--impl-xfails", default=os.environ.get("REFIMPL_XFAILS"), metavar="FILE",
                    help="the failures to expect, as `refimpl check --xfails` reads them "
                    "(env REFIMPL_XFAILS)")


def pytest_collection_modifyitems(config, items):
    path = config.getoption("impl_xfails")
    if not path:
        return
    from comparisons.xfails import listed, read

    xfails = read(Path(path))
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.module.__name__ != "comparisons.conformance" or "op" not in params:
            continue
        reason = listed(xfails, params["op"].name, params["dtype"], params["check"])
        if reason is not None:
            # not strict: a listed row may meet no failing input in the examples drawn
            item.add_marker(pytest.mark.xfail(reason=reason or "listed in the xfails"))
