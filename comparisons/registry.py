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

import functools
import importlib
import itertools
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import refimpl
from comparisons import DTYPES, FRAMEWORKS
from comparisons import regions as R
from comparisons import strategies as S

ALL_DTYPES = tuple(DTYPES)
_DEFAULT = object()   # "call with the default": the canaries catch a wrong default


@dataclass(frozen=True)
class Op:
    name: str                      # the refimpl function's name, and every twin's
    module: str                    # refimpl.<module>, comparisons.<framework>.<module>
    concept: str                   # the concept it teaches (report grouping)
    # (dtype, regions, structure) -> hypothesis strategy of strategies.Case, the cases of
    # one entry of ``structures``; ``inputs(dtype)`` gives them all
    draw: Callable
    dtypes: tuple = ALL_DTYPES
    # How big an error may be is measured against: "value" (|ref|), "abs" (the same op on
    # |inputs|, for sums of terms) or a callable(case, dtype) -> list of arrays.
    forward_scale: object = "value"
    grad_scale: object = "abs"
    # framework -> {dtype or (dtype, check): reason}
    unsupported: dict = field(default_factory=dict)
    # (framework, dtype, check) -> why: a measured framework defect. The harness still
    # says `fail` (with its repro) and the report shows it; the tests expect it.
    known_failures: dict = field(default_factory=dict)
    domain: str = ""               # the input domain, in words, for the report
    # The arrays differentiated (indices); None: all. Losses differentiate the prediction
    # (and gaussian_nll's variance), never the target.
    wrt: tuple | None = None
    # case -> one bool mask per differentiated array, True where the op has no
    # derivative (relu at 0): a gradient that differs only there is a `convention`.
    kinks: Callable | None = None
    kink_points: str = ""          # where, in words
    # Measured conventions a framework may follow instead of refimpl's (see Convention).
    conventions: tuple = ()
    # Each output element depends only on the same element of its one input (every
    # output has the input's shape): jax runs such an op on one padded flat shape
    # instead of compiling it for every drawn shape (comparisons/jax/__init__.py).
    elementwise: bool = False
    # Where its values are drawn from and where a run's fell (comparisons/regions.py).
    regions: R.Regions = R.Regions()
    # Its pool of structures: the shapes and the arguments that change the program
    # (strategies.py says why a pool) or the keyword choices. A run gives each entry its
    # share of the examples, so every one is visited; (None,): shapes drawn freely.
    structures: tuple = (None,)

    def inputs(self, dtype: str, entry: int | None = None):
        """The strategy of this op's cases in ``dtype``: those of structure ``entry``, or
        of any (each drawn as likely)."""
        if entry is not None:
            return self.draw(dtype, self.regions, self.structures[entry])
        return st.sampled_from(self.structures).flatmap(lambda s: self.draw(dtype, self.regions, s))

    def wrt_of(self, case) -> tuple:
        return tuple(range(len(case.arrays))) if self.wrt is None else self.wrt

    @property
    def reference(self):
        return getattr(importlib.import_module(f"refimpl.{self.module}"), self.name)

    def twin(self, framework: str):
        """The framework's twin (imports the framework; raises ImportError if missing)."""
        return getattr(importlib.import_module(f"comparisons.{framework}.{self.module}"), self.name)


@dataclass(frozen=True)
class Convention:
    """A documented way a framework computes an op differently from refimpl.

    A mismatch is put down to it only when (1) the measured fact ``key`` (conventions.py)
    differs between that framework and the reference column (never refimpl's output),
    (2) refimpl itself is right on the case: it agrees with ``truth(op, case, dtype,
    check, cotangents)``, the answer by an independent formula in float64 (numpy's and the
    math module's functions, not refimpl's), so a refimpl bug is never excused, and (3) the
    framework's output agrees, within the usual tolerance, with ``expected(op, fn, case,
    dtype, check, cotangents, framework)``: the reference ``fn`` recomputed the framework's
    way (-> arrays, yardsticks or None). When the framework's way is a different formula
    for the same value (a derivative from the rounded output), ``consistent`` also
    requires the reference itself to agree with it within that formula's yardstick.
    """
    key: str
    checks: tuple
    expected: Callable
    truth: Callable
    consistent: bool = False


# ------------------------------------------------------------------- input domains

def _bound_for_products(dtype):
    # |a*b| * |g| summed over <= 3**5 broadcast copies stays finite: the sum order
    # cannot decide between overflow and a finite answer.
    return math.sqrt(S.finite_max(dtype)) / 64


def _products(dtype):
    b = _bound_for_products(dtype)
    return -b, b


def _div_domain(dtype):
    # float16: each gradient term a/b**2 (<= 128 here) times up to 3**5 broadcast copies
    # stays below float16's max 65504: whether a sum of half-precision terms overflows
    # must not hang on the order of the additions.
    return (-8.0, 8.0) if dtype == "float16" else (-1e3, 1e3)


def _div_inputs(dtype, r, shapes):
    # the divisor: the dividend's regions, kept off 0 (its own specials excepted)
    b = R.Regions(r.ordinary, domain=_div_domain, least=0.25 if dtype == "float16" else 1e-3)
    return S.binary(shapes, R.values(r, dtype), R.values(b, dtype))


def _exp_domain(dtype):
    return None, 0.95 * math.log(S.finite_max(dtype))   # keep clear of the overflow edge


def _log_domain(dtype):
    # the smallest normal: frameworks that flush subnormal inputs take log(0) = -inf there
    return float(np.finfo(np.float16 if dtype == "float16" else np.float32).tiny), None


def _unary(dtype, r, kwargs):
    """One array of any shape, the keyword arguments of the structure (a dict or None)."""
    return S.unary(R.values(r, dtype), _kw(**(kwargs or {})))


def _binary(dtype, r, shapes):
    return S.binary(shapes, R.values(r, dtype))


def _choices(**choices) -> tuple:
    """Every combination of the keyword choices, as the structures of an op with free
    shapes; a choice of ``_DEFAULT`` leaves the keyword out (the canaries catch a wrong
    default)."""
    keys = list(choices)
    return tuple(dict(zip(keys, vs)) for vs in itertools.product(*choices.values()))


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


def _named(pool, *keys) -> tuple:
    """A pool of (shape, argument...) rows as structures (shape, kwargs)."""
    return tuple((shape, dict(zip(keys, args))) for shape, *args in pool)


def _shaped(dtype, r, structure):
    """One array of the structure's shape, with its keyword arguments."""
    shape, kwargs = structure
    return S.unary(R.values(r, dtype), kwargs, shape)


_MATMUL_VALUES = 100.0


