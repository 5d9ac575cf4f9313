"""Compare one array with the reference, element by element, and the tolerances it is held to.

Shapes and dtypes must match exactly; NaN, +-inf and signed zeros must sit at the same
positions; finite values pass within ``atol + rtol * scale`` (the tolerances from
tolerances.toml, the scale from the op's yardstick, yardsticks.py). A mismatch says what
kind it is, so the classification (classify.py) can tell a flush to zero or a zero's sign
from a wrong value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from comparisons.ulp import finfo, ulp, ulps_off

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

# The most terms any sum here adds (a rank-5 array of sides 3): each subnormal term a
# flushing framework loses is below the dtype's smallest normal, so a sum's flush costs
# at most MAX_TERMS of them.
MAX_TERMS = 3 ** 5
TOLERANCES_FILE = Path(__file__).with_name("tolerances.toml")


def load_tolerances(path: Path = TOLERANCES_FILE) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


_TOL = load_tolerances()


def tolerance(op: str, dtype: str, check: str, table: dict | None = None) -> tuple[float, float]:
    """(rtol, atol) for an op, dtype and check: the per-op override if any, else the default."""
    table = table or _TOL
    for o in table.get("override", []):
        if o["op"] == op and o["dtype"] == dtype and o["check"] == check:
            return float(o["rtol"]), float(o["atol"])
    t = table[check][dtype]
    return float(t["rtol"]), float(t["atol"])


@dataclass
class Comparison:
    ok: bool
    max_abs_err: float = 0.0
    max_rel_err: float = 0.0
    max_ulp: float = 0.0
    tol_ratio: float = 0.0     # max |err| / (atol + rtol * scale): <= 1 passes
    why: str = ""
    # What kind of mismatch: "" (none), "shape", "dtype", "nan", "inf", "value";
    # "subnormal" when every bad element is below the smallest normal in both (a flush
    # to zero), "zero_sign" when the only difference is the sign of exact zeros.
    kind: str = ""


_INF = dict(max_abs_err=math.inf, max_rel_err=math.inf, max_ulp=math.inf, tol_ratio=math.inf)


def compare(ref, got, dtype: str, rtol: float, atol: float, scale=None,
            kink=None) -> Comparison:
    """Compare one array with the reference (see ``_compare``). ``kink`` marks elements
    where the derivative is undefined (a kink, a NaN input): a gradient that differs
    only there is a choice, reported as kind "kink"."""
    c = _compare(ref, got, dtype, rtol, atol, scale)
    if c.ok or kink is None or c.kind in ("shape", "dtype"):
        return c
    kink = np.broadcast_to(np.asarray(kink, bool), np.shape(ref))
    if not kink.any():
        return c
    masked = np.where(kink, ref, got).astype(np.asarray(got).dtype)
    rest = _compare(ref, masked, dtype, rtol, atol, scale)
    if rest.ok:
        c.kind = "kink"
        return c
    return rest   # a mismatch away from the kinks is the one to report


def _compare(ref, got, dtype: str, rtol: float, atol: float, scale=None) -> Comparison:
    """Compare one array with the reference.

    Shapes and dtypes must match exactly; NaN, +-inf and signed zeros must sit at the
    same positions; finite values pass when |got - ref| <= atol + rtol * scale, with
    scale = |ref| unless the op gives a larger yardstick (sums of many terms).
    """
    ref, got = np.asarray(ref), np.asarray(got)
    if got.shape != ref.shape:
        return Comparison(False, **_INF, why=f"shape {got.shape} != reference shape {ref.shape}",
                          kind="shape")
    if got.dtype != ref.dtype:
        return Comparison(False, **_INF, why=f"dtype {got.dtype} != reference dtype {ref.dtype}",
                          kind="dtype")
    if ref.size == 0:
        return Comparison(True)
    r, g = ref.astype(np.float64), got.astype(np.float64)

    def at(mask, what, kind, **errs):
        i = tuple(int(k) for k in np.argwhere(mask)[0])
        return Comparison(False, **(errs or _INF), kind=kind,
                          why=f"{what} at {i}: reference {r[i]!r}, got {g[i]!r}")

    nan_r = np.isnan(r)
    if (nan_r != np.isnan(g)).any():
        return at(nan_r != np.isnan(g), "NaN mismatch", "nan")
    inf = ~nan_r & (np.isinf(r) | np.isinf(g))
    if (inf & (r != g)).any():
        return at(inf & (r != g), "inf mismatch", "inf")
    fin = ~nan_r & ~inf
    s = yardstick(scale, r)
    # Overflow here only makes a ratio infinite, which is the right verdict: silence it.
    with np.errstate(all="ignore"):
        d = np.where(fin, np.abs(g - np.where(fin, r, 0)), 0.0)
        bound = atol + rtol * s
        ratio = np.where(bound > 0, d / np.where(bound > 0, bound, 1), np.where(d > 0, np.inf, 0))
        rel = np.where(np.abs(r) > 0, d / np.abs(r), np.where(d > 0, np.inf, 0))
        ratio, rel = np.where(fin, ratio, 0), np.where(fin, rel, 0)
        # ULPs of the yardstick: for a sum, a unit of the terms' size, not of a result
        # that cancelled to zero.
        ulps = np.where(fin, ulps_off(g, r, ulp(np.where(fin, s, 0), dtype)), 0)
    errs = dict(max_abs_err=float(d.max()), max_rel_err=float(rel.max()),
                max_ulp=float(ulps.max()), tol_ratio=float(ratio.max()))
    bad = fin & (ratio > 1.0)
    if bad.any():
        tiny = float(finfo(dtype).tiny)
        # A flush to zero of the result itself ("subnormal"), or possibly of subnormal terms
        # of a sum ("flushed_terms": each term lost is below `tiny`, and no sum here has
        # more than 3**5 = 243 terms); convention_for accepts the latter for sums only.
        flushed = bad & (np.abs(r) < tiny) & (np.abs(g) < tiny)
        terms = bad & (d <= MAX_TERMS * tiny)
        if (flushed == bad).all():
            kind = "subnormal"
        elif (terms == bad).all():
            kind = "flushed_terms"
        else:
            kind = "value"
        # shown: the worst element a flush does not explain, where there is one
        shown = bad & ~(flushed | terms) if kind == "value" else bad
        i = tuple(int(k) for k in np.argwhere(shown)[np.argmax(ratio[shown])])
        return Comparison(False, **errs, kind=kind, why=(
            f"at {i}: reference {r[i]!r}, got {g[i]!r}, |err| {d[i]:.3g} > "
            f"atol {atol:g} + rtol {rtol:g} * scale {s[i]:.3g}"))
    zs = (r == 0) & (g == 0) & (np.signbit(r) != np.signbit(g))
    if zs.any():
        return at(zs, "signed-zero mismatch", "zero_sign", **errs)
    return Comparison(True, **errs)


def yardstick(scale, ref):
    """An element's error yardstick as an array: the op's scale, or |ref|."""
    r = np.abs(np.asarray(ref).astype(np.float64))
    return r if scale is None else np.broadcast_to(np.abs(np.asarray(scale, np.float64)), r.shape)


def close(ref, got, rtol, atol, scale, signed=True):
    """Per element: got meets ref within atol + rtol * scale (NaN meets NaN, inf itself,
    and, if ``signed``, a zero only the zero of its sign)."""
    r, g = np.asarray(ref).astype(np.float64), np.asarray(got).astype(np.float64)
    with np.errstate(all="ignore"):
        near = (np.isnan(r) & np.isnan(g)) | (r == g) | (np.abs(g - r) <= atol + rtol * scale)
    if not signed:
        return near
    return near & ~((r == 0) & (g == 0) & (np.signbit(r) != np.signbit(g)))
