"""Known failures, pinned: one failing case for every framework defect the registry names.

The registry lists each measured framework defect (``Op.known_failures``); the report says
`fail` there, with the reason and a repro. A defect seen once in some draw is not enough to
keep it listed: each has a case here that reproduces it, found by hypothesis in the op's own
draws and shrunk to a small one, so that ``tests/test_known_failures.py`` says loudly when a
defect no longer reproduces (a framework upgrade fixed it: take it out of the registry) and
when a listed defect has no case.

``python -m comparisons.known_failures`` finds the cases of the listed defects that have none
(``--all``: finds every case again) and writes them to ``known_failures.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from comparisons import DTYPES, registry
from comparisons.strategies import Case

PINNED_FILE = Path(__file__).with_name("known_failures.json")


def key(op: str, framework: str, dtype: str, check: str) -> str:
    return f"{op} {framework} {dtype} {check}"


def listed() -> dict:
    """Every defect the registry lists: key -> (op, framework, dtype, check)."""
    return {key(op.name, *k): (op, *k) for op in registry.OPS_LIST for k in op.known_failures}


# ----------------------------------------------------------------- cases as JSON

def _dtype_name(a: np.ndarray) -> str:
    return next((n for n, d in DTYPES.items() if a.dtype == d), a.dtype.name)


def _encode(case: Case) -> dict:
    return {"arrays": [{"dtype": _dtype_name(a), "shape": list(a.shape),
                        "values": np.asarray(a, np.float64).ravel().tolist()
                        if a.dtype.kind != "i" else a.ravel().tolist()} for a in case.arrays],
            "kwargs": case.kwargs, "seed": case.seed}


def _tuples(v):
    """JSON gives lists back where the kwargs had tuples (axes, shapes)."""
    return tuple(_tuples(x) for x in v) if isinstance(v, list) else v


def _decode(d: dict) -> Case:
    arrays = tuple(np.array(a["values"], np.float64 if a["dtype"] in DTYPES else a["dtype"])
                   .astype(DTYPES.get(a["dtype"], a["dtype"])).reshape(a["shape"])
                   for a in d["arrays"])
    return Case(arrays, {k: _tuples(v) for k, v in d["kwargs"].items()}, d["seed"])


def _save(pinned: dict, path: Path = PINNED_FILE) -> None:
    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(pinned.items())]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n")


def load(path: Path = PINNED_FILE) -> dict:
    """key -> the pinned Case."""
    if not path.exists():
        return {}
    return {k: _decode(v) for k, v in json.loads(path.read_text()).items()}


# --------------------------------------------------------------------- reproducing

def outcome(op, framework: str, dtype: str, check: str, case: Case):
    """The harness's verdict on ``case`` for one framework: what the report would say."""
    from comparisons import harness

    (o,) = harness.run_case(op, case, dtype, check, (framework,))   # it silences the twin
    return o


def find(op, framework: str, dtype: str, check: str, max_examples: int = 2000) -> Case | None:
    """A case of the op's own draws on which the harness says `fail`, shrunk; None if
    ``max_examples`` draws find none."""
    return op.smallest(dtype, lambda c: outcome(op, framework, dtype, check, c).status == "fail",
                       max_examples)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m comparisons.known_failures")
    p.add_argument("--all", action="store_true", help="find every case again")
    p.add_argument("--max-examples", type=int, default=2000)
    args = p.parse_args(argv)
    pinned = {k: _encode(c) for k, c in load().items()}
    todo = listed()
    for k in list(pinned):
        if k not in todo:
            print(f"{k}: no longer listed in the registry, dropped")
            del pinned[k]
    missing = []
    for k, (op, fw, dtype, check) in todo.items():
        if k in pinned and not args.all:
            continue
        t = time.perf_counter()
        case = find(op, fw, dtype, check, args.max_examples)
        took = time.perf_counter() - t
        if case is None:
            missing.append(k)
            print(f"{k}: no failing case in {args.max_examples} draws ({took:.0f} s)")
        else:
            pinned[k] = _encode(case)
            print(f"{k}: found in {took:.0f} s: {[a.shape for a in case.arrays]}")
        _save(pinned)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
