"""The registry: one table, op name -> numpy reference, input domain, kinks, twins.

Adding an op is adding one ``Op(...)`` line below: the conformance tests and the
report iterate over ``OPS`` and pick it up with no other change.

How errors are judged (``harness.compare``): an element passes when
``|got - ref| <= atol + rtol * scale``. ``scale`` is ``|ref|`` for ops that are rounded
once per element. For ops that add many terms (a sum, a matrix product, a gradient
summed over broadcast axes) the frameworks add in different orders, and the honest
yardstick is the size of the terms, not of their (possibly cancelling) sum; there
``scale`` is the same computation on absolute values: ``sum(|x|)``, ``|A| @ |B|``.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import refimpl
from comparisons import FRAMEWORKS
from comparisons import strategies as S

ALL_DTYPES = ("float16", "bfloat16", "float32", "float64")


@dataclass(frozen=True)
class Op:
    name: str                      # the refimpl function's name, and every twin's
    module: str                    # refimpl.<module>, comparisons.<framework>.<module>
    concept: str                   # the concept it teaches (report grouping)
    inputs: Callable               # dtype -> hypothesis strategy of strategies.Case
    dtypes: tuple = ALL_DTYPES
    kinks: tuple = ()              # inputs where the derivative is not defined
    # How big an error may be is measured against: "value" (|ref|), "abs" (the same op on
    # |inputs|, for sums of terms) or a callable(case, dtype) -> list of arrays.
    forward_scale: object = "value"
    grad_scale: object = "abs"
    unsupported: dict = field(default_factory=dict)   # framework -> {dtype: reason}
    # (framework, dtype, check) -> why: a measured framework defect. The harness still
    # says `fail` (with its repro) and the report shows it; the tests expect it.
    known_failures: dict = field(default_factory=dict)
    domain: str = ""               # the input domain, in words, for the report

    @property
    def reference(self):
        return getattr(importlib.import_module(f"refimpl.{self.module}"), self.name)

    def twin(self, framework: str):
        """The framework's twin (imports the framework; raises ImportError if missing)."""
        return getattr(importlib.import_module(f"comparisons.{framework}.{self.module}"), self.name)


# ------------------------------------------------------------------- input domains

def _bound_for_products(dtype):
    # |a*b| * |g| summed over <= 3**5 broadcast copies stays finite: the sum order
    # cannot decide between overflow and a finite answer.
    return math.sqrt(S.finite_max(dtype)) / 64


def _full(dtype):
    return S.elements(dtype, specials=True)


def _products(dtype):
    b = _bound_for_products(dtype)
    return S.elements(dtype, -b, b, specials=True)


def _div_inputs(dtype):
    if dtype == "float16":
        # Each gradient term a/b**2 (<= 128 here) times up to 3**5 broadcast copies stays
        # below float16's max 65504: whether a sum of half-precision terms overflows
        # must not hang on the order of the additions.
        return S.binary(dtype, S.elements(dtype, -8.0, 8.0, specials=True),
                        S.elements(dtype, -8.0, 8.0, min_magnitude=0.25, specials=True))
    return S.binary(dtype, S.elements(dtype, -1e3, 1e3, specials=True),
                    S.elements(dtype, -1e3, 1e3, min_magnitude=1e-3, specials=True))


def _pow_inputs(dtype):
    return st.builds(lambda x, c, s: S.Case((x,), {"c": c}, s),
                     S.arrays(dtype, S.shapes, S.elements(dtype, 0.1, 10.0)),
                     st.sampled_from([-1.0, 0.5, 2.0, 3.0]), S.seeds)


def _exp_inputs(dtype):
    top = 0.95 * math.log(S.finite_max(dtype))   # keep clear of the overflow edge
    return S.unary(dtype, S.elements(dtype, -top, top, specials=True))


def _log_inputs(dtype):
    tiny = float(np.finfo(np.float16 if dtype == "float16" else np.float32).tiny)
    return S.unary(dtype, S.elements(dtype, tiny, None, specials=True))


@st.composite
def _branch_inputs(draw, dtype):
    x = draw(S.arrays(dtype, S.shapes, _full(dtype)))
    return S.Case((x,), {"n": draw(st.integers(1, 3))}, draw(S.seeds))


