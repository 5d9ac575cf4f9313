"""Everything that knows a deep-learning framework exists.

``comparisons.<framework>`` holds that framework's twins of ``refimpl``: the same module
names and function names, each written in the framework's own idiom. Frameworks are
imported lazily, and only those a run asks for: one that is not installed is reported as
``missing``, one that raises anything else on import as ``error``; neither crashes a run.
"""

import functools
import os
from pathlib import Path

import ml_dtypes  # noqa: F401  (registers bfloat16 with numpy)
import numpy as np

from refimpl._arrays import FLOAT_DTYPES

# The words every module of comparisons shares, defined here once.
FRAMEWORKS = ("torch", "tensorflow", "jax")
# Implementations nobody here wrote, shipped as plug-ins (comparisons/<name>/, the extra
# [impls], the entry points of pyproject.toml): judged through the plug-in path anyone's
# implementation takes (comparisons/adapters.py); their adapters' probe() measures their conventions.
PLUGINS = ("dezero", "autograd")
IMPLEMENTATIONS = ("refimpl",) + FRAMEWORKS       # what the accuracy sweep measures

DTYPES = {name: np.dtype(name) for name in FLOAT_DTYPES}   # float16 bfloat16 float32 float64

# A row's status, in the order the report shows them; SEVERITY orders them worst first
# (a case's status is its worst check's); BAD are the ones that fail a run.
STATUSES = ("pass", "convention", "fail", "error", "unsupported", "missing")
SEVERITY = ("fail", "error", "convention", "pass", "unsupported", "missing")
BAD = ("fail", "error")

PROFILES = {"dev": 10, "ci": 100, "thorough": 1000}   # hypothesis examples per (op, dtype, check)


def cache_dir(kind: str) -> Path:
    """Where work that is the same on every run is kept between runs: ``kind`` is
    ``jax`` (XLA's compiled programs) or ``truth`` (the 200-bit accuracy truth).

    ``$REFIMPL_CACHE_DIR`` (the Makefile sets it to the repository's ``.cache/``), else
    ``$XDG_CACHE_HOME/refimpl`` or ``~/.cache/refimpl``. Deleting it only costs time.
    """
    root = os.environ.get("REFIMPL_CACHE_DIR") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "refimpl"
    path = Path(root) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def first_line(e: BaseException) -> str:
    """An exception as one line for a message: its type and its message's first line.

    >>> first_line(RuntimeError("jaxlib 0.4 does not match jax 0.5\\nmore"))
    'RuntimeError: jaxlib 0.4 does not match jax 0.5'
    """
    text = str(e).strip()
    return (f"{type(e).__name__}: {text.splitlines()[0]}" if text else type(e).__name__)[:300]


def three_digits(v) -> float | None:
    """``v`` to three significant digits for the report's curves (for the eye; verdicts
    use full values); None when ``v`` is not finite. Where rounding would pass the largest
    float (-1.797e308 -> -1.80e308 = -inf) ``v`` is kept as it is.

    >>> three_digits(0.123456), three_digits(-1.7976931348623157e308), three_digits(np.inf)
    (0.123, -1.7976931348623157e+308, None)
    """
    v = float(v)
    if not np.isfinite(v):
        return None
    r = float(f"{v:.3g}")
    return r if np.isfinite(r) else v


@functools.cache
def import_everything(frameworks=FRAMEWORKS) -> None:
    """Import every module of refimpl and comparisons but the twins of the frameworks
    not in ``frameworks`` (a run never imports a framework it was not asked for) and of
    those that do not import (their rows say why: ``adapters.unavailable``).

    Hypothesis draws from the literals of the project's modules that are imported when a
    case is drawn, so the same seed gives other cases once another module has been
    imported (a lazily loaded twin, the training runs). Loading them all before drawing
    makes a report, or a test run, the same whichever job ran first in a process. So the
    draws depend on the frameworks of the run, as they do on the frameworks installed:
    a report of one framework draws other cases than a report of all three.
    """
    import importlib
    import pkgutil

    from comparisons import adapters

    def tree(name):
        """Import ``name`` and, if it is a package, every module below it."""
        module = importlib.import_module(name)
        for info in pkgutil.iter_modules(getattr(module, "__path__", []), name + "."):
            fw = info.name.split(".")[-1]
            if info.name.startswith("comparisons.") and fw in FRAMEWORKS + PLUGINS:
                # a framework's twins (comparisons.torch) or its convention probe
                # (comparisons.conventions.torch): only if asked for, and only if the
                # framework imports (adapters.adapter records why not, whatever it raised)
                if fw not in frameworks or adapters.adapter(fw) is None:
                    continue
            try:
                tree(info.name)
            except ImportError:   # an optional dependency (dask) that is not installed
                continue

    for root in ("refimpl", "comparisons"):
        tree(root)
