"""The accuracy runner: every implementation (refimpl and each installed framework) run on
the sweep's grid and judged, in ULPs, against the 200-bit truth (``comparisons.exact``).

``accuracy()`` returns the report's rows, one per sweep, check, dtype and implementation;
``measure()`` makes one row from any callable (the canary tests pass deliberately wrong
ones); ``misses(rows)`` lists the refimpl rows that miss ``TARGET_ULP`` or the best
framework. What is swept and why: ``comparisons.truth``.
"""

from __future__ import annotations

import functools
import importlib
import math

import numpy as np

from comparisons import FRAMEWORKS, three_digits
from comparisons.exact import truth
from comparisons.grids import columns
from comparisons.reference import as_tuple, reference_forward, reference_vjp
from comparisons.strategies import Case
from comparisons.sweeps import SWEEPS, SWEEPS_LIST, Sweep

TARGET_ULP = 4.0           # issue 3: refimpl's max error on every swept op and dtype
# "Never above the best framework" allows half an ULP: two results that are both within
# a rounding of the truth (0.97 and 0.52 ULP, say) are equally faithful; more than that is
# a real difference in accuracy.
BEST_SLACK_ULP = 0.5
DTYPES = ("float32", "float64")
CHECKS = ("forward", "grad")


# ------------------------------------------------------------------- implementations

def implementation(name: str, sweep: Sweep):
    """``run(arrays, check, dtype) -> array (points, components)`` for refimpl or a
    framework, or None when it is not installed or has no such op."""
    if name == "refimpl":
        try:
            fn = getattr(importlib.import_module(f"refimpl.{sweep.module}"), sweep.op)
        except (ImportError, AttributeError):
            return None
        one = functools.partial(_run_refimpl, fn, sweep)
    else:
        from comparisons import adapters

        ad = adapters.adapter(name)
        if ad is None:
            return None
        try:
            fn = getattr(importlib.import_module(f"comparisons.{name}.{sweep.module}"), sweep.op)
        except (ImportError, AttributeError):
            return None
        one = functools.partial(_run_framework, ad, fn, sweep)
    if sweep.batched:
        return lambda arrays, check, dtype: one(arrays, check, dtype, (len(arrays[0]),))
    # one point at a time: each array without its points axis
    return lambda arrays, check, dtype: np.concatenate(
        [one(tuple(a[i] for a in arrays), check, dtype, ()) for i in range(len(arrays[0]))])


def _stack(outs, lead):
    n = lead[0] if lead else 1
    return np.concatenate([np.asarray(o, np.float64).reshape(n, -1) for o in outs], axis=1)


def _run_refimpl(fn, sweep, arrays, check, dtype, lead):
    case = Case(arrays, sweep.kwargs_for(lead))
    with np.errstate(all="ignore"):
        if check == "forward":
            return _stack(reference_forward(fn, case), lead)
        return _stack(reference_vjp(fn, case, sweep.cotangents(lead, dtype), sweep.wrt),
                      lead)


def _run_framework(ad, fn, sweep, arrays, check, dtype, lead):
    dt = np.dtype(dtype)
    if check == "forward":
        ys = as_tuple(ad.forward(fn, arrays, sweep.kwargs_for(lead)))
        return _stack([ad.to_numpy(y, dt) for y in ys], lead)
    _, gs = ad.vjp(fn, arrays, sweep.kwargs_for(lead), sweep.cotangents(lead, dtype), sweep.wrt)
    return _stack([ad.to_numpy(g, dt) for g in gs], lead)


# ---------------------------------------------------------------------- measurement

def _fmt(v):
    v = float(v)
    return v if math.isfinite(v) else repr(v)


