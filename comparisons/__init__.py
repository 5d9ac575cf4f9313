"""Everything that knows a deep-learning framework exists.

``comparisons.<framework>`` holds that framework's twins of ``refimpl``: the same module
names and function names, each written in the framework's own idiom. Frameworks are
imported lazily, so a missing one is reported as ``missing`` and never crashes a run.
"""

import functools
import os
from pathlib import Path

import ml_dtypes
import numpy as np

FRAMEWORKS = ("torch", "tensorflow", "jax")

DTYPES = {
    "float16": np.dtype(np.float16),
    "bfloat16": np.dtype(ml_dtypes.bfloat16),
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
}


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
def import_everything() -> None:
    """Import every module of refimpl and comparisons (a missing framework's are skipped).

    Hypothesis draws from the literals of the project's modules that are imported when a
    case is drawn, so the same seed gives other cases once another module has been
    imported (a lazily loaded twin, the training runs). Loading them all before drawing
    makes a report, or a test run, the same whichever job ran first in a process.
    """
    import importlib
    import pkgutil

    import refimpl
    import comparisons

    for pkg in (refimpl, comparisons):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            try:
                importlib.import_module(info.name)
            except ImportError:   # a framework that is not installed
                continue
