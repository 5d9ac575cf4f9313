"""Conventions: the reference computed the framework's way.

Each is ``expected(op, fn, case, dtype, check, cotangents, framework) -> (arrays,
yardsticks or None)``: the reference ``fn`` recomputed as a framework computes it (a
derivative from the rounded output, Keras's clipped cross-entropy, tf's float32
constants), which the framework's output must then meet (``registry.Convention``).
"""

from __future__ import annotations

import math

import numpy as np

from comparisons.convention_truths import f64
from comparisons.reference import reference_forward, reference_vjp
from comparisons.yardsticks import mean_factor


def _in(dtype, a):
    from comparisons import DTYPES
    with np.errstate(all="ignore"):
        return np.asarray(a).astype(DTYPES[dtype])


def from_rounded_output(df):
    """The derivative computed from the forward output rounded to the dtype, as the
    frameworks' backward does (sigmoid: s(1 - s); tanh: 1 - y^2), and its yardstick."""
    def expected(op, fn, case, dtype, check, cotangents, framework):
        y = f64(fn(case.arrays[0]))
        g = f64(cotangents[0])
        with np.errstate(all="ignore"):
            d, terms = (y * (1 - y), y + y * y) if df == "sigmoid" else (1 - y * y, 1 + y * y)
            return [_in(dtype, g * d)], [np.abs(g) * terms]
    return expected


def step_nan_is_0(op, fn, case, dtype, check, cotangents, framework):
    x = case.arrays[0]
    return [_in(dtype, np.where(np.isnan(f64(x)), 0.0, f64(fn(x))))], None


def relu_keeps_neg_zero(op, fn, case, dtype, check, cotangents, framework):
    """relu(-0.0) = -0.0 (a framework that reads -1e-40 as 0 says +0.0 there: the
    harness's flushed-input judgement covers it)."""
    x = case.arrays[0]
    return [np.where(f64(x) == 0, np.copysign(np.zeros_like(x), x), fn(x))], None


def softmax_nan_only_in_place(op, fn, case, dtype, check, cotangents, framework):
    x = f64(case.arrays[0])
    ax = case.kwargs.get("axis", -1)
    with np.errstate(all="ignore"):
        row_nan = np.isnan(x).any(axis=ax, keepdims=True)
        y = np.where(row_nan, np.where(np.isnan(x), np.nan, 0.0), f64(fn(case.arrays[0], **case.kwargs)))
    return [_in(dtype, y)], None


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
    return -f64(x) > top


def sigmoid_underflows(op, fn, case, dtype, check, cotangents, framework):
    """sigmoid as 1 / (1 + e^-x): 0 once e^-x overflows, and with it s (1 - s), silu's
    x s(x) and its derivative, and the logits loss's s(x) - t (the rest is refimpl's)."""
    x = f64(case.arrays[0])
    m = _exp_overflows(x, dtype, framework)
    if check == "forward":
        y = f64(reference_forward(fn, case)[0])
        return [_in(dtype, np.where(m, 0.0 * x if op.name == "silu" else 0.0, y))], None
    d = f64(reference_vjp(fn, case, cotangents, op.wrt_of(case))[0])
    g = f64(cotangents[0])
    if op.name == "binary_cross_entropy_with_logits":
        flushed = -f64(case.arrays[1]) * g * mean_factor(case, x)
    else:
        flushed = 0.0 * g
    return [_in(dtype, np.where(m, flushed, d))], None


def elu_exp_minus_1(op, fn, case, dtype, check, cotangents, framework):
    """elu as alpha (e^x - 1) (tf) and its derivative as dout (y + alpha) from the rounded
    output y (tf, jax): both lose what expm1 keeps, within their terms' size."""
    x = f64(case.arrays[0])
    alpha = case.kwargs.get("alpha", 1.0)
    with np.errstate(all="ignore"):
        if check == "forward":   # e^x rounded to the dtype first, as an op of its own
            y = np.where(x > 0, x, np.where(x == 0, x, alpha * (f64(_in(dtype, np.exp(x))) - 1)))
            return [_in(dtype, y)], [np.where(x > 0, np.abs(x), alpha * (np.exp(x) + 1))]
        y = f64(fn(case.arrays[0], **case.kwargs))
        g = f64(cotangents[0])
        d = np.where(x > 0, 1.0, y + alpha)
        return [_in(dtype, g * d)], [np.abs(g) * np.where(x > 0, 1.0, np.abs(y) + alpha)]


def gelu_float32_constants(op, fn, case, dtype, check, cotangents, framework):
    """GELU as tf.nn.gelu computes it for float64 input: 0.5 x erfc(-x c) with c = 1/sqrt 2
    rounded to float32, and the tanh form with 0.044715 rounded to float32."""
    from refimpl._accurate import erfc
    x = f64(case.arrays[0])
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
        return [_in(dtype, f64(cotangents[0]) * d)], None


def gelu_inf_is_nan(op, fn, case, dtype, check, cotangents, framework):
    x = case.arrays[0]
    return [np.where(f64(x) == np.inf, np.nan, fn(x, **case.kwargs)).astype(x.dtype)], None


# ------------------------------------------------------------------------------- losses

def huber_cancels_delta(op, fn, case, dtype, check, cotangents, framework):
    """optax's huber gradient: q s + delta s - delta s, added in that order (q = min(|d|,
    delta), s = sign(d)): the delta terms cancel and take the small q s with them."""
    ref = reference_vjp(fn, case, cotangents, op.wrt_of(case))
    y, t = (f64(a) for a in case.arrays)
    delta = case.kwargs.get("delta", 1.0)
    red = case.kwargs.get("reduction", "mean")
    n = max(y.size, 1) if red == "mean" else 1
    g = np.abs(f64(cotangents[0])) / n
    with np.errstate(all="ignore"):
        return list(ref), [g * (np.minimum(np.abs(y - t), delta) + 2 * delta)]


def keras_bce(op, fn, case, dtype, check, cotangents, framework):
    """Keras's binary cross-entropy, op by op in the dtype: p clipped to [eps, 1 - eps]
    (eps = 1e-7), then -(t log p + (1 - t) log(1 - p)), 1 - p rounded to the dtype; its
    gradient is 0 where the clip is active."""
    def r(a):   # one rounding to the dtype, as each framework op does
        return f64(_in(dtype, a))

    p, t = (f64(a) for a in case.arrays)
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
        g = f64(cotangents[0]) / n
        inside = (p >= eps) & (p <= r(1 - eps))
        d = np.where(inside, r(r(r(1 - t) / q) - r(t / pc)), 0.0)   # op by op, as Keras's backward
        return [_in(dtype, g * d)], [np.abs(g) * (t / pc + (1 - t) / q)]
