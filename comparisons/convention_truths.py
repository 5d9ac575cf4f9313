"""Conventions: the truth refimpl must meet where a framework follows another convention.

A framework's differing output is excused (``registry.Convention``) only where refimpl
agrees with the truth here, so a refimpl bug is never excused. Independent of refimpl's
code: numpy's and the math module's functions in float64, NaN in, NaN out, the kinks
as rules.py states them. Each is ``(op, case, dtype, check, cotangents) -> arrays``.
"""

from __future__ import annotations

import math

import numpy as np

from comparisons.yardsticks import mean_factor, reduce, sig


def f64(a):
    """``a`` as a float64 array: the truths, and the framework's ways, compute in it."""
    return np.asarray(a).astype(np.float64)


def _nan_kept(x, y):
    return np.where(np.isnan(x), np.nan, y)


# -------------------------------------------------------------------------- activations

def step_truth(op, case, dtype, check, cotangents):
    x = f64(case.arrays[0])
    return [_nan_kept(x, (x > 0).astype(np.float64))]


def sigmoid_truth(op, case, dtype, check, cotangents):
    x = f64(case.arrays[0])
    with np.errstate(all="ignore"):
        e = np.exp(-np.abs(x))            # s(x) s(-x), no 1 - s to cancel
        if check == "forward":
            return [_nan_kept(x, np.where(x >= 0, 1 / (1 + e), e / (1 + e)))]
        return [_nan_kept(x, f64(cotangents[0]) * e / (1 + e) ** 2)]


def tanh_truth(op, case, dtype, check, cotangents):
    x, g = f64(case.arrays[0]), f64(cotangents[0])
    with np.errstate(all="ignore"):
        e = np.exp(-2 * np.abs(x))        # sech^2 x = 4 e^-2|x| / (1 + e^-2|x|)^2
        return [_nan_kept(x, g * 4 * e / (1 + e) ** 2)]


def relu_truth(op, case, dtype, check, cotangents):
    x = f64(case.arrays[0])
    return [_nan_kept(x, np.where(x > 0, x, 0.0))]       # relu(-0.0) = +0.0 (rules.py)


def softmax_truth(op, case, dtype, check, cotangents):
    x = f64(case.arrays[0])
    ax = case.kwargs.get("axis", -1)
    with np.errstate(all="ignore"):
        e = np.exp(x - np.max(x, axis=ax, keepdims=True, initial=-np.inf))
        return [e / np.sum(e, axis=ax, keepdims=True)]   # a NaN poisons its whole row


def elu_truth(op, case, dtype, check, cotangents):
    x = f64(case.arrays[0])
    a = case.kwargs.get("alpha", 1.0)
    with np.errstate(all="ignore"):
        if check == "forward":
            return [np.where(x > 0, x, np.where(x == 0, x, a * np.expm1(x)))]
        return [f64(cotangents[0]) * np.where(x > 0, 1.0, a * np.exp(x))]


_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def gelu_truth(op, case, dtype, check, cotangents):
    x = f64(case.arrays[0])
    with np.errstate(all="ignore"):
        if case.kwargs.get("approximate"):
            c = math.sqrt(2 / math.pi)
            t = np.tanh(c * (x + 0.044715 * x ** 3))
            y, d = 0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
        else:
            cdf = 0.5 * _erfc(-x / math.sqrt(2))
            y, d = x * cdf, cdf + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
        return [y] if check == "forward" else [f64(cotangents[0]) * d]


def silu_truth(op, case, dtype, check, cotangents):
    x = f64(case.arrays[0])
    with np.errstate(all="ignore"):
        s, r = sig(x), sig(-x)
        # for x < -30 through logs: s = e^x / (1 + e^x) may be subnormal there
        log_s = x - np.log1p(np.exp(x))
        if check == "forward":
            return [np.where(x < -30, -np.exp(np.log(-x) + log_s), x * s)]
        d = np.where(x < -30, -np.exp(log_s + np.log(-(1 + x * r))), s + x * s * r)
        return [f64(cotangents[0]) * d]


# ------------------------------------------------------------------------------- losses

def huber_truth(op, case, dtype, check, cotangents):
    y, t = (f64(a) for a in case.arrays)
    delta = case.kwargs.get("delta", 1.0)
    g = f64(cotangents[0]) * mean_factor(case, y)
    with np.errstate(all="ignore"):
        return [g * np.clip(y - t, -delta, delta)]


def bce_truth(op, case, dtype, check, cotangents):
    p, t = (f64(a) for a in case.arrays)
    with np.errstate(all="ignore"):
        if check == "forward":
            return [reduce(case, -(t * np.log(p) + (1 - t) * np.log1p(-p)))]
        return [f64(cotangents[0]) * mean_factor(case, p) * (p - t) / (p * (1 - p))]


def bce_logits_truth(op, case, dtype, check, cotangents):
    x, t = (f64(a) for a in case.arrays)
    with np.errstate(all="ignore"):
        if check == "forward":
            return [reduce(case, np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x))))]
        return [f64(cotangents[0]) * mean_factor(case, x) * (sig(x) - t)]
