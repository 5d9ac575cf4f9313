"""Hypothesis strategies for op inputs: shapes, values and the dtype they are drawn in.

A drawn ``Case`` holds the input arrays, the op's non-array arguments and a seed for
the cotangents (the upstream gradients fed to every backward).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from comparisons import DTYPES

SPECIALS = (math.nan, math.inf, -math.inf, 0.0, -0.0)
MAX_SIDE = 3


@dataclass
class Case:
    arrays: tuple
    kwargs: dict = field(default_factory=dict)
    seed: int = 0

    def cotangents(self, outputs):
        """One upstream gradient per output, uniform in [-1, 1], in the output's dtype.

        They come from the case's seed, so a case is reproduced from its fields alone.
        """
        rng = np.random.default_rng(self.seed)
        return [rng.uniform(-1.0, 1.0, np.shape(y)).astype(np.asarray(y).dtype) for y in outputs]


def finite_max(dtype: str) -> float:
    return float(np.finfo(DTYPES[dtype]).max) if dtype != "bfloat16" else 3.3895313892515355e38


def elements(dtype: str, lo: float | None = None, hi: float | None = None, *,
             specials: bool = False, min_magnitude: float = 0.0):
    """Values representable in ``dtype``, within [lo, hi] (default: every finite value).

    ``min_magnitude`` keeps values away from zero (sign drawn separately); ``specials``
    mixes NaN, +-inf and +-0 in. bfloat16 values are drawn as float32 and rounded.
    """
    width = {"float16": 16, "bfloat16": 32, "float32": 32, "float64": 64}[dtype]
    top = finite_max(dtype)
    lo = _inward(-top if lo is None else max(lo, -top), width, up=True)
    hi = _inward(top if hi is None else min(hi, top), width, up=False)
    min_magnitude = _inward(min_magnitude, width, up=True)
    if min_magnitude > 0:
        mag = st.floats(min_magnitude, max(abs(lo), abs(hi)), width=width)
        base = st.tuples(mag, st.booleans()).map(lambda t: -t[0] if t[1] else t[0]).filter(
            lambda v: lo <= v <= hi)
    else:
        base = st.floats(lo, hi, width=width, allow_subnormal=False)
    if specials:
        base = st.one_of(base, st.sampled_from(SPECIALS))
    return base


def _inward(v: float, width: int, up: bool) -> float:
    """``v`` rounded to the nearest float of ``width`` bits on the inside of the bound
    (hypothesis wants bounds that the drawn width represents exactly)."""
    t = {16: np.float16, 32: np.float32, 64: np.float64}[width]
    r = t(v)
    if up and float(r) < v:
        r = np.nextafter(r, t(np.inf))
    elif not up and float(r) > v:
        r = np.nextafter(r, t(-np.inf))
    return float(r)


def _cast(a: np.ndarray, dtype: str) -> np.ndarray:
    return np.asarray(a).astype(DTYPES[dtype])


def arrays(dtype: str, shape, elems):
    """An array of ``dtype`` with the given shape (a tuple or a strategy of tuples).

    Every element is drawn for itself (``fill=nothing``): by default hypothesis fills most
    of an array with one value, and the shares of the regions (comparisons/regions.py)
    would be those of that one value."""
    draw_dtype = np.float32 if dtype == "bfloat16" else DTYPES[dtype]
    return hnp.arrays(draw_dtype, shape, elements=elems, fill=st.nothing()).map(lambda a: _cast(a, dtype))


@st.composite
def _shapes(draw):
    """Rank 0 to 5, sides 1 to ``MAX_SIDE`` each as likely, and 1 in 10 a zero-size array
    (one side 0). Hypothesis's own ``array_shapes`` leans to small sides and empty arrays
    (four draws in ten had no element at all), and values, not shapes, are what an
    elementwise op's verdict rests on."""
    shape = tuple(draw(st.lists(st.sampled_from(range(1, MAX_SIDE + 1)), max_size=5)))
    if shape and draw(st.integers(0, 9)) == 0:
        i = draw(st.integers(0, len(shape) - 1))
        shape = shape[:i] + (0,) + shape[i + 1:]
    return shape


shapes = _shapes()
seeds = st.integers(0, 2**32 - 1)

# Pools of shapes. jax compiles a program per input shape (10-70 ms each, against
# 0.01 ms for a call), and freely drawn shapes (rank 0-5, sides 0-3: 1365 of them, far
# more pairs) almost never repeat, so the ops that are not elementwise draw their
# structure (shapes, and the arguments that change the program: axis, keepdims,
# reduction) from a fixed pool of a dozen or so that covers every edge the free draws
# reach; each compiles once per run. The values stay freely drawn. Elementwise ops, which
# jax runs on one padded flat shape whatever the drawn one, keep ``shapes``.

# Mutually broadcastable pairs: equal shapes, a scalar against an array on either side,
# both sides broadcast, a rank difference, a zero-size axis broadcast, and rank 5 with
# 243 copies of a scalar summed in its gradient.
BROADCAST_PAIRS = (((), ()), ((3,), ()), ((), (2, 3)), ((2, 3), (2, 3)), ((2, 1), (1, 3)),
                   ((3,), (2, 3)), ((2, 3), (1,)), ((0, 3), (1, 3)), ((2, 1), (2, 0)),
                   ((1, 2, 1), (3, 1, 2)), ((3, 1, 2, 1, 3), (2, 1, 3)),
                   ((3, 3, 3, 3, 3), ()), ((1, 3, 1, 3, 1), (3, 1, 3, 1, 3)))


def unary(dtype, elems, **kwargs):
    """One array of any shape from rank 0 to 5 (zero-size axes included)."""
    return st.builds(lambda x, s: Case((x,), dict(kwargs), s), arrays(dtype, shapes, elems), seeds)


@st.composite
def binary(draw, dtype, elems_a, elems_b=None):
    """Two arrays of mutually broadcastable shapes (``BROADCAST_PAIRS``)."""
    shape_a, shape_b = draw(st.sampled_from(BROADCAST_PAIRS))
    a = draw(arrays(dtype, shape_a, elems_a))
    b = draw(arrays(dtype, shape_b, elems_a if elems_b is None else elems_b))
    return Case((a, b), {}, draw(seeds))