# (A, B) shapes, a pool as in strategies.BROADCAST_PAIRS: vector . vector, vector @ matrix and
# matrix @ vector, an empty contraction (k = 0: a result of zeros), empty rows and
# columns, 1 x 1, batch axes broadcast on either side or both, a vector against a batch,
# rank 5; n, k, m up to 4.
MATMUL_SHAPES = (((3,), (3,)), ((0,), (0,)), ((4,), (4, 2)), ((2, 4), (4,)), ((2, 3), (3, 4)),
                 ((1, 1), (1, 1)), ((0, 3), (3, 2)), ((2, 0), (0, 3)), ((4, 3), (3, 0)),
                 ((2, 1, 3), (3, 2)), ((3, 4), (2, 4, 1)), ((3, 2, 4), (4,)),
                 ((2, 1, 2, 3), (1, 3, 3, 4)), ((2, 1, 3, 2, 4), (1, 3, 1, 4, 2)))


def _matmul_inputs(dtype, r, shapes):
    return S.binary(shapes, R.values(r, dtype))


DOT_SIZES = tuple(range(7))


def _dot_inputs(dtype, r, n):
    return S.binary(((n,), (n,)), R.values(r, dtype))


# (a shape, b shape, axis): broadcasting on either side or both, a zero-size axis reduced
# or kept, negative axes, rank 1 to 4.
COSINE_STRUCTURES = (((3,), (3,), 0), ((3,), (2, 3), -1), ((2, 3), (2, 3), 0), ((2, 3), (2, 3), 1),
                     ((2, 1), (1, 3), -1), ((2, 1), (1, 3), 0), ((2, 3), (1,), 1),
                     ((0, 3), (1, 3), 1), ((0, 3), (1, 3), 0), ((1, 2, 1), (3, 1, 2), 1),
                     ((1, 2, 1), (3, 1, 2), -3), ((3, 1, 2, 3), (2, 1, 3), 2))


def _cosine_inputs(dtype, r, structure):
    shape_a, shape_b, axis = structure
    return S.binary((shape_a, shape_b), R.values(r, dtype), kwargs={"axis": axis})


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


# ---------------------------------------------- conventions: the reference the framework's way

def _f64(a):
    return np.asarray(a).astype(np.float64)


def _in(dtype, a):
    from comparisons import DTYPES
    with np.errstate(all="ignore"):
        return np.asarray(a).astype(DTYPES[dtype])


def _from_rounded_output(df):
    """The derivative computed from the forward output rounded to the dtype, as the
    frameworks' backward does (sigmoid: s(1 - s); tanh: 1 - y^2), and its yardstick."""
    def expected(op, fn, case, dtype, check, cotangents, framework):
        y = _f64(fn(case.arrays[0]))
        g = _f64(cotangents[0])
        with np.errstate(all="ignore"):
            d, terms = (y * (1 - y), y + y * y) if df == "sigmoid" else (1 - y * y, 1 + y * y)
            return [_in(dtype, g * d)], [np.abs(g) * terms]
    return expected


def _step_nan_is_0(op, fn, case, dtype, check, cotangents, framework):
    x = case.arrays[0]
    return [_in(dtype, np.where(np.isnan(_f64(x)), 0.0, _f64(fn(x))))], None


def _relu_keeps_neg_zero(op, fn, case, dtype, check, cotangents, framework):
    """relu(-0.0) = -0.0 (a framework that reads -1e-40 as 0 says +0.0 there: the
    harness's flushed-input judgement covers it)."""
    x = case.arrays[0]
    return [np.where(_f64(x) == 0, np.copysign(np.zeros_like(x), x), fn(x))], None


def _softmax_nan_only_in_place(op, fn, case, dtype, check, cotangents, framework):
    x = _f64(case.arrays[0])
    ax = case.kwargs.get("axis", -1)
    with np.errstate(all="ignore"):
        row_nan = np.isnan(x).any(axis=ax, keepdims=True)
        y = np.where(row_nan, np.where(np.isnan(x), np.nan, 0.0), _f64(fn(case.arrays[0], **case.kwargs)))
    return [_in(dtype, y)], None


def _keras_bce(op, fn, case, dtype, check, cotangents, framework):
    """Keras's binary cross-entropy, op by op in the dtype: p clipped to [eps, 1 - eps]
    (eps = 1e-7), then -(t log p + (1 - t) log(1 - p)), 1 - p rounded to the dtype; its
    gradient is 0 where the clip is active."""
    def r(a):   # one rounding to the dtype, as each framework op does
        return _f64(_in(dtype, a))

    p, t = (_f64(a) for a in case.arrays)
    eps = r(1e-7)
    with np.errstate(all="ignore"):
        pc = np.clip(p, eps, r(1 - eps))
        q = r(1 - pc)
        red = case.kwargs.get("reduction", "mean")
        n = max(p.size, 1) if red == "mean" else 1
        if check == "forward":
            terms = np.abs(t * r(np.log(pc))) + np.abs((1 - t) * r(np.log(q)))
            loss = -(r(t * r(np.log(pc))) + r(r(1 - t) * r(np.log(q))))
            if red != "none":
                loss, terms = np.sum(loss) / n, np.sum(terms) / n
            return [_in(dtype, loss)], [terms]
        g = _f64(cotangents[0]) / n
        inside = (p >= eps) & (p <= r(1 - eps))
        d = np.where(inside, r(r(r(1 - t) / q) - r(t / pc)), 0.0)   # op by op, as Keras's backward
        return [_in(dtype, g * d)], [np.abs(g) * (t / pc + (1 - t) / q)]


def _elu_exp_minus_1(op, fn, case, dtype, check, cotangents, framework):
    """elu as alpha (e^x - 1) (tf) and its derivative as dout (y + alpha) from the rounded
    output y (tf, jax): both lose what expm1 keeps, within their terms' size."""
    x = _f64(case.arrays[0])
    alpha = case.kwargs.get("alpha", 1.0)
    with np.errstate(all="ignore"):
        if check == "forward":   # e^x rounded to the dtype first, as an op of its own
            y = np.where(x > 0, x, np.where(x == 0, x, alpha * (_f64(_in(dtype, np.exp(x))) - 1)))
            return [_in(dtype, y)], [np.where(x > 0, np.abs(x), alpha * (np.exp(x) + 1))]
        y = _f64(fn(case.arrays[0], **case.kwargs))
        g = _f64(cotangents[0])
        d = np.where(x > 0, 1.0, y + alpha)
        return [_in(dtype, g * d)], [np.abs(g) * np.where(x > 0, 1.0, np.abs(y) + alpha)]


def _gelu_float32_constants(op, fn, case, dtype, check, cotangents, framework):
    """GELU as tf.nn.gelu computes it for float64 input: 0.5 x erfc(-x c) with c = 1/sqrt 2
    rounded to float32, and the tanh form with 0.044715 rounded to float32."""
    from refimpl._accurate import erfc
    x = _f64(case.arrays[0])
    with np.errstate(all="ignore"):
        if case.kwargs.get("approximate"):
            c1, c2 = math.sqrt(2 / math.pi), float(np.float32(0.044715))
            t = np.tanh(c1 * (x + c2 * x ** 3))
            y = 0.5 * x * (1 + t)
            d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c1 * (1 + 3 * c2 * x * x)
        else:
            c = float(np.float32(1 / math.sqrt(2)))
            e = erfc(-x * c)
            y = 0.5 * x * e
            d = 0.5 * e + x * c * np.exp(-(c * x) ** 2) / math.sqrt(math.pi)
        if check == "forward":
            return [_in(dtype, y)], None
        return [_in(dtype, _f64(cotangents[0]) * d)], None


