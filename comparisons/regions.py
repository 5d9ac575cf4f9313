"""Regions of an op's input space: where its values are drawn from, and where a run's fell.

A `pass` is only as good as the inputs behind it. Every op names its regions once, here,
and both the strategies (what is drawn) and the coverage (what a run visited) read them:

- **ordinary**: log-uniform magnitudes over the op's natural range, both signs: what
  users compute. The majority of the draws (``SHARES``), so that a verdict rests on them.
- **bands**: where the op is known to break, one list per op (``BANDS``): the saturation
  of sigmoid' and tanh' (the output rounds to +-1 and a backward from it cancels), exp
  underflow (a result in the subnormals), the GELU tail, the roots of GELU' and SiLU',
  subnormal inputs (which some frameworks flush to zero), logits large enough to overflow
  an unshifted exp. Each is computed from the dtype's format, never typed per dtype, and
  the accuracy sweep's grid (``comparisons.grids``) contains every band's edges.
- **specials and extremes**: NaN, +-inf, +-0 where the op's domain has them, and finite
  values anywhere else in the domain (log-uniform over every binade).

The shares, and why: ordinary 8 in 12 (the verdict is about them; a band that overlaps the
ordinary range counts its values as the band's, as tanh's saturation from x = 2.4 on in
bfloat16 does, and at least half of every op's finite values must stay ordinary, which
``tests/test_coverage.py`` checks: 6 in 10 left tanh's bfloat16 job at 49%), bands 2 in 12
(each op has one to four, so each is drawn dozens of times per 100 examples), specials 1
and extremes 1 (a handful per array is enough to meet every NaN/inf rule).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from comparisons import DTYPES
from comparisons.ulp import finfo

SPECIALS = (math.nan, math.inf, -math.inf, 0.0, -0.0)
SHARES = {"ordinary": 8, "bands": 2, "specials": 1, "extremes": 1}
SHAPES = ("rank 0", "rank 4-5", "zero-size")   # the shape edges a run must visit


# ----------------------------------------------------------------------------- bands

def _ln(v):
    return math.log(v) if v > 0 else -math.inf


@dataclass(frozen=True)
class Band:
    """Magnitudes in [lo(dtype), hi(dtype)] with the given signs; ``why`` says what breaks."""
    name: str
    lo: object          # dtype -> float, or a float
    hi: object
    why: str
    signs: tuple = (1, -1)

    def bounds(self, dtype: str) -> tuple[float, float]:
        f = lambda v: float(v(dtype) if callable(v) else v)   # noqa: E731
        return f(self.lo), f(self.hi)


def _eps(d):
    return float(finfo(d).eps)


def _tiny(d):
    return float(finfo(d).tiny)


def _sub(d):
    return float(finfo(d).smallest_subnormal)


def _max(d):
    return float(finfo(d).max)


SUBNORMAL = Band("subnormal", _sub, lambda d: np.nextafter(_tiny(d), 0, dtype=np.float64),
                 "inputs below the smallest normal: frameworks that flush them see 0")
# 1 - s(x) < eps: the output rounds to 1 and s (1 - s) cancels; up to where e^-x underflows.
SATURATION = Band("saturation", lambda d: -_ln(_eps(d)), lambda d: -_ln(_tiny(d)),
                  "the output rounds to +-1: a derivative from it cancels")
# tanh saturates at half that: 1 - tanh x = 2 e^-2x.
TANH_SATURATION = Band("saturation", lambda d: -_ln(_eps(d)) / 2, lambda d: -_ln(_tiny(d)) / 2,
                       "tanh rounds to +-1: 1 - y^2 cancels")
# e^x below the smallest normal: results in the subnormals, then 0.
UNDERFLOW = Band("underflow", lambda d: -_ln(_tiny(d)), lambda d: -_ln(_sub(d)),
                 "e^x is subnormal: results lose bits, then flush or underflow to 0",
                 signs=(-1,))
TANH_UNDERFLOW = Band("underflow", lambda d: -_ln(_tiny(d)) / 2, lambda d: -_ln(_sub(d)) / 2,
                      "tanh' = sech^2 x = 4 e^-2|x| is subnormal")
# Phi(x) for x < 0 is about phi(x)/|x|: subnormal once x^2/2 passes -ln(tiny).
GELU_TAIL = Band("tail", lambda d: math.sqrt(-2 * _ln(_tiny(d))), lambda d: math.sqrt(-2 * _ln(_sub(d))),
                 "x Phi(x) is subnormal: erfc's tail", signs=(-1,))
GELU_ROOT = Band("derivative root", 0.70, 0.80, "GELU' has a root at -0.7518: its terms cancel",
                 signs=(-1,))
SILU_ROOT = Band("derivative root", 1.22, 1.34, "SiLU' has a root at -1.2785: its terms cancel",
                 signs=(-1,))
# softmax without the max shift: e^x overflows from ln(max) on.
LARGE_LOGITS = Band("large logits", lambda d: _ln(_max(d)), lambda d: 16 * _ln(_max(d)),
                    "e^x overflows unless the max is subtracted first")
OVERFLOW = Band("overflow", lambda d: _max(d) / 4, _max, "a sum of two may overflow to inf")
RECIPROCAL_UNDERFLOW = Band("1/x subnormal", lambda d: 1 / _tiny(d), _max,
                            "the gradient 1/x is subnormal: flushed, or divided imprecisely", signs=(1,))
NEAR_0 = Band("near 0", 1e-4, 1e-2, "p near 0: log p and 1/p are large", signs=(1,))
NEAR_1 = Band("near 1", 0.98, 1.0, "p near 1: log(1 - p) cancels", signs=(1,))


# ----------------------------------------------------------------------------- regions

@dataclass(frozen=True)
class Regions:
    """The regions of one op: ``ordinary`` magnitudes (lo, hi) with ``signs``, its
    ``bands``, its ``domain`` (dtype -> (lo, hi); None: every finite value) and whether NaN,
    +-inf and +-0 are in it, the arrays drawn from them (``args``; the others, targets and
    the like, have their own) and the shape edges its structures reach."""
    ordinary: tuple = (1e-3, 1e3)
    bands: tuple = ()
    domain: object = None
    least: float = 0.0          # the smallest magnitude in the domain (0 excepted)
    specials: bool = True
    args: tuple = (0,)
    shapes: tuple = SHAPES
    signs: tuple = (1, -1)

    def bounds(self, dtype: str) -> tuple[float, float]:
        top = _max(dtype)
        lo, hi = self.domain(dtype) if self.domain else (None, None)
        return (-top if lo is None else max(lo, -top)), (top if hi is None else min(hi, top))

    def visible(self, dtype: str) -> tuple:
        """The bands that lie in the domain in this dtype (some fit in only some dtypes)."""
        return tuple(b for b in self.bands if _pieces(b.bounds(dtype), b.signs, self.bounds(dtype), dtype,
                                                      self.least))

    def names(self, dtype: str) -> tuple:
        """Every region a run in this dtype must visit, values and shapes."""
        out = ("ordinary",) + tuple(b.name for b in self.visible(dtype))
        return out + (("nan", "inf", "zero") if self.specials else ()) + self.shapes


def _pieces(bounds, signs, domain, dtype, least=0.0) -> list:
    """The magnitudes [a, b] of a region that lie in the domain (lo, hi), one (a, b, sign)
    per sign, with a and b representable in the dtype; empty when none fits."""
    t = DTYPES[dtype].type
    (a, b), (lo, hi) = bounds, domain
    out = []
    for s in signs:
        top = hi if s > 0 else -lo           # the largest magnitude of this sign
        bottom = max(lo if s > 0 else -hi, least)
        x, y = max(a, bottom), min(b, top, _max(dtype))
        # inward to the dtype's floats: hypothesis and the rounding below need exact ends
        rx, ry = t(x), t(y)
        if float(rx) < x:
            rx = np.nextafter(rx, t(np.inf))
        if float(ry) > y:
            ry = np.nextafter(ry, t(0))
        if 0 < float(rx) <= float(ry):
            out.append((float(rx), float(ry), s))
    return out


def _log_uniform(dtype, a, b, s):
    """u in [0, 1) -> magnitudes log-uniform in [a, b] (0 < a, both floats of the dtype)
    with the sign s, rounded to the dtype: every binade of the range as likely as any other."""
    t = DTYPES[dtype]
    lo, hi = math.log2(a), math.log2(b)

    def value(u):
        with np.errstate(over="ignore"):
            v = np.exp2(lo + u * (hi - lo)).astype(t).astype(np.float64)
        return s * np.clip(v, a, b)      # a and b are the dtype's: the clamp stays exact
    return value


def _pick(pool):
    """u in [0, 1) -> one of ``pool``'s values, each as likely."""
    pool = np.asarray(pool, np.float64)
    return lambda u: pool[np.minimum((u * len(pool)).astype(np.int64), len(pool) - 1)]


