"""The frameworks a test run requires: all three, at the versions constraints.txt pins.

``missing`` is a status for a user who installed only some frameworks and says which
(``REFIMPL_FRAMEWORKS=torch,jax``); in the project's own runs a framework that does not
import, or imports at another version, stops ``make test`` at the start with one line
(tests/conftest.py), instead of turning its rows ``missing`` and the suite green.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

from comparisons import FRAMEWORKS

CONSTRAINTS = Path(__file__).resolve().parent.parent / "constraints.txt"
DISTRIBUTIONS = {"torch": "torch", "tensorflow": "tensorflow-cpu", "jax": "jax"}


def _named() -> tuple:
    named = os.environ.get("REFIMPL_FRAMEWORKS")
    if named is None:
        return FRAMEWORKS
    return tuple(dict.fromkeys(f.strip() for f in named.split(",") if f.strip()))


NAMED = _named()
REQUIRED = tuple(f for f in NAMED if f in FRAMEWORKS)


def left_out(outcome) -> bool:
    """An outcome ``missing`` because REFIMPL_FRAMEWORKS left its framework out: not judged."""
    return outcome.status == "missing" and outcome.framework not in REQUIRED


def pins() -> dict:
    """distribution -> version, from constraints.txt's ``name==version`` lines."""
    lines = CONSTRAINTS.read_text().splitlines()
    return dict(m.groups() for m in map(re.compile(r"^([\w.-]+)==(\S+)").match, lines) if m)


def problems() -> list[str]:
    """What is wrong with the required frameworks, one phrase each (empty: nothing)."""
    out, pinned = [], pins()
    unknown = [f for f in NAMED if f not in FRAMEWORKS]
    if unknown:
        out.append(f"REFIMPL_FRAMEWORKS names {', '.join(unknown)}: expected some of "
                   f"{', '.join(FRAMEWORKS)}")
    for fw in REQUIRED:
        try:
            adapter = importlib.import_module(f"comparisons.{fw}")
        except Exception as e:   # anything: a version clash raises more than ImportError
            first = str(e).strip().splitlines()[0] if str(e).strip() else ""
            out.append(f"{fw} does not import ({type(e).__name__}: {first})")
            continue
        want = pinned[DISTRIBUTIONS[fw]]
        if adapter.VERSION.split("+")[0] != want:   # torch's local tag: 2.13.0+cpu
            out.append(f"{fw} is {adapter.VERSION}, constraints.txt pins {want}")
    return out