def _gelu_inf_is_nan(op, fn, case, dtype, check, cotangents, framework):
    x = case.arrays[0]
    return [np.where(_f64(x) == np.inf, np.nan, fn(x, **case.kwargs)).astype(x.dtype)], None


def _huber_cancels_delta(op, fn, case, dtype, check, cotangents, framework):
    """optax's huber gradient: q s + delta s - delta s, added in that order (q = min(|d|,
    delta), s = sign(d)): the delta terms cancel and take the small q s with them."""
    from comparisons import harness
    ref = harness.reference_vjp(fn, case, cotangents, op.wrt_of(case))
    y, t = (_f64(a) for a in case.arrays)
    delta = case.kwargs.get("delta", 1.0)
    red = case.kwargs.get("reduction", "mean")
    n = max(y.size, 1) if red == "mean" else 1
    g = np.abs(_f64(cotangents[0])) / n
    with np.errstate(all="ignore"):
        return list(ref), [g * (np.minimum(np.abs(y - t), delta) + 2 * delta)]


# ------------------------------------------ conventions: the truth refimpl must meet there
# Independent of refimpl's code: numpy's and the math module's functions in float64, NaN
# in, NaN out, the kinks as rules.py states them.

def _nan_kept(x, y):
    return np.where(np.isnan(x), np.nan, y)


def _sigmoid_truth(op, case, dtype, check, cotangents):
    x = _f64(case.arrays[0])
    with np.errstate(all="ignore"):
        e = np.exp(-np.abs(x))            # s(x) s(-x), no 1 - s to cancel
        if check == "forward":
            return [_nan_kept(x, np.where(x >= 0, 1 / (1 + e), e / (1 + e)))]
        return [_nan_kept(x, _f64(cotangents[0]) * e / (1 + e) ** 2)]


def _silu_truth(op, case, dtype, check, cotangents):
    x = _f64(case.arrays[0])
    with np.errstate(all="ignore"):
        s, r = _sig(x), _sig(-x)
        # for x < -30 through logs: s = e^x / (1 + e^x) may be subnormal there
        log_s = x - np.log1p(np.exp(x))
        if check == "forward":
            return [np.where(x < -30, -np.exp(np.log(-x) + log_s), x * s)]
        d = np.where(x < -30, -np.exp(log_s + np.log(-(1 + x * r))), s + x * s * r)
        return [_f64(cotangents[0]) * d]


def _bce_logits_truth(op, case, dtype, check, cotangents):
    x, t = (_f64(a) for a in case.arrays)
    with np.errstate(all="ignore"):
        if check == "forward":
            return [_reduce(case, np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x))))]
        return [_f64(cotangents[0]) * _mean_factor(case, x) * (_sig(x) - t)]


def _exp_overflows(x, dtype, framework):
    """Where the framework's sigmoid comes out 0: e^-x overflows the precision it computes
    in (float32 for the half types, unless it computes float16 in float16: measured,
    sigmoid(-12) is 0 there, conventions 'sigmoid_underflow.float16'), or, where it
    flushes subnormal results, sigmoid(x) is below the smallest normal."""
    from comparisons import conventions
    at = {"float64": np.float64, "float16": np.float16 if conventions.differs(
        framework, "sigmoid_underflow.float16") else np.float32}.get(dtype, np.float32)
    top = math.log(np.finfo(at).max)
    if conventions.flushes_subnormals(framework, dtype):
        top = min(top, -math.log(np.finfo(at).tiny))
    return -_f64(x) > top


def _sigmoid_underflows(op, fn, case, dtype, check, cotangents, framework):
    """sigmoid as 1 / (1 + e^-x): 0 once e^-x overflows, and with it s (1 - s), silu's
    x s(x) and its derivative, and the logits loss's s(x) - t (the rest is refimpl's)."""
    from comparisons import harness
    x = _f64(case.arrays[0])
    m = _exp_overflows(x, dtype, framework)
    if check == "forward":
        y = _f64(harness.reference_forward(fn, case)[0])
        return [_in(dtype, np.where(m, 0.0 * x if op.name == "silu" else 0.0, y))], None
    d = _f64(harness.reference_vjp(fn, case, cotangents, op.wrt_of(case))[0])
    g = _f64(cotangents[0])
    if op.name == "binary_cross_entropy_with_logits":
        flushed = -_f64(case.arrays[1]) * g * _mean_factor(case, x)
    else:
        flushed = 0.0 * g
    return [_in(dtype, np.where(m, flushed, d))], None


def _tanh_truth(op, case, dtype, check, cotangents):
    x, g = _f64(case.arrays[0]), _f64(cotangents[0])
    with np.errstate(all="ignore"):
        e = np.exp(-2 * np.abs(x))        # sech^2 x = 4 e^-2|x| / (1 + e^-2|x|)^2
        return [_nan_kept(x, g * 4 * e / (1 + e) ** 2)]


def _step_truth(op, case, dtype, check, cotangents):
    x = _f64(case.arrays[0])
    return [_nan_kept(x, (x > 0).astype(np.float64))]


def _relu_truth(op, case, dtype, check, cotangents):
    x = _f64(case.arrays[0])
    return [_nan_kept(x, np.where(x > 0, x, 0.0))]       # relu(-0.0) = +0.0 (rules.py)


def _softmax_truth(op, case, dtype, check, cotangents):
    x = _f64(case.arrays[0])
    ax = case.kwargs.get("axis", -1)
    with np.errstate(all="ignore"):
        e = np.exp(x - np.max(x, axis=ax, keepdims=True, initial=-np.inf))
        return [e / np.sum(e, axis=ax, keepdims=True)]   # a NaN poisons its whole row


def _elu_truth(op, case, dtype, check, cotangents):
    x = _f64(case.arrays[0])
    a = case.kwargs.get("alpha", 1.0)
    with np.errstate(all="ignore"):
        if check == "forward":
            return [np.where(x > 0, x, np.where(x == 0, x, a * np.expm1(x)))]
        return [_f64(cotangents[0]) * np.where(x > 0, 1.0, a * np.exp(x))]


_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _gelu_truth(op, case, dtype, check, cotangents):
    x = _f64(case.arrays[0])
    with np.errstate(all="ignore"):
        if case.kwargs.get("approximate"):
            c = math.sqrt(2 / math.pi)
            t = np.tanh(c * (x + 0.044715 * x ** 3))
            y, d = 0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
        else:
            cdf = 0.5 * _erfc(-x / math.sqrt(2))
            y, d = x * cdf, cdf + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
        return [y] if check == "forward" else [_f64(cotangents[0]) * d]