@st.composite
def _repeat_inputs(draw, dtype):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=5, min_side=0, max_side=S.MAX_SIDE))
    x = draw(S.arrays(dtype, shape, _full(dtype)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return S.Case((x,), {"n": draw(st.integers(0, 3)), "axis": axis}, draw(S.seeds))


@st.composite
def _broadcast_to_inputs(draw, dtype):
    x = draw(S.arrays(dtype, S.shapes, _full(dtype)))
    new = draw(st.lists(st.integers(0, S.MAX_SIDE), max_size=5 - x.ndim))
    own = [draw(st.integers(0, S.MAX_SIDE)) if n == 1 else n for n in x.shape]
    return S.Case((x,), {"shape": tuple(new) + tuple(own)}, draw(S.seeds))


@st.composite
def _sum_inputs(draw, dtype):
    x = draw(S.arrays(dtype, S.shapes, S.elements(dtype, -1e4, 1e4, specials=True)))
    choices = [st.none()]
    if x.ndim:
        choices += [st.integers(-x.ndim, x.ndim - 1),
                    st.lists(st.integers(0, x.ndim - 1), min_size=1, unique=True).map(tuple)]
    axis = draw(st.one_of(choices))
    return S.Case((x,), {"axis": axis, "keepdims": draw(st.booleans())}, draw(S.seeds))


@st.composite
def _reshape_inputs(draw, dtype):
    x = draw(S.arrays(dtype, S.shapes, _full(dtype)))
    dims = list(draw(st.permutations(x.shape)))
    merged = []   # merge some neighbours: same size, different rank
    for d in dims:
        if merged and draw(st.booleans()):
            merged[-1] *= d
        else:
            merged.append(d)
    return S.Case((x,), {"shape": tuple(merged)}, draw(S.seeds))


@st.composite
def _transpose_inputs(draw, dtype):
    x = draw(S.arrays(dtype, S.shapes, _full(dtype)))
    axes = draw(st.one_of(st.none(), st.permutations(range(x.ndim)).map(tuple)))
    return S.Case((x,), {"axes": axes}, draw(S.seeds))


_MATMUL_VALUES = 100.0


@st.composite
def _matmul_inputs(draw, dtype):
    bs = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                max_side=S.MAX_SIDE))
    n, k, m = (draw(st.integers(0, 4)) for _ in range(3))
    a_shape = (k,) if draw(st.integers(0, 4)) == 0 else bs.input_shapes[0] + (n, k)
    b_shape = (k,) if draw(st.integers(0, 4)) == 0 else bs.input_shapes[1] + (k, m)
    elems = S.elements(dtype, -_MATMUL_VALUES, _MATMUL_VALUES)
    return S.Case((draw(S.arrays(dtype, a_shape, elems)), draw(S.arrays(dtype, b_shape, elems))),
                  {}, draw(S.seeds))


@st.composite
def _dot_inputs(draw, dtype):
    n = draw(st.integers(0, 6))
    elems = S.elements(dtype, -_MATMUL_VALUES, _MATMUL_VALUES)
    return S.Case((draw(S.arrays(dtype, (n,), elems)), draw(S.arrays(dtype, (n,), elems))),
                  {}, draw(S.seeds))


@st.composite
def _cosine_inputs(draw, dtype):
    bs = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=4,
                                                max_side=S.MAX_SIDE))
    elems = S.elements(dtype, -10.0, 10.0, min_magnitude=0.1)
    a = draw(S.arrays(dtype, bs.input_shapes[0], elems))
    b = draw(S.arrays(dtype, bs.input_shapes[1], elems))
    axis = draw(st.integers(-len(bs.result_shape), len(bs.result_shape) - 1))
    return S.Case((a, b), {"axis": axis}, draw(S.seeds))


