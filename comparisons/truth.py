"""High-precision ground truth (mpmath, 200 bits) and the accuracy sweep.

For every registry op, forward and gradient, this module computes the
exact mathematical answer at the exact floating-point input, then measures how far each
implementation (refimpl and every installed framework) lands from it, in ULPs.

The truth is written from the mathematics, not from refimpl: each formula (in
``comparisons.sweeps``) is chosen
so that it is exact to far more than 53 bits at 200-bit working precision for every input
of the sweep (no subtraction of nearly equal numbers except at a function's own roots,
where 200 bits leave > 140 correct). The constants are the real numbers of the definitions
(1/100 for leaky_relu's slope 0.01, the decimal 0.044715 and sqrt(2/pi) of the tanh GELU),
not their float roundings. ``tests/test_truth.py`` checks the truth against closed forms
and against itself at 400 bits.

What "ULP error" means here
---------------------------
For a real truth ``v`` and a result ``got`` in a dtype with ``p`` significand bits
(24 for float32, 53 for float64) and smallest normal exponent ``emin`` (-126, -1022):

    ulp(v) = 2 ** (max(e, emin) - p + 1)   where 2**e <= |v| < 2**(e+1)  (ulp(0) = ulp at emin)
    error  = |got - v| / ulp(v)

so a correctly rounded result has error <= 0.5, and below the smallest normal the unit is
the smallest subnormal (float32 1.4e-45, float64 4.9e-324): subnormal outputs count, and
an implementation that flushes sigmoid(-100) = 3.7e-44 to 0 in float32 is 26 ULP off.
``v`` is the unrounded 200-bit value and ``ulp`` is taken in its binade (the standard
definition, e.g. Muller, "Handbook of Floating-Point Arithmetic", 2.6.1).
Special cases: if ``v`` rounds to +-inf in the dtype (it overflows), the point counts 0 when
``got`` is that same infinity (nothing better exists) and inf otherwise; a NaN or infinite
``got`` where ``v`` is finite is an infinite error. Signs of zeros are not judged here
(the conformance tests do that). Every input of the sweep is finite.

What is swept
-------------
Every registry op (``comparisons.sweeps``: the ops, their truth and how each is swept),
per check (``forward``, ``grad``) and dtype (float32, float64), on one grid:
linear near 0 ([-10, 10], [-120, 120], [-800, 800]), log-spaced magnitudes from the
smallest subnormal to the largest finite value with both signs, and the places where
trouble is known to sit, each with its two neighbours on either side: the exp/sigmoid
saturation and underflow edges of the dtype (sigmoid'(x) near 18.7 in float32 / 37 in
float64; sigmoid(-100) in float32; exp underflow at -87.3/-103.97 and -708.4/-745.1), the
GELU tails (x near -11 and -13 in float32, -37.5 and -38.5 in float64), the roots of the
derivatives of GELU (-0.7518), tanh-GELU (-0.7522) and SiLU (-1.2785), and the edges of
the bands the conformance draws visit (``comparisons.regions``: one list for both). log,
pow's fractional powers and div's divisor take the grid's positive or nonzero part,
probabilities the open interval (0, 1) (log-spaced down to the smallest subnormal and up
to 1 - eps/2), gaussian_nll's variance [1e-5, max], so that its eps clamp never acts.
The losses and binary ops are swept in one argument with the others fixed
(``settings``); the ops on rows, vectors and matrices through the entry x of a fixed
structure (``[x, 0.1, -0.3]``, see ``comparisons.sweeps``). grad is the vjp with the
cotangent 1 for every output (``[1, 0, 0]`` for softmax and log_softmax: the full row of
derivatives of output 0). Kinks (x = 0 for step, relu, leaky_relu; y_hat = t for mae) are
left out of the grad sweep: which subgradient is taken there is a convention, measured
elsewhere.

Use: ``accuracy()`` returns the report's rows; ``misses(rows)`` lists the refimpl rows
that miss ``TARGET_ULP`` or the best framework. ``python -m comparisons.truth`` prints the
table and the time it took. The truth is the same on every run and costs most of that time:
it is kept on disk (``truth()``), so only the first run computes it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import inspect
import math
import os
import re
import sys
import time
import uuid
from dataclasses import dataclass

import mpmath
import numpy as np

from comparisons import FRAMEWORKS, cache_dir, regions, sweeps, three_digits
from comparisons.strategies import Case
from comparisons.sweeps import (PREC, SWEEPS, SWEEPS_LIST, M, Sweep, _dgelu_tanh, _phi, _Phi,
                                _sig, ops)
from comparisons.ulp import finfo, ulp as float_ulp

TARGET_ULP = 4.0           # issue 3: refimpl's max error on every swept op and dtype
# "Never above the best framework" allows half an ULP: two results that are both within
# a rounding of the truth (0.97 and 0.52 ULP, say) are equally faithful; more than that is
# a real difference in accuracy.
BEST_SLACK_ULP = 0.5
DTYPES = ("float32", "float64")
CHECKS = ("forward", "grad")
IMPLEMENTATIONS = ("refimpl",) + FRAMEWORKS



# ---------------------------------------------------------------- the ULP yardstick

def ulp(v, dtype: str) -> float:
    """One unit in the last place of ``dtype`` at the real number ``v`` (see the module doc).

    >>> ulp(1.0, "float32"), ulp(0.0, "float32"), ulp(3.7e-44, "float32")
    (1.1920928955078125e-07, 1.401298464324817e-45, 1.401298464324817e-45)
    """
    v = M.mpf(v)
    return float(_ulps([v], [float(v)], dtype)[0])


def _ulps(values, rounded, dtype: str) -> np.ndarray:
    """``ulp`` of every mpf in ``values``, given each one's float (``rounded``).

    The binade of the real v, not of v rounded: float(v) may round up to the power of two
    above it (2 - 2**-100 -> 2.0, or past float64's max to inf); the float next to it
    toward 0 stays in v's binade, or in the one the dtype's clamping gives it anyway.
    """
    up = np.array([abs(h) > abs(v) for h, v in zip(rounded, values)], bool)
    h = np.array(rounded, np.float64)
    return float_ulp(np.where(up, np.nextafter(h, 0.0), h), dtype)


def _overflow_threshold(dtype):
    """|v| at or above this rounds to inf: the largest finite value plus half an ulp."""
    top = float(finfo(dtype).max)
    return M.mpf(top) + M.mpf(ulp(top, dtype)) / 2


@dataclass
class Truth:
    """The truth at each grid point, one column per output component, ready for ULPs.

    ``hi`` is the truth rounded to float64, ``lo`` the rest in units of ``ulp``:
    truth = hi + lo * ulp exactly enough (to ~2**-50 ULP); ``over`` is +-inf where the
    truth overflows the dtype (and 0 elsewhere).
    """
    hi: np.ndarray
    lo: np.ndarray
    ulp: np.ndarray
    over: np.ndarray
    sub: np.ndarray        # True where 0 < |truth| < the smallest normal of the dtype

    @classmethod
    def encode(cls, values, dtype):
        """values: a list of rows, each a tuple of mpf (one per component)."""
        top = _overflow_threshold(dtype)
        tiny = float(finfo(dtype).tiny)
        shape = (len(values), len(values[0]) if values else 0)
        flat = [v for row in values for v in row]
        h = [float(v) for v in flat]
        big = [abs(v) >= top for v in flat]
        un = np.where(big, 1.0, _ulps(flat, h, dtype))   # every ULP at once
        lo = [0.0 if b else float((v - x) / u) for v, x, u, b in zip(flat, h, un.tolist(), big)]
        sub = [not b and 0 < abs(v) < tiny for v, b in zip(flat, big)]
        big, hi = np.array(big, bool), np.array(h)
        over = np.where(big, np.copysign(np.inf, hi), 0.0)
        return cls(*(np.reshape(a, shape) for a in (np.where(big, 0.0, hi), lo, un, over)),
                   np.reshape(np.array(sub, bool), shape))

    def errors(self, got: np.ndarray) -> np.ndarray:
        """ULP error of ``got`` (same shape as ``hi``) at each point and component."""
        g = np.asarray(got, dtype=np.float64).reshape(self.hi.shape)
        with np.errstate(all="ignore"):
            err = np.abs((g - self.hi) / self.ulp - self.lo)
        err = np.where(np.isfinite(g), err, np.inf)
        return np.where(self.over != 0, np.where(g == self.over, 0.0, np.inf), err)


def ulp_error(got, truth, dtype: str) -> float:
    """The ULP error of one value against a truth given as anything mpmath reads.

    >>> round(ulp_error(np.float32(0.0), "3.7200759760208359e-44", "float32"), 2)  # flushed
    26.55
    """
    return float(Truth.encode([(M.mpf(truth),)], dtype).errors(np.array([[float(got)]]))[0, 0])


# ----------------------------------------------------------------------------- grids

GRID_SIZES = {"full": (801, 481, 401, 600), "small": (81, 49, 41, 60)}


def _roots():
    """The roots of the derivatives of GELU, tanh-GELU and SiLU (once, at 200 bits)."""
    return [M.findroot(lambda x: _Phi(x) + x * _phi(x), -0.75),
            M.findroot(_dgelu_tanh, -0.75),
            M.findroot(lambda x: 1 + x * _sig(-x), -1.28)]


_ROOTS: list = []
# Where trouble sits, per dtype (see the module doc); each is also taken negated.
_EDGES = {
    "float32": [100.0, 16.6, 17.3, 18.7, 87.3, 88.72, 103.97, 104.0, 9.0, 11.0, 13.0, 13.2,
                15.9, 1e-7, 1e-12],
    "float64": [36.7, 37.0, 37.5, 38.0, 38.5, 708.4, 709.78, 745.13, 19.0, 26.5, 1e-7, 1e-12],
}


def _neighbours(values, dt, k=2):
    out = []
    for v in np.asarray(values, dt):
        w = v
        out.append(v)
        for _ in range(k):
            w = np.nextafter(w, dt.type(np.inf))
            out.append(w)
        w = v
        for _ in range(k):
            w = np.nextafter(w, dt.type(-np.inf))
            out.append(w)
    return out


def _real_grid(dtype, size):
    dt = np.dtype(dtype)
    fi = np.finfo(dt)
    n1, n2, n3, n4 = GRID_SIZES[size]
    if not _ROOTS:
        _ROOTS.extend(float(r) for r in _roots())
    mags = np.geomspace(float(fi.smallest_subnormal), float(fi.max), n4)
    special = [0.0, 0.5, 1.0, float(fi.eps), float(fi.smallest_subnormal),
               2 * float(fi.smallest_subnormal), float(fi.tiny),
               float(fi.tiny) - float(fi.smallest_subnormal), float(fi.max), float(fi.max) / 2]
    # and the edges of every band the conformance draws visit (one list: comparisons.regions)
    edges = _neighbours(_EDGES[dtype] + special[1:] + regions.edges(dtype), dt)
    pts = np.concatenate([np.linspace(-10, 10, n1), np.linspace(-120, 120, n2),
                          np.linspace(-800, 800, n3), mags, -mags]).astype(dt)
    pts = np.concatenate([pts, np.asarray(edges, dt), -np.asarray(edges, dt),
                          np.asarray(_neighbours(_ROOTS, dt, 4), dt), np.zeros(1, dt)])
    return np.unique(pts[np.isfinite(pts)])


def _open01_grid(dtype, size):
    dt = np.dtype(dtype)
    fi = np.finfo(dt)
    n1, _, _, n4 = GRID_SIZES[size]
    tiny = np.geomspace(float(fi.smallest_subnormal), 0.5, n4)
    near1 = 1 - np.geomspace(float(fi.eps) / 2, 0.5, n4 // 2)
    edges = _neighbours([0.25, 0.5, 0.75, math.exp(-100), 1e-12, 1e-7, 1 - 1e-7,
                         float(fi.tiny), 4 * float(fi.smallest_subnormal)], dt)
    pts = np.concatenate([np.linspace(0, 1, n1), tiny, near1, edges,
                          [float(fi.smallest_subnormal), 1 - float(fi.epsneg)]]).astype(dt)
    return np.unique(pts[(pts > 0) & (pts < 1)])


def _var_grid(dtype, size):
    dt = np.dtype(dtype)
    n1, _, _, n4 = GRID_SIZES[size]
    edges = _neighbours([1.0, 2.25, 2.5, 1e-5], dt, 4)
    pts = np.concatenate([np.linspace(0, 10, n1), np.geomspace(1e-5, float(np.finfo(dt).max),
                          n4), edges]).astype(dt)
    return np.unique(pts[np.isfinite(pts) & (pts >= 1e-5)])


def _positive_grid(dtype, size):
    g = _real_grid(dtype, size)
    return g[g > 0]


def _nonzero_grid(dtype, size):
    g = _real_grid(dtype, size)
    return g[g != 0]


_GRIDS = {"real": _real_grid, "positive": _positive_grid, "nonzero": _nonzero_grid,
          "open01": _open01_grid, "var": _var_grid}


def columns(sweep: Sweep, dtype: str, size: str = "full") -> tuple:
    """(one column per ``args``, the swept value at each point), all points of all
    settings, in ``dtype``."""
    dt = np.dtype(dtype)
    cols = {a: [] for a in sweep.args}
    swept_values = []
    for setting in sweep.settings:
        swept = next(a for a in sweep.args if a not in setting)
        domain = "var" if swept == "var" else sweep.domain
        with np.errstate(over="ignore"):
            g = _GRIDS[domain](dtype, size)
        for a in sweep.args:
            cols[a].append(g if a == swept else np.full(g.shape, setting[a], dt))
        swept_values.append(g)
    return (tuple(np.concatenate(cols[a]).astype(dt) for a in sweep.args),
            np.concatenate(swept_values))


def inputs(sweep: Sweep, dtype: str, size: str = "full") -> tuple:
    """The op's arrays at every point of the sweep, the points along the first axis."""
    return sweep.arrays(columns(sweep, dtype, size)[0], dtype)


def _points(sweep, arrays):
    """The grid points as tuples of exact mpf: every entry of every array at the point."""
    per_point = [np.asarray(a, np.float64).reshape(len(a), -1) for a in arrays]
    return [tuple(M.mpf(v) for v in np.concatenate([a[i] for a in per_point]).tolist())
            for i in range(len(per_point[0]))]


def compute(sweep: Sweep, check: str, dtype: str, arrays: tuple):
    """(mask of points measured, Truth) at the grid ``arrays``, computed at 200 bits."""
    pts = _points(sweep, arrays)
    keep = np.ones(len(pts), bool)
    if check == "grad" and sweep.kink is not None:
        keep = np.array([not sweep.kink(*p) for p in pts], bool)
    f = sweep.forward if check == "forward" else sweep.grad
    return keep, Truth.encode([f(*p) for p, k in zip(pts, keep) if k], dtype)


_cache: dict = {}


def truth(sweep: Sweep, check: str, dtype: str, size: str = "full"):
    """(mask of points measured, Truth) for one sweep, check and dtype; cached per process
    and on disk (``cache_dir("truth")``), where only the first run computes it."""
    key = (sweep.name, check, dtype, size)
    if key not in _cache:
        arrays = inputs(sweep, dtype, size)
        try:
            path = cache_dir("truth") / _file_name(sweep, check, dtype, arrays)
        except OSError:             # no cache folder can be made: compute on every run
            path = None
        found = _load(path, len(arrays[0])) if path else None
        if found is None:
            found = compute(sweep, check, dtype, arrays)
            if path:
                _save(path, *found)
        _cache[key] = found
    return _cache[key]


# -------------------------------------------------------------- the truth on disk
# One .npz per sweep, check, dtype and grid, named by a hash of everything its numbers depend on:
# the grid (the input arrays), the code (this module's formulas, settings and encoding, and
# the ULP module), mpmath and PREC. Any change misses the cache; stale files are just unused.

_FIELDS = ("hi", "lo", "ulp", "over", "sub")


@functools.cache
def _source() -> str:
    from comparisons import ulp as ulp_module

    return "".join(inspect.getsource(m) for m in (sys.modules[__name__], sweeps, ulp_module))


def _file_name(sweep, check, dtype, arrays) -> str:
    h = hashlib.sha256()
    for part in (_source(), mpmath.__version__, mpmath.libmp.BACKEND, str(PREC),
                 sweep.name, check, dtype):
        h.update(part.encode() + b"\0")
    for a in arrays:
        h.update(f"{a.dtype.str}{a.shape}".encode() + np.ascontiguousarray(a).tobytes())
    readable = re.sub(r"[^\w.-]+", "_", f"{sweep.name}-{check}-{dtype}")
    return f"{readable}-{h.hexdigest()[:32]}.npz"


def _load(path, points: int):
    """(keep, Truth) from a cache file, or None when it is missing, unreadable or not the
    shape stored (a damaged or edited file): then the truth is computed again."""
    try:
        with np.load(path, allow_pickle=False) as z:
            keep, fields = z["keep"], [z[f] for f in _FIELDS]
    except Exception:   # np.load fails on bad files in many ways (OSError, BadZipFile, ...)
        return None
    ok = (keep.dtype == bool and keep.shape == (points,) and fields[-1].dtype == bool
          and all(f.dtype == np.float64 for f in fields[:-1])
          and all(f.ndim == 2 and f.shape == fields[0].shape for f in fields)
          and fields[0].shape[0] == keep.sum())
    return (keep, Truth(*fields)) if ok else None


def _save(path, keep, t: Truth) -> None:
    """Write through a temporary file in the same folder and os.replace, so that a reader,
    or a second process writing the same truth, never meets half a file."""
    # A name of this writer's own (not mkstemp's, whose files only their owner may read: a
    # cache folder may be shared).
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "xb") as f:
            np.savez(f, keep=keep, **{name: getattr(t, name) for name in _FIELDS})
        os.replace(tmp, path)
    except OSError:         # a full disk, a read-only folder: the cache only saves time
        pass
    finally:
        if tmp.exists():    # what a failed write left
            tmp.unlink()


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
        from comparisons import harness

        ad = harness.adapter(name)
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
    from comparisons import harness

    case = Case(arrays, sweep.kwargs_for(lead))
    with np.errstate(all="ignore"):
        if check == "forward":
            return _stack(harness.reference_forward(fn, case), lead)
        return _stack(harness.reference_vjp(fn, case, sweep.cotangents(lead, dtype), sweep.wrt),
                      lead)