def _huber_truth(op, case, dtype, check, cotangents):
    y, t = (_f64(a) for a in case.arrays)
    delta = case.kwargs.get("delta", 1.0)
    g = _f64(cotangents[0]) * _mean_factor(case, y)
    with np.errstate(all="ignore"):
        return [g * np.clip(y - t, -delta, delta)]


def _bce_truth(op, case, dtype, check, cotangents):
    p, t = (_f64(a) for a in case.arrays)
    with np.errstate(all="ignore"):
        if check == "forward":
            return [_reduce(case, -(t * np.log(p) + (1 - t) * np.log1p(-p)))]
        return [_f64(cotangents[0]) * _mean_factor(case, p) * (p - t) / (p * (1 - p))]


# ------------------------------------------------------- activations: inputs and yardsticks



def _at_nonfinite_x(case):
    """NaN, and +-inf where the derivative is a limit: a formula evaluated there meets
    inf * 0 (gelu's x phi(x)) and says NaN."""
    return [~np.isfinite(case.arrays[0].astype(np.float64))]


def _at_nan(case):
    """The gradient at a NaN input is undefined: refimpl says NaN, a backward that
    selects a branch (x > 0 ? g : slope g) says a number."""
    return [np.isnan(case.arrays[0].astype(np.float64))]


def _at_zero(case):
    x = case.arrays[0].astype(np.float64)
    return [(x == 0) | np.isnan(x)]


def _at_nonfinite(case):
    """Loss gradients where the prediction or target is NaN or +-inf: the loss is already
    inf or NaN there, and whether its slope reads NaN or a limit is the backward's choice."""
    y, t = (np.asarray(a, np.float64) for a in case.arrays[:2])
    bad = ~np.isfinite(y) | ~np.isfinite(t)
    return [bad] + [bad] * (len(case.arrays) - 2)


def _at_nonfinite_or_equal(case):
    y, t = (np.asarray(a, np.float64) for a in case.arrays[:2])
    return [~np.isfinite(y) | ~np.isfinite(t) | (y == t)]


def _grad_terms(terms):
    """A gradient yardstick |dout| * (sum of |terms| of f'), for derivatives that are a
    sum of terms which cancel somewhere (silu' and gelu' have a root near x = -1)."""
    def scale(case, dtype, outputs, cotangents):
        x = case.arrays[0].astype(np.float64)
        with np.errstate(all="ignore"):
            return [np.abs(cotangents[0].astype(np.float64)) * terms(x, case.kwargs)]
    return scale


def _sig(x):
    with np.errstate(all="ignore"):
        return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def _gelu_domain(dtype):
    b = S.finite_max(dtype) ** (1 / 3) / 2
    return -b, b


def _gelu_forward_scale(case, dtype, outputs, cotangents):
    """|x|: the frameworks compute 0.5 x (1 + erf(x / sqrt 2)) (or 1 + tanh), whose two terms
    cancel for x < 0; the accuracy sweep (truth.py) measures what that costs."""
    return [np.abs(case.arrays[0].astype(np.float64))]


def _silu_terms(x, kw):
    return _sig(x) + np.abs(x) * _sig(x) * _sig(-x)


def _gelu_terms(x, kw):
    """The terms of the textbook derivatives, 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) u' and
    0.5 (1 + erf(x / sqrt 2)) + x phi(x): the frameworks add them, and for x < 0 the 1 and
    the tanh or erf cancel (the accuracy sweep measures what that costs)."""
    if kw.get("approximate"):
        u = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
        du = math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * x * x)
        t = np.tanh(u)
        return 0.5 * (1 + np.abs(t)) + 0.5 * np.abs(x) * (1 + t * t) * du
    from refimpl._accurate import erfc
    return 0.5 * (1 + np.abs(1 - erfc(x / math.sqrt(2)))) + \
        np.abs(x) * np.exp(-x * x / 2) / math.sqrt(2 * math.pi)


# (shape, axis; _DEFAULT: the last): rank 1 to 4, rows of 1 and 0 elements, every axis.
SOFTMAX_STRUCTURES = (((1,), _DEFAULT), ((3,), _DEFAULT), ((3,), 0), ((0,), _DEFAULT),
                      ((2, 3), _DEFAULT), ((2, 3), 0), ((3, 1), -1), ((0, 2), 1), ((2, 0), 0),
                      ((1, 3, 2), 1), ((2, 0, 3), -1), ((3, 2, 1, 2), 0), ((3, 2, 1, 2), _DEFAULT))


def _softmax_inputs(dtype, r, structure):
    shape, axis = structure
    # a small pool of values makes ties (equal maxima) common; -inf is a masked logit.
    # +inf is left out: inf - inf makes every framework's row NaN (tf's partly 0).
    elems = R.values(r, dtype, specials=False, pool=(0.0, -0.0, 1.0, -1.0, 2.0, -math.inf, math.nan))
    return S.unary(elems, _kw(axis=axis), shape)


def _shift_error(case):
    """1 + |x - max(x)|: the frameworks round x - max(x) before exp, and exp multiplies
    that rounding by |x - max|; refimpl carries it (two_sum)."""
    x = case.arrays[0].astype(np.float64)
    ax = case.kwargs.get("axis", -1)
    with np.errstate(all="ignore"):
        m = np.max(x, axis=ax, keepdims=True, initial=-np.inf)
        return 1 + np.where(np.isfinite(x - m), np.abs(x - m), 0)


def _softmax_scale(case, dtype, outputs, cotangents):
    y = np.abs(outputs[0].astype(np.float64)) * _shift_error(case)
    if cotangents is None:
        return [y]
    g = np.abs(cotangents[0].astype(np.float64))
    ax = case.kwargs.get("axis", -1)
    return [y * (g + np.sum(g * y, axis=ax, keepdims=True))]


def _log_softmax_grad_scale(case, dtype, outputs, cotangents):
    with np.errstate(all="ignore"):
        p = np.exp(outputs[0].astype(np.float64))
    g = np.abs(cotangents[0].astype(np.float64))
    return [g + p * np.sum(g, axis=case.kwargs.get("axis", -1), keepdims=True)]


def _log_softmax_scale(case, dtype, outputs, cotangents):
    # frameworks compute x - (m + log s): the terms are as large as the logits
    x = np.abs(case.arrays[0].astype(np.float64))
    ax = case.kwargs.get("axis", -1)
    with np.errstate(all="ignore"):
        return [np.abs(outputs[0].astype(np.float64)) + x + np.max(x, axis=ax, keepdims=True, initial=0)]


# ------------------------------------------------------------ losses: inputs and yardsticks

# The losses' structures, (shape, reduction; _DEFAULT: the default mean): each reduction
# on several ranks, a mean and a sum over nothing (0/0 and 0), rank 0 to 5.
LOSS_STRUCTURES = (((), _DEFAULT), ((), "none"), ((0,), "mean"), ((0,), "sum"), ((3,), "sum"),
                   ((3,), "none"), ((2, 3), _DEFAULT), ((3, 1), "mean"), ((0, 2), "none"),
                   ((1, 3, 2), "sum"), ((2, 0, 3), "mean"), ((3, 2, 1, 2), "mean"),
                   ((1, 2, 3, 1, 2), "none"), ((3, 3, 3, 3, 3), "mean"), ((3, 3, 3, 3, 3), "sum"))
