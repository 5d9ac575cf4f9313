"""The registry's inputs: each op's value domain, its pool of structures and the strategy
that draws its cases.

A domain is a function of the dtype -> (least, greatest) (None: unbounded), given to
``regions.Regions(domain=...)``. A structure is what changes the program a framework
compiles: the shapes, the axes, the keyword choices (strategies.py says why a pool).
An op's ``draw(dtype, regions, structure)`` is a hypothesis strategy of ``strategies.Case``.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from comparisons import DTYPES
from comparisons import regions as R
from comparisons import strategies as S


# ---------------------------------------------------------------------- keyword choices

DEFAULT = object()   # "call with the default": the canaries catch a wrong default


def _kw(**kw):
    return {k: v for k, v in kw.items() if v is not DEFAULT}


def choices(**options) -> tuple:
    """Every combination of the keyword choices, as the structures of an op with free
    shapes; a choice of ``DEFAULT`` leaves the keyword out (the canaries catch a wrong
    default).

    >>> choices(n=[1, 2], approximate=[True])
    ({'n': 1, 'approximate': True}, {'n': 2, 'approximate': True})
    """
    keys = list(options)
    return tuple(dict(zip(keys, vs)) for vs in itertools.product(*options.values()))


def named(pool, *keys) -> tuple:
    """A pool of (shape, argument...) rows as structures (shape, kwargs)."""
    return tuple((shape, dict(zip(keys, args))) for shape, *args in pool)


def paired(pool, **choices) -> tuple:
    """The structures of a loss: each (shape, reduction) entry of ``pool`` with the other
    keyword arguments, each choice's values taken in turn along the pool, so every value
    meets several shapes and reductions, and the pool stays the number of programs jax
    compiles (every combination would multiply it by every value): (shape, kwargs)."""
    return tuple((shape, _kw(reduction=reduction, **{k: v[i % len(v)] for k, v in choices.items()}))
                 for i, (shape, reduction) in enumerate(pool))


# ------------------------------------------------------------------------ the graph ops

def _bound_for_products(dtype):
    # |a*b| * |g| summed over <= 3**5 broadcast copies stays finite: the sum order
    # cannot decide between overflow and a finite answer.
    return math.sqrt(S.finite_max(dtype)) / 64


def products(dtype):
    b = _bound_for_products(dtype)
    return -b, b


def div_domain(dtype):
    # float16: each gradient term a/b**2 (<= 128 here) times up to 3**5 broadcast copies
    # stays below float16's max 65504: whether a sum of half-precision terms overflows
    # must not hang on the order of the additions.
    return (-8.0, 8.0) if dtype == "float16" else (-1e3, 1e3)


def div_inputs(dtype, r, shapes):
    # the divisor: the dividend's regions, kept off 0 (its own specials excepted)
    b = R.Regions(r.ordinary, domain=div_domain, least=0.25 if dtype == "float16" else 1e-3)
    return S.binary(shapes, R.values(r, dtype), R.values(b, dtype))


def exp_domain(dtype):
    return None, 0.95 * math.log(S.finite_max(dtype))   # keep clear of the overflow edge


def log_domain(dtype):
    # the smallest normal: frameworks that flush subnormal inputs take log(0) = -inf there
    return float(np.finfo(np.float16 if dtype == "float16" else np.float32).tiny), None


def unary(dtype, r, kwargs):
    """One array of any shape, the keyword arguments of the structure (a dict or None)."""
    return S.unary(R.values(r, dtype), _kw(**(kwargs or {})))


def binary(dtype, r, shapes):
    """Two arrays of the structure's pair of shapes (broadcast pairs, matmul operands)."""
    return S.binary(shapes, R.values(r, dtype))


def shaped(dtype, r, structure):
    """One array of the structure's shape, with its keyword arguments."""
    shape, kwargs = structure
    return S.unary(R.values(r, dtype), kwargs, shape)


# The graph ops' structures, the shape and the arguments that shape the program jax
# compiles (strategies.py says why they are pools): every rank, zero-size axes,
# size-1 axes, negative axes, tuples of axes, keepdims, the defaults, rank 5.
REPEAT_STRUCTURES = (((1,), 3, 0), ((3,), 0, 0), ((3,), 2, -1), ((0,), 2, 0), ((2, 3), 1, 1),
                     ((2, 3), 3, -2), ((3, 1), 2, 1), ((0, 2), 3, 1), ((1, 3, 2), 2, 1),
                     ((2, 0, 3), 0, 2), ((3, 2, 1, 2), 3, -1), ((1, 2, 3, 1, 2), 2, 3),
                     ((3, 3, 3, 3, 3), 2, 0))                       # (shape, n, axis)


BROADCAST_TO_STRUCTURES = (((), ()), ((), (3,)), ((), (2, 0)), ((1,), (3,)), ((1,), (0,)),
                           ((3,), (3,)), ((3,), (2, 3)), ((2, 1), (2, 3)), ((3, 1), (2, 3, 3)),
                           ((1, 1), (3, 0, 2)), ((2, 0, 3), (3, 2, 0, 3)),
                           ((1, 3, 1), (2, 1, 3, 2)), ((1, 2, 3, 1, 2), (3, 2, 3, 3, 2)),
                           ((1,), (3, 3, 3, 3, 3)))                 # (shape, new shape)