def _run_framework(ad, fn, sweep, arrays, check, dtype, lead):
    from comparisons.harness import as_tuple

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


# ----------------------------------------------------------------------- the table

def table(rows) -> str:
    """A plain-text table: sweep, check, dtype, ULPs per implementation, refimpl's worst."""
    cells, order = {}, []
    for r in rows:
        k = (r["sweep"], r["check"], r["dtype"])
        if k not in cells:
            cells[k] = {}
            order.append(k)
        cells[k][r["implementation"]] = r
    names = list(dict.fromkeys(r["implementation"] for r in rows))
    lines = [f"{'sweep':<34}{'check':<8}{'dtype':<8}" + "".join(f"{n:>12}" for n in names)
             + "  worst input (refimpl)"]
    for k in order:
        c = cells[k]
        line = f"{k[0]:<34}{k[1]:<8}{k[2]:<8}"
        for n in names:
            r = c.get(n)
            line += f"{'-' if r is None else format(_ulp_of(r), '.3g'):>12}"
        ref = c.get("refimpl")
        lines.append(line + ("  " + str(ref["worst_input"]) if ref else ""))
    return "\n".join(lines)


def main(argv=None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m comparisons.truth")
    p.add_argument("--ops", default=None, help="comma-separated op names (default: all)")
    p.add_argument("--size", choices=list(GRID_SIZES), default="full")
    p.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    rows = accuracy(a.ops.split(",") if a.ops else None,
                    tuple(f for f in a.frameworks.split(",") if f), size=a.size)
    print(table(rows))
    print(f"\n{len(rows)} rows in {time.perf_counter() - t0:.1f} s")
    for m in misses(rows):
        print(f"MISS {m['sweep']} {m['check']} {m['dtype']}: {'; '.join(m['reasons'])} "
              f"at {m['worst_input']} (got {m['worst_got']}, truth {m['worst_truth']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