# (batch shape, classes, reduction) for cross_entropy and nll: rank 0 to 2 batches, one
# class, empty batches.
CLASS_STRUCTURES = (((), 1, _DEFAULT), ((), 3, "none"), ((0,), 3, "mean"), ((0,), 2, "sum"),
                    ((1,), 4, "sum"), ((3,), 2, _DEFAULT), ((3,), 4, "none"), ((2, 3), 3, "mean"),
                    ((3, 1), 1, "sum"), ((0, 2), 4, "none"), ((2, 3), 2, "none"),
                    ((3,), 3, "mean"))


def _kw(**kw):
    return {k: v for k, v in kw.items() if v is not _DEFAULT}


# (batch shape, classes, reduction) with one-hot (False) or soft (True) targets in turn
CLASS_POOL = tuple((s, i % 2 == 1) for i, s in enumerate(CLASS_STRUCTURES))


def _paired(pool, **choices) -> tuple:
    """The structures of a loss: each (shape, reduction) entry of ``pool`` with the other
    keyword arguments, each choice's values taken in turn along the pool, so every value
    meets several shapes and reductions, and the pool stays the number of programs jax
    compiles (every combination would multiply it by every value): (shape, kwargs)."""
    return tuple((shape, _kw(reduction=reduction, **{k: v[i % len(v)] for k, v in choices.items()}))
                 for i, (shape, reduction) in enumerate(pool))


@st.composite
def _pair_loss(draw, dtype, r, structure):
    shape, kwargs = structure
    case = draw(S.case((shape, shape), (R.values(r, dtype),) * 2, kwargs))
    y, t = case.arrays
    if draw(st.booleans()):   # t equal to y: the kink of mae, d = 0
        t = y.copy()
    return S.Case((y, t), case.kwargs, case.seed)


def _regression_domain(dtype):
    # (y - t)^2 summed over up to 3**5 elements stays finite, in any order of addition
    b = math.sqrt(S.finite_max(dtype) / 1024) / 2
    return -b, b


def _mean_factor(case, like):
    """d mean/d element = 1/n: the reduction's factor for a gradient yardstick."""
    n = like.size
    return 1.0 / n if case.kwargs.get("reduction", "mean") == "mean" and n else 1.0


def _g(case, cotangents, like):
    g = np.abs(cotangents[0].astype(np.float64)) * _mean_factor(case, like)
    return g[..., None] if g.ndim and g.ndim < like.ndim else g


def _reduce(case, elementwise):
    r = case.kwargs.get("reduction", "mean")
    with np.errstate(all="ignore"):
        return elementwise if r == "none" else np.sum(elementwise) / (elementwise.size if r == "mean" else 1)


def _bce_scale(case, dtype, outputs, cotangents):
    p, t = (a.astype(np.float64) for a in case.arrays)
    with np.errstate(all="ignore"):
        if cotangents is None:
            return [_reduce(case, np.abs(t * np.log(p)) + np.abs((1 - t) * np.log1p(-p)))]
        return [_g(case, cotangents, p) * (p + t) / (p * (1 - p))]


def _bce_logits_scale(case, dtype, outputs, cotangents):
    x, t = (a.astype(np.float64) for a in case.arrays)
    with np.errstate(all="ignore"):
        if cotangents is None:   # max(x, 0) - x t + log1p(e^-|x|): terms of size |x|
            return [_reduce(case, 2 * np.abs(x) + 1)]
        return [_g(case, cotangents, x) * (_sig(x) + t)]


def _ce_scale(case, dtype, outputs, cotangents):
    x, t = case.arrays
    x = x.astype(np.float64)
    c = x.shape[-1]
    t = (np.arange(c) == t[..., None]).astype(np.float64) if t.dtype.kind in "iu" else t.astype(np.float64)
    with np.errstate(all="ignore"):
        if cotangents is None:   # -sum_c t_c (x_c - m - log s): terms as large as the logits
            m = np.max(np.abs(x), axis=-1, keepdims=True, initial=0)
            return [_reduce(case, np.sum(t * (np.abs(x) + m + np.log(c)), axis=-1))]
        p = np.exp(x - np.max(x, axis=-1, keepdims=True, initial=-np.inf))
        p = p / np.sum(p, axis=-1, keepdims=True)
        # the frameworks round x - max(x) before exp, as softmax's (_shift_error)
        p = p * _shift_error(S.Case((x,), {"axis": -1}))
        return [_g(case, cotangents, x) * (p * np.sum(t, axis=-1, keepdims=True) + t)]


@st.composite
def _class_inputs(draw, dtype, r, structure, logits=True):
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


def _probabilities(dtype):
    return 1e-3, 0.99 if dtype == "bfloat16" else 1 - 1e-3   # 0.999 rounds to 1 in bfloat16


def _class_domain(dtype):
    b = 1e3 if dtype == "float16" else 1e4   # float16: the sum of 9 losses stays finite
    return -b, b


def _bce_inputs(dtype, r, structure):
    shape, kwargs = structure
    # targets: hard labels 0 and 1 half the time, else anywhere in [0, 1]
    return S.case((shape, shape), (R.values(r, dtype), R.uniform(dtype, 0.0, 1.0, pool=(0.0, 1.0))),
                  kwargs)


def _gaussian_nll_domain(dtype):
    # float16: (mu - t)^2 / var^2 stays below 65504 (frameworks compute it in float16)
    b = 4.0 if dtype == "float16" else 100.0
    return -b, b


def _gaussian_nll_inputs(dtype, r, structure):
    shape, kwargs = structure
    b = _gaussian_nll_domain(dtype)[1]
    lo = 0.25 if dtype == "float16" else 0.0
    # var at its least half the time: 0 is clamped to eps
    return S.case((shape,) * 3, (R.values(r, dtype), R.uniform(dtype, -b, b), R.uniform(dtype, lo, b, pool=(lo,))),
                  kwargs)


def _gaussian_nll_scale(case, dtype, outputs, cotangents):
    mu, t, var = (a.astype(np.float64) for a in case.arrays)
    v = np.maximum(var, 1e-6)
    d = mu - t
    with np.errstate(all="ignore"):
        if cotangents is None:
            return [_reduce(case, 0.5 * (np.abs(np.log(v)) + d * d / v) + 1)]
        g = _g(case, cotangents, mu)
        return [g * np.abs(d) / v, g * 0.5 * (1 / v + d * d / (v * v))]


# ----------------------------------------------------------------------- the table

_G = "chain rule and the computational graph"
_T = "vectors and matrices"
_SUBNORMALS = R.Regions(bands=(R.SUBNORMAL,))
_MATMUL = R.Regions((1e-3, _MATMUL_VALUES), domain=lambda d: (-_MATMUL_VALUES, _MATMUL_VALUES),
                    specials=False, args=(0, 1), shapes=("rank 4-5", "zero-size"))
