"""Hypothesis strategies for op inputs: shapes, structures and the cases built from them.

A drawn ``Case`` holds the input arrays, the op's non-array arguments and a seed for
the cotangents (the upstream gradients fed to every backward).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from comparisons.ulp import finfo

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
    return float(finfo(dtype).max)


def rng(seed: int) -> np.random.Generator:
    """The generator of a case's values (its cotangents have the seed's own)."""
    return np.random.default_rng((seed, 1))


@st.composite
def case(draw, shapes: tuple, elems: tuple, kwargs: dict | None = None):
    """A Case: one array per shape, its values from a ``regions.Mix`` each, and the
    keyword arguments.

    The arrays are sampled whole from the case's one seed. A hypothesis draw per element
    cost more than running the case; a seed per array was no better: hypothesis copies
    a number it drew earlier in a case into later draws (a third of the arrays came out
    equal)."""
    seed = draw(seeds)
    values = rng(seed)
    return Case(tuple(e.sample(values, s) for s, e in zip(shapes, elems)), dict(kwargs or {}), seed)


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

# Pools of structures. jax compiles a program per input shape (10-70 ms each, against
# 0.01 ms for a call), and freely drawn shapes (rank 0-5, sides 0-3: 1365 of them, far
# more pairs) almost never repeat, so the ops that are not elementwise draw their
# structure (shapes, and the arguments that change the program: axis, keepdims,
# reduction) from a fixed pool of a dozen or so that covers every edge the free draws
# reach; each compiles once per run. The values stay freely drawn. Elementwise ops, which
# jax runs on one padded flat shape whatever the drawn one, keep ``shapes``. A run gives
# every entry of an op's pool its share of the examples (``registry.Op.structures``), so
# each edge is visited in every run, not as the draws fall.

# Mutually broadcastable pairs: equal shapes, a scalar against an array on either side,
# both sides broadcast, a rank difference, a zero-size axis broadcast, and rank 5 with
# 243 copies of a scalar summed in its gradient.
BROADCAST_PAIRS = (((), ()), ((3,), ()), ((), (2, 3)), ((2, 3), (2, 3)), ((2, 1), (1, 3)),
                   ((3,), (2, 3)), ((2, 3), (1,)), ((0, 3), (1, 3)), ((2, 1), (2, 0)),
                   ((1, 2, 1), (3, 1, 2)), ((3, 1, 2, 1, 3), (2, 1, 3)),
                   ((3, 3, 3, 3, 3), ()), ((1, 3, 1, 3, 1), (3, 1, 3, 1, 3)))


@st.composite
def unary(draw, elems, kwargs=None, shape=None):
    """One array of the given shape, or of any from rank 0 to 5 (zero-size axes
    included), and the op's keyword arguments."""
    return draw(case((draw(shapes) if shape is None else shape,), (elems,), kwargs))


def binary(shapes, elems_a, elems_b=None, kwargs=None):
    """Two arrays of the given mutually broadcastable shapes (an entry of ``BROADCAST_PAIRS``)."""
    return case(shapes, (elems_a, elems_a if elems_b is None else elems_b), kwargs)