SUM_STRUCTURES = (((), None, False), ((), None, True), ((0,), None, False), ((3,), 0, False),
                  ((3,), -1, True), ((2, 3), None, True), ((2, 3), 1, False),
                  ((2, 3), (0, 1), False), ((3, 1), -2, True), ((0, 2), 0, True),
                  ((0, 2), 1, False), ((2, 0, 3), (0, 2), False), ((1, 3, 2), (2, 0), True),
                  ((3, 2, 1, 2), -3, False), ((1, 2, 3, 1, 2), None, False),
                  ((3, 3, 3, 3, 3), (1, 3), False), ((3, 3, 3, 3, 3), 4, True))   # (shape, axis, keepdims)


RESHAPE_STRUCTURES = (((), ()), ((), (1, 1)), ((0,), (0,)), ((3,), (3,)), ((2, 3), (6,)),
                      ((2, 3), (3, 2)), ((3, 1), (1, 3)), ((0, 2), (2, 0)), ((1, 3, 2), (6, 1)),
                      ((2, 0, 3), (0, 6)), ((3, 2, 1, 2), (2, 6, 1)), ((1, 2, 3, 1, 2), (12,)),
                      ((1, 2, 3, 1, 2), (2, 1, 3, 2, 1)), ((3, 3, 3, 3, 3), (9, 27)))


TRANSPOSE_STRUCTURES = (((), None), ((), ()), ((0,), None), ((3,), (0,)), ((2, 3), None),
                        ((2, 3), (1, 0)), ((3, 1), (0, 1)), ((0, 2), (1, 0)),
                        ((1, 3, 2), (2, 0, 1)), ((2, 0, 3), None), ((3, 2, 1, 2), (1, 3, 0, 2)),
                        ((1, 2, 3, 1, 2), None), ((1, 2, 3, 1, 2), (4, 2, 0, 3, 1)),
                        ((3, 3, 3, 3, 3), (0, 2, 1, 4, 3)))


# ----------------------------------------------------------------- vectors and matrices

MATMUL_VALUES = 100.0   # |x| of matmul's and dot's operands

# (A, B) shapes, a pool as in strategies.BROADCAST_PAIRS: vector . vector, vector @ matrix and
# matrix @ vector, an empty contraction (k = 0: a result of zeros), empty rows and
# columns, 1 x 1, batch axes broadcast on either side or both, a vector against a batch,
# rank 5; n, k, m up to 4.
MATMUL_SHAPES = (((3,), (3,)), ((0,), (0,)), ((4,), (4, 2)), ((2, 4), (4,)), ((2, 3), (3, 4)),
                 ((1, 1), (1, 1)), ((0, 3), (3, 2)), ((2, 0), (0, 3)), ((4, 3), (3, 0)),
                 ((2, 1, 3), (3, 2)), ((3, 4), (2, 4, 1)), ((3, 2, 4), (4,)),
                 ((2, 1, 2, 3), (1, 3, 3, 4)), ((2, 1, 3, 2, 4), (1, 3, 1, 4, 2)))


DOT_SIZES = tuple(range(7))


def dot_inputs(dtype, r, n):
    return S.binary(((n,), (n,)), R.values(r, dtype))


# (a shape, b shape, axis): broadcasting on either side or both, a zero-size axis reduced
# or kept, negative axes, rank 1 to 4.
COSINE_STRUCTURES = (((3,), (3,), 0), ((3,), (2, 3), -1), ((2, 3), (2, 3), 0), ((2, 3), (2, 3), 1),
                     ((2, 1), (1, 3), -1), ((2, 1), (1, 3), 0), ((2, 3), (1,), 1),
                     ((0, 3), (1, 3), 1), ((0, 3), (1, 3), 0), ((1, 2, 1), (3, 1, 2), 1),
                     ((1, 2, 1), (3, 1, 2), -3), ((3, 1, 2, 3), (2, 1, 3), 2))


def cosine_inputs(dtype, r, structure):
    shape_a, shape_b, axis = structure
    return S.binary((shape_a, shape_b), R.values(r, dtype), kwargs={"axis": axis})


# -------------------------------------------------------------------------- activations

def gelu_domain(dtype):
    b = S.finite_max(dtype) ** (1 / 3) / 2
    return -b, b


# (shape, axis; DEFAULT: the last): rank 1 to 4, rows of 1 and 0 elements, every axis.
SOFTMAX_STRUCTURES = (((1,), DEFAULT), ((3,), DEFAULT), ((3,), 0), ((0,), DEFAULT),
                      ((2, 3), DEFAULT), ((2, 3), 0), ((3, 1), -1), ((0, 2), 1), ((2, 0), 0),
                      ((1, 3, 2), 1), ((2, 0, 3), -1), ((3, 2, 1, 2), 0), ((3, 2, 1, 2), DEFAULT))