def measure(sweep: Sweep | str, check: str, dtype: str, run, implementation: str = "custom",
            size: str = "full") -> dict:
    """One accuracy row: ``run(arrays, check, dtype)`` judged against the truth.

    ``run`` may be any callable returning the results as (points, components) (the canary
    tests pass deliberately wrong ones); see ``implementation``.
    """
    sweep = SWEEPS[sweep] if isinstance(sweep, str) else sweep
    cols, x = columns(sweep, dtype, size)
    arrays = sweep.arrays(cols, dtype)
    keep, t = truth(sweep, check, dtype, size)
    row = {"op": sweep.op, "dtype": dtype, "implementation": implementation,
           "max_ulp": None, "worst_input": None, "check": check, "sweep": sweep.name,
           "kwargs": {k: v for k, v in sweep.kwargs.items() if k != "reduction"},
           "points": int(keep.sum()), "overflow_points": int((t.over != 0).any(axis=1).sum())}
    try:
        got = np.asarray(run(arrays, check, dtype), np.float64)
    except Exception as e:  # an implementation that raises is reported, not fatal
        row["error"] = f"{type(e).__name__}: {str(e).strip()[:200]}"
        return row
    got = got.reshape(len(keep), -1)[keep]
    err = t.errors(got)
    per_point = err.max(axis=1)
    i = int(np.argmax(per_point))
    j = int(np.argmax(err[i]))
    worst = float(per_point[i])
    idx = int(np.flatnonzero(keep)[i])
    if len(sweep.args) == 1:
        worst_input = float(cols[0][idx])
    else:
        worst_input = {a: float(c[idx]) for a, c in zip(sweep.args, cols)}
    exact = t.over[i, j] if t.over[i, j] else t.hi[i, j] + t.lo[i, j] * t.ulp[i, j]
    # The normal range: every input and every truth component zero or normal (no
    # subnormal, no overflow), where a framework's flush-to-zero plays no part.
    tiny = float(np.finfo(np.dtype(dtype)).tiny)
    normal = ~(t.sub | (t.over != 0)).any(axis=1)
    for a in arrays:
        ax = np.abs(a.astype(np.float64)).reshape(len(keep), -1)[keep]
        normal &= ((ax == 0) | (ax >= tiny)).all(axis=1)
    worst_normal = float(per_point[normal].max()) if normal.any() else None
    row.update(max_ulp=worst if math.isfinite(worst) else None, worst_input=worst_input,
               worst_got=_fmt(got[i, j]), worst_truth=_fmt(exact),
               max_ulp_normal=(None if worst_normal is None or not math.isfinite(worst_normal)
                               else worst_normal),
               nonfinite_points=int(np.isinf(per_point).sum()))
    if err.shape[1] > 1:
        row["component"] = j
    row["curve"] = curve(np.asarray(x, np.float64)[keep], per_point)
    return row


CURVE_BINS = 64


def curve(x, ulps, bins: int = CURVE_BINS) -> dict:
    """The error over the input range, for the report's plot: the points sorted by ``x``
    (the first swept argument) in ``bins`` runs of equal count; per run, its first
    (smallest) x, the same for every implementation on the same grid, and the largest
    error in it (3 significant digits; None = infinite).

    >>> curve(np.array([3.0, 1.0, 2.0, 4.0]), np.array([0.5, 0.0, np.inf, 2.0]), bins=2)
    {'x': [1.0, 3.0], 'ulp': [None, 2.0]}
    """
    order = np.argsort(x, kind="stable")
    xs, us = [], []
    for run in np.array_split(order, min(bins, len(order))):
        if len(run) == 0:
            continue
        xs.append(three_digits(x[run[0]]))
        us.append(three_digits(np.max(ulps[run])))
    return {"x": xs, "ulp": us}


def accuracy(ops=None, frameworks=FRAMEWORKS, dtypes=DTYPES, checks=CHECKS, size="full",
             implementations=None) -> list[dict]:
    """The report's accuracy rows: every sweep of ``ops`` (default all) x check x dtype x
    implementation (refimpl, then each installed framework that has the op).

    Rows: op, dtype, implementation, max_ulp (None = infinite: a NaN/inf where the truth
    is finite), worst_input (a float; a dict of all arguments for losses; the x of the
    row [x, 0.1, -0.3] for softmax), check, sweep, kwargs, points, worst_got, worst_truth,
    nonfinite_points, overflow_points, component (multi-output sweeps: which column), error.
    """
    names = implementations or ("refimpl",) + tuple(frameworks)
    rows = []
    for sweep in SWEEPS_LIST:
        if ops is not None and sweep.op not in ops:
            continue
        runners = {n: implementation(n, sweep) for n in names}
        for check in checks:
            for dtype in dtypes:
                if dtype not in DTYPES:
                    continue
                for n, run in runners.items():
                    if run is not None:
                        rows.append(measure(sweep, check, dtype, run, n, size))
    return rows


def _ulp_of(row):
    if row.get("error"):
        return math.inf
    return math.inf if row["max_ulp"] is None else row["max_ulp"]


def misses(rows, target: float = TARGET_ULP) -> list[dict]:
    """refimpl rows that miss the issue's target: above ``target`` ULPs, or more than
    ``BEST_SLACK_ULP`` above the best framework's max ULP on the same sweep, check and
    dtype. Each comes with its reasons."""
    best = {}
    for r in rows:
        if r["implementation"] != "refimpl":
            k = (r.get("sweep", r["op"]), r.get("check"), r["dtype"])
            if k not in best or _ulp_of(r) < _ulp_of(best[k]):
                best[k] = r
    out = []
    for r in rows:
        if r["implementation"] != "refimpl":
            continue
        u = _ulp_of(r)
        reasons = []
        if u > target:
            reasons.append(f"{u:.3g} ULP > target {target:g}")
        b = best.get((r.get("sweep", r["op"]), r.get("check"), r["dtype"]))
        if b is not None and u > _ulp_of(b) + BEST_SLACK_ULP:
            reasons.append(f"{u:.3g} ULP > {b['implementation']}'s {_ulp_of(b):.3g}")
        if reasons:
            out.append({**r, "reasons": reasons,
                        "best_framework": b["implementation"] if b else None,
                        "best_framework_ulp": None if b is None else b["max_ulp"]})
    return out