# Activations' ordinary inputs: pre-activations of a trained network, |x| up to 20.
_ACT = (1e-3, 20.0)

OPS_LIST = [
    Op("add", "graph", _G, _binary, domain="every value, NaN and +-inf", structures=S.BROADCAST_PAIRS,
       regions=R.Regions(bands=(R.SUBNORMAL, R.OVERFLOW), args=(0, 1))),
    Op("sub", "graph", _G, _binary, domain="every value, NaN and +-inf", structures=S.BROADCAST_PAIRS,
       regions=R.Regions(bands=(R.SUBNORMAL, R.OVERFLOW), args=(0, 1))),
    Op("neg", "graph", _G, _unary, domain="every value, NaN and +-inf", elementwise=True,
       regions=_SUBNORMALS),
    Op("mul", "graph", _G, _binary, domain="|x| <= sqrt(max)/64, NaN and +-inf", structures=S.BROADCAST_PAIRS,
       regions=R.Regions(bands=(R.SUBNORMAL,), domain=_products, args=(0, 1))),
    Op("div", "graph", _G, _div_inputs, structures=S.BROADCAST_PAIRS,
       domain="|a| <= 1e3, 1e-3 <= |b| <= 1e3 (float16: |a| <= 8, 0.25 <= |b| <= 8); NaN, +-inf, +-0",
       known_failures={("torch", "bfloat16", "grad"): (
           "torch's bfloat16 gradient of a / b with respect to b near bfloat16's smallest "
           "normal (1.18e-38): -1.0653e-38 came back for -1.1020e-38, 3.3% off, where the "
           "tolerance allows 1.6% (seen in the tests' draws)"),
           ("torch", "float32", "grad"): (
           "torch's float32 gradient of a / b with respect to b goes through a / b: for a "
           "subnormal a = -1.6255e-43 and b = 0.017317, a / b = -9.39e-42 is rounded to the "
           "subnormal grid (4 significant digits) before the second division by b, and "
           "-6.9702e-41 came back for -6.9698e-41, 3 units of the smallest subnormal off where "
           "the tolerance allows 2 (the report's draws; refimpl divides in float64)")},
       regions=R.Regions(bands=(R.SUBNORMAL,), domain=_div_domain)),
    Op("pow", "graph", _G, _unary, grad_scale="value", structures=_choices(c=[-1.0, 0.5, 2.0, 3.0]),
       domain="x in [0.1, 10], c in {-1, 0.5, 2, 3}", elementwise=True,
       regions=R.Regions((0.1, 10.0), domain=lambda d: (0.1, 10.0), specials=False, signs=(1,))),
    Op("exp", "graph", _G, _unary, grad_scale="value",
       domain="x <= 0.95 log(max), NaN and +-inf", elementwise=True,
       regions=R.Regions((1e-3, 30.0), (R.UNDERFLOW, R.SUBNORMAL), domain=_exp_domain)),
    Op("log", "graph", _G, _unary, grad_scale="value",
       domain="normal x > 0, NaN, +inf, +-0",
       known_failures={("tensorflow", "float32", "grad"): (
           "TensorFlow's vectorised float32 division loses precision when the quotient is "
           "near the smallest normal number: d log(x)/dx = g/x at x = 3.16e37 came back "
           "1.2e-4 relative off (about 12 correct bits) in a 54-element array, while the "
           "scalar path is exact; results below 1.2e-38 are flushed to 0 (a convention)")},
       elementwise=True, regions=R.Regions(bands=(R.RECIPROCAL_UNDERFLOW,), domain=_log_domain, signs=(1,))),
    Op("branch", "graph", _G, _unary, domain="every value, n in 1..3", elementwise=True,
       structures=_choices(n=[1, 2, 3]),
       regions=_SUBNORMALS),
    Op("repeat", "graph", _G, _shaped, structures=_named(REPEAT_STRUCTURES, "n", "axis"),
       domain="every value, n in 0..3, any axis",
       regions=R.Regions(bands=(R.SUBNORMAL,), shapes=("rank 4-5", "zero-size"))),
    Op("broadcast_to", "graph", _G, _shaped, structures=_named(BROADCAST_TO_STRUCTURES, "shape"),
       domain="every value", regions=_SUBNORMALS),
    Op("sum", "graph", _G, _shaped, structures=_named(SUM_STRUCTURES, "axis", "keepdims"), forward_scale="abs",
       domain="|x| <= 1e4, NaN and +-inf; axis None, int or tuple; keepdims",
       regions=R.Regions(bands=(R.SUBNORMAL,), domain=lambda d: (-1e4, 1e4))),
    Op("reshape", "graph", _G, _shaped, structures=_named(RESHAPE_STRUCTURES, "shape"),
       domain="every value", regions=_SUBNORMALS),
    Op("transpose", "graph", _G, _shaped, structures=_named(TRANSPOSE_STRUCTURES, "axes"),
       domain="every value", regions=_SUBNORMALS),
    Op("matmul", "tensors", _T, _matmul_inputs, structures=MATMUL_SHAPES, forward_scale="abs",
       domain="|x| <= 100; batch axes broadcast; rank-1 operands", regions=_MATMUL),
    Op("dot", "tensors", _T, _dot_inputs, structures=DOT_SIZES, forward_scale="abs", domain="|x| <= 100",
       regions=R.Regions(_MATMUL.ordinary, domain=_MATMUL.domain, specials=False, args=(0, 1),
                         shapes=("zero-size",))),
    Op("cosine_similarity", "tensors", _T, _cosine_inputs, structures=COSINE_STRUCTURES, forward_scale=_cosine_scale,
       grad_scale=_cosine_scale, domain="0.1 <= |x| <= 10, broadcasting, any axis",
       known_failures={("tensorflow", "float16", "grad"): (
           "tf's float16 cosine_similarity gradient: -0.0039215 came back for -0.0039444, "
           "1.17 times float16's tolerance (0.4% of the gradient's scale 0.0049; seen in the "
           "tests' draws)")},
       regions=R.Regions((0.1, 10.0), domain=lambda d: (-10.0, 10.0), least=0.1, specials=False,
                         args=(0, 1), shapes=("rank 4-5", "zero-size"))),
]

_A = "activations"
_L = "losses"
_LOGITS = R.Regions(bands=(R.LARGE_LOGITS, R.SUBNORMAL), shapes=("rank 4-5", "zero-size"))
_REGRESSION = R.Regions(bands=(R.SUBNORMAL,), domain=_regression_domain)
_ELEMENTWISE = dict(grad_scale="value", domain="every value, NaN and +-inf", elementwise=True)

