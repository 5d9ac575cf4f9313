"""Expected failures, as array-api-tests keeps them per library: a text file with one
``op``, ``op/dtype`` or ``op/dtype/check`` of the registry per line, the reason after
``#``. `refimpl check --xfails`, `pytest --impl-xfails` and a plug-in's ``XFAILS`` (its
adapter names its file; the report gives the reason beside each listed failure) read it.
"""

from __future__ import annotations

import functools
from pathlib import Path

from comparisons import DTYPES, FRAMEWORKS, adapters, harness, registry
from comparisons.trajectory import CHECK, RUNS_BY_NAME as RUNS


def read(path: Path) -> dict:
    """An xfails file, as array-api-tests keeps them: one ``op``, ``op/dtype`` or
    ``op/dtype/check`` per line, its reason after ``#``. (op, ...) -> reason."""
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        entry, _, why = line.partition("#")
        parts = tuple(entry.strip().split("/")) if entry.strip() else ()
        if not parts:
            continue
        if (len(parts) > 3 or parts[0] not in registry.OPS and parts[0] not in RUNS
                or len(parts) > 1 and parts[1] not in DTYPES
                or len(parts) > 2 and parts[2] not in harness.CHECKS + (CHECK,)):
            raise ValueError(f"{path}:{n}: {entry.strip()!r} is not an op, op/dtype or "
                             "op/dtype/check of the registry (or a training run's name)")
        out[parts] = why.strip()
    return out


def listed(xfails: dict, op: str, dtype: str, check: str) -> str | None:
    """The reason the xfails give for (op, dtype, check) ("" when it gives none), or None
    when they do not list it."""
    return next((xfails[k] for k in ((op, dtype, check), (op, dtype), (op,)) if k in xfails), None)


@functools.cache
def of(framework: str) -> dict:
    """A plugged-in implementation's expected failures: the file its adapter's ``XFAILS``
    names, read; empty for a built-in framework (the registry lists theirs) or none."""
    path = getattr(adapters.adapter(framework), "XFAILS", None) if framework not in FRAMEWORKS else None
    return read(Path(path)) if path is not None else {}