@dataclass(frozen=True, eq=False)
class Mix:
    """The values of an op's array: ``branches`` (each turns uniform numbers u in [0, 1)
    into values of one region) drawn in the shares of ``table`` (one branch index per
    entry). A case's arrays are sampled whole from its seed (``strategies.case``).
    """
    dtype: str
    table: np.ndarray
    branches: tuple

    def sample(self, rng: np.random.Generator, shape: tuple) -> np.ndarray:
        """An array of values: each element an entry of the table, then a value of its
        branch."""
        n = math.prod(shape)
        which, u = self.table[rng.integers(0, len(self.table), n)], rng.random(n)
        out = np.zeros(n, np.float64)
        for k, branch in enumerate(self.branches):
            m = which == k
            if m.any():
                out[m] = branch(u[m])
        return out.astype(DTYPES[self.dtype]).reshape(shape)


def values(regions: Regions, dtype: str, specials: bool | None = None, pool: tuple = ()) -> Mix:
    """The values of an op's array: ordinary, bands, specials and extremes in the
    ``SHARES``, all inside the op's domain. ``specials=False`` leaves NaN, +-inf and +-0
    to the caller; a ``pool`` of values (softmax's ties) takes as many draws as the rest."""
    domain = regions.bounds(dtype)
    specials = regions.specials if specials is None else specials
    bands = [_pieces(bd.bounds(dtype), bd.signs, domain, dtype, regions.least)
             for bd in regions.visible(dtype)]
    # A table of branches, each share that many entries times the number of bands (so the
    # bands split theirs evenly), a region's entries shared among its pieces (signs) in
    # turn, the regions interleaved.
    k = max(len(bands), 1)
    branches, runs = [], []

    def add(entries, *fns):
        first = len(branches)
        branches.extend(fns)
        runs.append([first + i % len(fns) for i in range(entries)])

    add(SHARES["ordinary"] * k,
        *(_log_uniform(dtype, *p) for p in _pieces(regions.ordinary, regions.signs, domain, dtype, regions.least)))
    for ps in bands:
        add(SHARES["bands"], *(_log_uniform(dtype, *p) for p in ps))
    if specials:
        add(SHARES["specials"] * k, _pick(SPECIALS))
    extremes = _pieces((_sub(dtype), _max(dtype)), regions.signs, domain, dtype, regions.least)
    if extremes:
        add(SHARES["extremes"] * k, *(_log_uniform(dtype, *p) for p in extremes))
    if pool:
        add(sum(map(len, runs)), _pick(pool))
    # round robin, each region's entries spread over the table in proportion
    table = [i for _, i in sorted((j / len(run), i) for run in runs for j, i in enumerate(run))]
    return Mix(dtype, np.array(table), tuple(branches))