def softmax_inputs(dtype, r, structure):
    shape, axis = structure
    # a small pool of values makes ties (equal maxima) common; -inf is a masked logit.
    # +inf is left out: inf - inf makes every framework's row NaN (tf's partly 0).
    elems = R.values(r, dtype, specials=False, pool=(0.0, -0.0, 1.0, -1.0, 2.0, -math.inf, math.nan))
    return S.unary(elems, _kw(axis=axis), shape)


# ------------------------------------------------------------------------------- losses

# The losses' structures, (shape, reduction; DEFAULT: the default mean): each reduction
# on several ranks, a mean and a sum over nothing (0/0 and 0), rank 0 to 5.
LOSS_STRUCTURES = (((), DEFAULT), ((), "none"), ((0,), "mean"), ((0,), "sum"), ((3,), "sum"),
                   ((3,), "none"), ((2, 3), DEFAULT), ((3, 1), "mean"), ((0, 2), "none"),
                   ((1, 3, 2), "sum"), ((2, 0, 3), "mean"), ((3, 2, 1, 2), "mean"),
                   ((1, 2, 3, 1, 2), "none"), ((3, 3, 3, 3, 3), "mean"), ((3, 3, 3, 3, 3), "sum"))


def regression_domain(dtype):
    # (y - t)^2 summed over up to 3**5 elements stays finite, in any order of addition
    b = math.sqrt(S.finite_max(dtype) / 1024) / 2
    return -b, b


@st.composite
def pair_loss(draw, dtype, r, structure):
    shape, kwargs = structure
    case = draw(S.case((shape, shape), (R.values(r, dtype),) * 2, kwargs))
    y, t = case.arrays
    if draw(st.booleans()):   # t equal to y: the kink of mae, d = 0
        t = y.copy()
    return S.Case((y, t), case.kwargs, case.seed)


def probabilities(dtype):
    return 1e-3, 0.99 if dtype == "bfloat16" else 1 - 1e-3   # 0.999 rounds to 1 in bfloat16


def bce_inputs(dtype, r, structure):
    shape, kwargs = structure
    # targets: hard labels 0 and 1 half the time, else anywhere in [0, 1]
    return S.case((shape, shape), (R.values(r, dtype), R.uniform(dtype, 0.0, 1.0, pool=(0.0, 1.0))),
                  kwargs)


# (batch shape, classes, reduction) for cross_entropy and nll: rank 0 to 2 batches, one
# class, empty batches.
CLASS_STRUCTURES = (((), 1, DEFAULT), ((), 3, "none"), ((0,), 3, "mean"), ((0,), 2, "sum"),
                    ((1,), 4, "sum"), ((3,), 2, DEFAULT), ((3,), 4, "none"), ((2, 3), 3, "mean"),
                    ((3, 1), 1, "sum"), ((0, 2), 4, "none"), ((2, 3), 2, "none"),
                    ((3,), 3, "mean"))


# (batch shape, classes, reduction) with one-hot (False) or soft (True) targets in turn
CLASS_POOL = tuple((s, i % 2 == 1) for i, s in enumerate(CLASS_STRUCTURES))


def class_domain(dtype):
    b = 1e3 if dtype == "float16" else 1e4   # float16: the sum of 9 losses stays finite
    return -b, b


@st.composite
def class_inputs(draw, dtype, r, structure, logits=True):
    (batch, c, reduction), soft = structure
    if logits:   # ties too
        el = R.values(r, dtype, pool=(0.0, 1.0, -1.0))
    else:        # log-probabilities
        el = R.values(r, dtype)
    case = draw(S.case((batch + (c,),), (el,), _kw(reduction=reduction)))
    if logits and soft:   # one-hot or soft targets, rows summing to 1
        w = draw(hnp.arrays(np.float64, batch + (c,), elements=st.floats(0, 1)))
        w[..., 0] += 1e-3
        t = (w / w.sum(axis=-1, keepdims=True)).astype(DTYPES[dtype])
    else:
        t = draw(hnp.arrays(np.int64, batch, elements=st.integers(0, c - 1)))
    return S.Case(case.arrays + (t,), case.kwargs, case.seed)


nll_inputs = functools.partial(class_inputs, logits=False)   # log-probabilities, class indices


def gaussian_nll_domain(dtype):
    # float16: (mu - t)^2 / var^2 stays below 65504 (frameworks compute it in float16)
    b = 4.0 if dtype == "float16" else 100.0
    return -b, b


def gaussian_nll_inputs(dtype, r, structure):
    shape, kwargs = structure
    b = gaussian_nll_domain(dtype)[1]
    lo = 0.25 if dtype == "float16" else 0.0
    # var at its least half the time: 0 is clamped to eps
    return S.case((shape,) * 3, (R.values(r, dtype), R.uniform(dtype, -b, b), R.uniform(dtype, lo, b, pool=(lo,))),
                  kwargs)
