"""Every refimpl op of graph.py and tensors.py, for the numpy-only tests: how to draw
its inputs (hypothesis), the refimpl function, and an independent numpy forward.

tests/test_refimpl_grad.py runs the table; the conformance suite has its own, richer one
(comparisons/registry.py), which draws across dtypes and regions.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import refimpl

# ============================================================================ strategies

MAX_DIMS, MAX_SIDE = 5, 3
SHAPES = hnp.array_shapes(min_dims=0, max_dims=MAX_DIMS, min_side=0, max_side=MAX_SIDE)
PAIRS = hnp.mutually_broadcastable_shapes(
    num_shapes=2, min_dims=0, max_dims=MAX_DIMS, min_side=0, max_side=MAX_SIDE
)


def floats(lo: float, hi: float):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


MODERATE = floats(-10, 10)
POSITIVE = floats(0.5, 10)                       # log's and pow's domain, away from 0
AWAY_FROM_ZERO = floats(0.5, 10) | floats(-10, -0.5)  # divisors, cosine-similarity entries


def arrays(shape, elements=MODERATE):
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def unary(draw, elements=MODERATE):
    return (draw(arrays(SHAPES, elements)),), {}


@st.composite
def binary(draw, a_elements=MODERATE, b_elements=MODERATE):
    a_shape, b_shape = draw(PAIRS).input_shapes
    return (draw(arrays(a_shape, a_elements)), draw(arrays(b_shape, b_elements))), {}


@st.composite
def pow_case(draw):
    c = draw(st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0]) | floats(-3, 3))
    return (draw(arrays(SHAPES, POSITIVE)),), {"c": c}


@st.composite
def branch_case(draw):
    return (draw(arrays(SHAPES)),), {"n": draw(st.integers(1, 3))}


@st.composite
def repeat_case(draw):
    x = draw(arrays(hnp.array_shapes(min_dims=1, max_dims=MAX_DIMS, min_side=0, max_side=MAX_SIDE)))
    return (x,), {"n": draw(st.integers(0, 3)), "axis": draw(st.integers(-x.ndim, x.ndim - 1))}


@st.composite
def broadcast_to_case(draw):
    target = draw(SHAPES)
    shape = draw(
        hnp.broadcastable_shapes(target, min_dims=0, max_dims=len(target), min_side=0,
                                 max_side=MAX_SIDE)
        .filter(lambda s: np.broadcast_shapes(s, target) == target)
    )
    return (draw(arrays(shape)),), {"shape": target}


def _axis_strategy(ndim: int):
    ints = st.integers(-ndim, ndim - 1) if ndim else st.nothing()
    return st.none() | ints | hnp.valid_tuple_axes(ndim)


@st.composite
def sum_case(draw):
    x = draw(arrays(SHAPES))
    return (x,), {"axis": draw(_axis_strategy(x.ndim)), "keepdims": draw(st.booleans())}


@st.composite
def reshape_case(draw):
    x = draw(arrays(SHAPES))
    out = []
    for side in draw(st.permutations(x.shape)):   # shuffle the sides, then merge neighbours
        if out and draw(st.booleans()):
            out[-1] *= side
        else:
            out.append(side)
    for _ in range(draw(st.integers(0, 2))):       # and insert a few 1s
        out.insert(draw(st.integers(0, len(out))), 1)
    if x.size and out and draw(st.booleans()):     # -1 is ambiguous only for size 0
        out[draw(st.integers(0, len(out) - 1))] = -1
    return (x,), {"shape": tuple(out)}


@st.composite
def transpose_case(draw):
    x = draw(arrays(SHAPES))
    perm = draw(st.permutations(range(x.ndim)))
    # each axis may be named by its negative alias, as numpy allows
    axes = tuple(draw(st.sampled_from([a, a - x.ndim])) for a in perm)
    return (x,), {"axes": draw(st.none() | st.just(axes))}


@st.composite
def matmul_case(draw):
    # numpy's own gufunc signature for matmul, "(n?,k),(k,m?)->(n?,m?)": a rank-1 operand is a
    # row (left) or a column (right); batch axes broadcast. (k,) @ (k,) has its own entry.
    a_shape, b_shape = draw(
        hnp.mutually_broadcastable_shapes(
            signature=np.matmul.signature, max_dims=3, min_side=0, max_side=MAX_SIDE
        ).map(lambda s: s.input_shapes).filter(lambda s: len(s[0]) + len(s[1]) > 2)
    )
    return (draw(arrays(a_shape)), draw(arrays(b_shape))), {}


@st.composite
def dot_case(draw):
    n = draw(st.integers(0, 6))
    return (draw(arrays((n,))), draw(arrays((n,)))), {}


@st.composite
def cosine_case(draw):
    shapes = hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=1, max_dims=MAX_DIMS, min_side=0, max_side=MAX_SIDE
    )
    a_shape, b_shape = draw(shapes).input_shapes
    out = np.broadcast_shapes(a_shape, b_shape)
    axis = draw(st.integers(-len(out), len(out) - 1).filter(lambda ax: out[ax] >= 1))
    a = draw(arrays(a_shape, AWAY_FROM_ZERO))
    b = draw(arrays(b_shape, AWAY_FROM_ZERO))
    return (a, b), {"axis": axis}


# ===================================================================== numpy references

def _ref_cosine(a, b, axis):
    a, b = np.broadcast_arrays(a, b)
    return np.sum(a * b, axis=axis) / (
        np.sqrt(np.sum(a * a, axis=axis)) * np.sqrt(np.sum(b * b, axis=axis))
    )


def _ref_matmul(a, b):
    # an independent einsum formulation of (..., n, k) @ (..., k, m) -> (..., n, m)
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    a2 = np.broadcast_to(a2, batch + a2.shape[-2:])
    b2 = np.broadcast_to(b2, batch + b2.shape[-2:])
    y = np.einsum("...nk,...km->...nm", a2, b2)
    if a.ndim == 1:
        y = y[..., 0, :]
    if b.ndim == 1:
        y = y[..., 0]
    return y


# ================================================================================ table

class Op(NamedTuple):
    case: st.SearchStrategy        # draws (inputs, params)
    fn: Callable                   # the refimpl op: fn(*inputs, **params)
    ref: Callable                  # independent numpy forward: ref(*inputs, **params)


OPS = {
    "add": Op(binary(), refimpl.add, np.add),
    "sub": Op(binary(), refimpl.sub, np.subtract),
    "mul": Op(binary(), refimpl.mul, np.multiply),
    "div": Op(binary(b_elements=AWAY_FROM_ZERO), refimpl.div, np.divide),
    "neg": Op(unary(), refimpl.neg, np.negative),
    "pow": Op(pow_case(), refimpl.pow, lambda x, c: x ** c),
    "exp": Op(unary(), refimpl.exp, np.exp),
    "log": Op(unary(POSITIVE), refimpl.log, np.log),
    "branch": Op(branch_case(), refimpl.branch, lambda x, n: (x,) * n),
    "repeat": Op(repeat_case(), refimpl.repeat, lambda x, n, axis: np.repeat(x, n, axis)),
    "broadcast_to": Op(broadcast_to_case(), refimpl.broadcast_to, np.broadcast_to),
    "sum": Op(sum_case(), refimpl.sum, np.sum),
    "reshape": Op(reshape_case(), refimpl.reshape, np.reshape),
    "transpose": Op(transpose_case(), refimpl.transpose, np.transpose),
    "matmul": Op(matmul_case(), refimpl.matmul, _ref_matmul),
    "matmul_vector_vector": Op(dot_case(), refimpl.matmul, _ref_matmul),
    "dot": Op(dot_case(), refimpl.dot, lambda a, b: np.sum(a * b)),
    "cosine_similarity": Op(cosine_case(), refimpl.cosine_similarity, _ref_cosine),
}

def op_params(xfail=None):
    """The op names, for parametrize; ``xfail`` maps a name to a known-bug marker."""
    xfail = xfail or {}
    return [pytest.param(name, marks=xfail.get(name, ()), id=name) for name in OPS]