def _cosine_scale(case, dtype, outputs, cotangents):
    """Error yardsticks for cosine_similarity: the dot product of the normalised |a|, |b|
    (forward), and |g| (|v| + |cos| |u|) / |a| for the gradient (no cancellation)."""
    a, b = (x.astype(np.float64) for x in case.arrays)
    axis = case.kwargs.get("axis", -1)
    shape = np.broadcast_shapes(a.shape, b.shape)
    a, b = np.broadcast_to(a, shape), np.broadcast_to(b, shape)
    na = np.maximum(np.linalg.norm(a, axis=axis, keepdims=True), 1e-8)
    nb = np.maximum(np.linalg.norm(b, axis=axis, keepdims=True), 1e-8)
    u, v = np.abs(a) / na, np.abs(b) / nb
    fwd = np.sum(u * v, axis=axis)
    if cotangents is None:
        return [fwd]
    g = np.abs(np.expand_dims(cotangents[0].astype(np.float64), axis))
    c = np.abs(np.sum(a / na * b / nb, axis=axis, keepdims=True))
    da = refimpl.sum_to(g * (v + c * u) / na, case.arrays[0].shape)
    db = refimpl.sum_to(g * (u + c * v) / nb, case.arrays[1].shape)
    return [da, db]


# ----------------------------------------------------------------------- the table

_G = "chain rule and the computational graph"
_T = "vectors and matrices"

OPS_LIST = [
    Op("add", "graph", _G, lambda d: S.binary(d, _full(d)), domain="every value, NaN and +-inf"),
    Op("sub", "graph", _G, lambda d: S.binary(d, _full(d)), domain="every value, NaN and +-inf"),
    Op("neg", "graph", _G, lambda d: S.unary(d, _full(d)), domain="every value, NaN and +-inf"),
    Op("mul", "graph", _G, lambda d: S.binary(d, _products(d)),
       domain="|x| <= sqrt(max)/64, NaN and +-inf"),
    Op("div", "graph", _G, _div_inputs,
       domain="|a| <= 1e3, 1e-3 <= |b| <= 1e3 (float16: |a| <= 8, 0.25 <= |b| <= 8); NaN, +-inf, +-0"),
    Op("pow", "graph", _G, _pow_inputs, grad_scale="value",
       domain="x in [0.1, 10], c in {-1, 0.5, 2, 3}"),
    Op("exp", "graph", _G, _exp_inputs, grad_scale="value",
       domain="|x| <= 0.95 log(max), NaN and +-inf"),
    Op("log", "graph", _G, _log_inputs, grad_scale="value",
       domain="normal x > 0, NaN, +inf, +-0",
       known_failures={("tensorflow", "float32", "grad"): (
           "TensorFlow's vectorised float32 division loses precision when the quotient is "
           "near the smallest normal number: d log(x)/dx = g/x at x = 3.16e37 came back "
           "1.2e-4 relative off (about 12 correct bits) in a 54-element array, while the "
           "scalar path is exact; results below 1.2e-38 are flushed to 0 (a convention)")}),
    Op("branch", "graph", _G, _branch_inputs, domain="every value, n in 1..3"),
    Op("repeat", "graph", _G, _repeat_inputs, domain="every value, n in 0..3, any axis"),
    Op("broadcast_to", "graph", _G, _broadcast_to_inputs, domain="every value"),
    Op("sum", "graph", _G, _sum_inputs, forward_scale="abs",
       domain="|x| <= 1e4, NaN and +-inf; axis None, int or tuple; keepdims"),
    Op("reshape", "graph", _G, _reshape_inputs, domain="every value"),
    Op("transpose", "graph", _G, _transpose_inputs, domain="every value"),
    Op("matmul", "tensors", _T, _matmul_inputs, forward_scale="abs",
       domain="|x| <= 100; batch axes broadcast; rank-1 operands"),
    Op("dot", "tensors", _T, _dot_inputs, forward_scale="abs", domain="|x| <= 100"),
    Op("cosine_similarity", "tensors", _T, _cosine_inputs, forward_scale=_cosine_scale,
       grad_scale=_cosine_scale, domain="0.1 <= |x| <= 10, broadcasting, any axis"),
]

OPS = {op.name: op for op in OPS_LIST}
assert len(OPS) == len(OPS_LIST), "duplicate op names in the registry"
__all__ = ["Op", "OPS", "OPS_LIST", "FRAMEWORKS", "ALL_DTYPES"]
