"""The grids of the accuracy sweep: the floats of a dtype at which each op is measured.

One grid for every op (``comparisons.truth`` says what it holds and why): linear near 0,
log-spaced magnitudes from the smallest subnormal to the largest finite value with both
signs, and the places where trouble is known to sit (saturation and underflow edges, the
roots of the derivatives of GELU, tanh-GELU and SiLU, the edges of the bands the
conformance draws visit), each with its neighbours. Some ops take a part of it (positive,
nonzero) or a grid of their own (probabilities, variances).
``columns``/``inputs`` turn a ``Sweep`` into its swept columns and the op's arrays.
"""

from __future__ import annotations

import math

import numpy as np

from comparisons import regions
from comparisons.sweeps import M, Sweep, _dgelu_tanh, _phi, _Phi, _sig

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