OPS_LIST += [
    Op("step", "activations", _A, _unary, kinks=_at_zero, regions=_SUBNORMALS,
       kink_points="x = 0 and NaN",
       conventions=(Convention("step_nan", ("forward",), _step_nan_is_0, _step_truth),),
       unsupported={"torch": {(d, "grad"): "torch.heaviside has no derivative (RuntimeError: derivative for "
                              "aten::heaviside is not implemented)" for d in ALL_DTYPES},
                    "tensorflow": {"bfloat16": "tf.experimental.numpy.heaviside treats bfloat16 as "
                                   "non-float and calls .astype (AttributeError)"}},
       **_ELEMENTWISE),
    Op("sigmoid", "activations", _A, _unary, kinks=_at_nan, kink_points="NaN",
       regions=R.Regions(_ACT, (R.SATURATION, R.UNDERFLOW, R.SUBNORMAL)),
       conventions=(Convention("sigmoid_grad_20", ("grad",), _from_rounded_output("sigmoid"),
                               _sigmoid_truth, consistent=True),
                    Convention("sigmoid_underflow", ("forward", "grad"), _sigmoid_underflows,
                               _sigmoid_truth)), **_ELEMENTWISE),
    Op("tanh", "activations", _A, _unary, kinks=_at_nan, kink_points="NaN",
       regions=R.Regions(_ACT, (R.TANH_SATURATION, R.TANH_UNDERFLOW, R.SUBNORMAL)),
       conventions=(Convention("tanh_grad_10", ("grad",), _from_rounded_output("tanh"),
                                        _tanh_truth, consistent=True),), **_ELEMENTWISE),
    Op("relu", "activations", _A, _unary, kinks=_at_zero, regions=_SUBNORMALS,
       kink_points="x = 0 and NaN",
       conventions=(Convention("relu_neg_zero", ("forward",), _relu_keeps_neg_zero, _relu_truth),),
       **_ELEMENTWISE),
    Op("leaky_relu", "activations", _A, _unary, regions=_SUBNORMALS,
       structures=_choices(slope=[_DEFAULT, 0.1, 0.2]),
       kinks=_at_zero, kink_points="x = 0 and NaN", grad_scale="value",
       unsupported={"tensorflow": {"float64": (
           "tf.nn.leaky_relu keeps alpha in a float32 attribute: a float64 input is scaled by "
           "float32(slope), 2e-8 relative off (measured: conventions 'leaky_relu.float64_slope')")}},
       domain="every value, NaN and +-inf; slope default, 0.1 or 0.2", elementwise=True),
    Op("softmax", "activations", _A, _softmax_inputs, structures=SOFTMAX_STRUCTURES, forward_scale=_softmax_scale,
       grad_scale=_softmax_scale,
       conventions=(Convention("softmax_nan_row", ("forward",), _softmax_nan_only_in_place, _softmax_truth),),
       domain="every value, NaN and -inf, ties; any axis", regions=_LOGITS),
    Op("log_softmax", "activations", _A, _softmax_inputs, structures=SOFTMAX_STRUCTURES, forward_scale=_log_softmax_scale,
       grad_scale=_log_softmax_grad_scale, domain="every value, NaN and -inf, ties; any axis",
       regions=_LOGITS),
    Op("softplus", "activations", _A, _unary, kinks=_at_nan, kink_points="NaN",
       known_failures={("tensorflow", "bfloat16", "forward"): (
           "tf.math.softplus in bfloat16 returns e^x below a threshold near x = log(eps) + 2 = "
           "-2.85: softplus(-2.921875) came back 0.0537 (e^x) for 0.0525, 2.3% off; and 0 for "
           "the subnormal softplus(-87.5) = 1.0e-38"),
           ("jax", "bfloat16", "grad"): (
               "jax differentiates softplus (logaddexp(x, 0)) as e^(x - y) from the output y "
               "rounded to bfloat16: softplus'(4.125) came back 0.96875 for 0.98409, 1.6% off "
               "(float32: 0.98409)"),
           ("jax", "float16", "grad"): (
               "jax differentiates softplus as e^(x - y) from the output y rounded to float16: "
               "softplus'(-5.15234375) came back 0.0057640 for 0.0057525, 2.0e-3 relative off "
               "(float16's 2 units: 2e-3)")},
       regions=R.Regions(_ACT, (R.SATURATION, R.UNDERFLOW, R.SUBNORMAL)), **_ELEMENTWISE),
    Op("elu", "activations", _A, _unary, structures=_choices(alpha=[_DEFAULT, 0.5]),
       regions=R.Regions(_ACT, (R.SATURATION, R.UNDERFLOW, R.SUBNORMAL)),
       conventions=(Convention("elu_tiny", ("forward",), _elu_exp_minus_1, _elu_truth),
                    Convention("elu_grad_20", ("grad",), _elu_exp_minus_1, _elu_truth)),
       kinks=_at_zero, kink_points="x = 0 (alpha != 1) and NaN", grad_scale="value",
       domain="every value, NaN and +-inf; alpha default or 0.5", elementwise=True),
    Op("gelu", "activations", _A, _unary, structures=_choices(approximate=[_DEFAULT, True]),
       known_failures={("torch", "bfloat16", "forward"): (
           "torch's bfloat16 gelu returns NaN at x = +inf (its float32 gelu returns inf, the "
           "limit; conventions 'gelu_inf' measures float32)")},
       regions=R.Regions(_ACT, (R.GELU_TAIL, R.GELU_ROOT, R.SUBNORMAL), domain=_gelu_domain),
       forward_scale=_gelu_forward_scale,
       conventions=(Convention("gelu_inf", ("forward",), _gelu_inf_is_nan, _gelu_truth),
                    Convention("gelu.float64_constants", ("forward", "grad"), _gelu_float32_constants,
                               _gelu_truth)),
       grad_scale=_grad_terms(_gelu_terms),
       kinks=_at_nonfinite_x, kink_points="NaN and +-inf",
       domain="|x| <= cbrt(max)/2 (the tanh form's x^3 overflows beyond), NaN and +-inf; "
              "exact and tanh forms", elementwise=True),
    Op("silu", "activations", _A, _unary, grad_scale=_grad_terms(_silu_terms),
       known_failures={
           ("tensorflow", "float16", "forward"): (
               "tf computes float16 silu op by op in float16: sigmoid(x) rounds to 0 below "
               "x = -17.3, so silu(-17.7) came back -0.0 for -3.6e-7"),
           ("tensorflow", "float16", "grad"): (
               "tf's float16 silu gradient, op by op in float16, is up to 3e-3 relative off "
               "(0.41089 for 0.41211), above float16's 2e-3"),
           ("jax", "float16", "grad"): (
               "jax's float16 silu gradient is 0 where sigmoid(x) is a float16 subnormal "
               "(-3.7e-5 came back 0)"),
           ("tensorflow", "bfloat16", "grad"): (
               "tf computes the bfloat16 silu gradient op by op in bfloat16: silu'(5.75) came "
               "back 1.039 for 1.015, 2.4% off (bfloat16's 2 units: 1.6%; seen in the tests' "
               "draws)"),
           ("jax", "bfloat16", "grad"): (
               "jax computes the bfloat16 silu gradient op by op in bfloat16: silu'(5.46875) "
               "came back 1.03125 for 1.01867, 1.2% off, 2.3% once multiplied by the upstream "
               "gradient (bfloat16's 2 units: 1.6%)"),
           ("torch", "float32", "grad"): (
               "torch's float32 silu backward computes sigmoid(x) = 1 / (1 + e^-x) in float32: "
               "below x = -87.3 it is subnormal and the gradient loses digits (silu' at "
               "-88.585 came back -1.33656e-40 for -1.33666e-40, 7e-5 relative), below -88.7 "
               "e^-x overflows and it is 0 (the convention 'sigmoid_underflow' excuses only "
               "the 0)")},
       conventions=(Convention("sigmoid_underflow", ("forward", "grad"), _sigmoid_underflows,
                               _silu_truth),),
       regions=R.Regions(_ACT, (R.SATURATION, R.UNDERFLOW, R.SILU_ROOT, R.SUBNORMAL)),
       kinks=_at_nan, kink_points="NaN", domain="every value, NaN and +-inf", elementwise=True),
    Op("mse", "losses", _L, _pair_loss, structures=_paired(LOSS_STRUCTURES), wrt=(0,), grad_scale="value", regions=_REGRESSION,
       kinks=_at_nonfinite, kink_points="NaN and +-inf",
       domain="|x| <= sqrt(max/1024)/2, NaN and +-inf; every reduction"),
    Op("mae", "losses", _L, _pair_loss, structures=_paired(LOSS_STRUCTURES), wrt=(0,), grad_scale="value", regions=_REGRESSION,
       kinks=_at_nonfinite_or_equal, kink_points="y_hat = t, NaN and +-inf",
       domain="|x| <= sqrt(max/1024)/2, NaN and +-inf, y_hat = t; every reduction"),
    Op("huber", "losses", _L, _pair_loss, structures=_paired(LOSS_STRUCTURES, delta=[_DEFAULT, 0.5, 2.0]),
       wrt=(0,), regions=_REGRESSION,
       grad_scale="value", kinks=_at_nonfinite, kink_points="NaN and +-inf",
       conventions=(Convention("huber_grad_small", ("grad",), _huber_cancels_delta, _huber_truth),),
       domain="|x| <= sqrt(max/1024)/2, NaN and +-inf; delta 1, 0.5, 2"),
    Op("binary_cross_entropy", "losses", _L, _bce_inputs, wrt=(0,), structures=_paired(LOSS_STRUCTURES),
       regions=R.Regions((0.02, 0.97), (R.NEAR_0, R.NEAR_1), domain=_probabilities, specials=False,
                         signs=(1,)),
       forward_scale=_bce_scale, grad_scale=_bce_scale,
       conventions=(Convention("bce_p0_t1", ("forward", "grad"), _keras_bce, _bce_truth),),
       known_failures={("tensorflow", "float16", "grad"): (
           "Keras's float16 binary cross-entropy gradient at p = 0.00144 (t = 0.87 here, a mean "
           "of 243) came back -0.0020905 for -0.0020752, 0.7% off against float16's 0.2%; "
           "Keras's clipped formula recomputed op by op in float16 does not explain it "
           "(cause not isolated; seen once in 100 draws)")},
       domain="1e-3 <= p <= 1 - 1e-3 (bfloat16: 0.99), t in [0, 1]; every reduction"),
    Op("binary_cross_entropy_with_logits", "losses", _L, _bce_inputs, structures=_paired(LOSS_STRUCTURES),
       regions=R.Regions(_ACT, (R.SATURATION, R.LARGE_LOGITS, R.SUBNORMAL), specials=False,
                         # float16: a mean of up to 243 losses of size |x| must not overflow
                         domain=lambda d: (-200.0, 200.0) if d == "float16" else (-1e4, 1e4)),
       wrt=(0,), forward_scale=_bce_logits_scale, grad_scale=_bce_logits_scale,
       conventions=(Convention("sigmoid_underflow", ("grad",), _sigmoid_underflows,
                               _bce_logits_truth),),
       known_failures={("jax", "float16", "grad"): (
           "jax computes the float16 gradient of the logits loss, (sigmoid(x) - t) g / n, op "
           "by op in float16: 0.00130463 came back for 0.00130177 at x = -5.207 (a mean of "
           "243), 2.2e-3 relative off (float16's 2 units: 2e-3; bfloat16's rtol is at that "
           "chain's bound, tolerances.toml)"),
           ("jax", "bfloat16", "grad"): (
           "the same op-by-op chain in bfloat16: -0.00075531 came back for -0.00074005 in a "
           "rank-5 mean, 1.97% of the gradient's scale against the 1.95% that tolerances.toml "
           "already allows for it (measured 1.62% before; seen in the tests' draws)")},
       domain="|x| <= 1e4 (float16: 200), t in [0, 1]; every reduction"),
    Op("cross_entropy", "losses", _L, _class_inputs, wrt=(0,), structures=CLASS_POOL,
       regions=R.Regions(_ACT, (R.LARGE_LOGITS, R.SUBNORMAL), domain=_class_domain, specials=False,
                         shapes=("zero-size",)),
       forward_scale=_ce_scale, grad_scale=_ce_scale,
       domain="|x| <= 1e4 (float16: 1e3) and ties, class indices or probability targets; "
              "every reduction"),
    Op("nll", "losses", _L, functools.partial(_class_inputs, logits=False), wrt=(0,), structures=CLASS_POOL, grad_scale="value",
       regions=R.Regions((1e-3, 30.0), (R.SUBNORMAL,), domain=lambda d: (_class_domain(d)[0], 0.0),
                         specials=False, shapes=("zero-size",), signs=(-1,)),
       domain="-1e4 <= log p <= 0 (float16: -1e3), class indices; every reduction"),
    Op("gaussian_nll", "losses", _L, _gaussian_nll_inputs, wrt=(0, 2),
       structures=_paired(LOSS_STRUCTURES, full=[_DEFAULT, True]),
       known_failures={("jax", "float16", "grad"): (
           "jax's float16 d/dvar of a mean of 243 (mu = 1, t = 0, var = 3.5, full=True) came back "
           "4.321e-5 for 4.357e-5, 0.52% of the yardstick against float16's 0.2%: jax evaluates "
           "0.5 (1/var - (mu - t)^2 / var^2) g / n op by op in float16 (seen in the tests' draws)")},
       regions=R.Regions((1e-3, 100.0), (R.SUBNORMAL,), domain=_gaussian_nll_domain, specials=False),
       forward_scale=_gaussian_nll_scale, grad_scale=_gaussian_nll_scale,
       domain="|mu|, |t| <= 100 (float16: 4), 0 <= var <= 100 (float16: 0.25..4); full or not"),
]

OPS = {op.name: op for op in OPS_LIST}
assert len(OPS) == len(OPS_LIST), "duplicate op names in the registry"
__all__ = ["Op", "Convention", "OPS", "OPS_LIST", "FRAMEWORKS", "ALL_DTYPES"]