def uniform(dtype: str, lo: float, hi: float, pool: tuple = ()) -> Mix:
    """Values uniform in [lo, hi], rounded to the dtype (a loss's targets and variances:
    not an op's regions), and a ``pool`` of values taking as many draws."""
    t = DTYPES[dtype]

    def value(u):
        return np.clip((lo + u * (hi - lo)).astype(t).astype(np.float64), lo, hi)
    branches = (value, _pick(pool)) if pool else (value,)
    return Mix(dtype, np.arange(len(branches)), branches)


# ----------------------------------------------------------------------------- coverage

def classify(regions: Regions, dtype: str, x: np.ndarray) -> Counter:
    """How many values of ``x`` fell in each region: ordinary, a band's name, nan, inf,
    zero, or extreme (finite, outside both)."""
    x = np.asarray(x, np.float64).ravel()
    out = Counter()
    left = np.ones(x.shape, bool)
    for name, mask in (("nan", np.isnan(x)), ("inf", np.isinf(x)), ("zero", x == 0)):
        out[name] += int(mask.sum())
        left &= ~mask
    mag, sign = np.abs(x), np.sign(x)
    for bd in regions.bands:
        a, b = bd.bounds(dtype)
        m = left & (mag >= a) & (mag <= b) & np.isin(sign, bd.signs)
        out[bd.name] += int(m.sum())
        left &= ~m
    a, b = regions.ordinary
    m = left & (mag >= a) & (mag <= b) & np.isin(sign, regions.signs)
    out["ordinary"] += int(m.sum())
    out["extreme"] += int((left & ~m).sum())
    return +out


def by_job(results) -> dict:
    """(op, dtype) -> the coverage its job recorded, from parity.json's result rows (every
    row of a job records the same; training rows record none)."""
    out = {}
    for r in results:
        if r.get("coverage") is not None:
            out.setdefault((r["op"], r["dtype"]), r["coverage"])
    return out


def finite(cov) -> int:
    """How many of a coverage's values were finite (the shape and keyword entries aside)."""
    return sum(c for n, c in cov.items() if n not in ("nan", "inf", "zero-size")
               and not n.startswith("rank") and "=" not in n)


def shape_regions(*xs) -> set:
    """A case's shape edges: its largest rank, and whether any array is empty."""
    r = max(np.ndim(x) for x in xs)
    empty = {"zero-size"} if any(np.size(x) == 0 for x in xs) else set()
    return {f"rank {r}" if r < 4 else "rank 4-5"} | empty


def coverage(regions: Regions, dtype: str, case) -> Counter:
    """One case's regions: its values' (see ``classify``), its shapes' and its keyword
    arguments' ("axis=-1", "reduction='sum'": every axis, keepdims and reduction a run
    tried)."""
    out = sum((classify(regions, dtype, case.arrays[i]) for i in regions.args), Counter())
    out.update(shape_regions(*case.arrays))
    out.update(f"{k}={v!r}" for k, v in case.kwargs.items())
    return out


def edges(dtype: str) -> list:
    """Every band's edges (magnitudes) in a dtype: the accuracy sweep's grid holds them."""
    out = set()
    for bd in (SUBNORMAL, SATURATION, TANH_SATURATION, UNDERFLOW, TANH_UNDERFLOW, GELU_TAIL,
               GELU_ROOT, SILU_ROOT):
        for v in bd.bounds(dtype):
            if math.isfinite(v) and 0 < v <= _max(dtype):
                out.add(float(v))
    return sorted(out)
