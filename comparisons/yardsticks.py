"""How big an error may be, and where an op has no derivative: the registry's yardsticks.

An element passes when ``|got - ref| <= atol + rtol * scale`` (``compare.compare``). An
op's ``forward_scale`` and ``grad_scale`` are "value" (|ref|), "abs" (the same op on
|inputs|) or one of the functions here, ``(case, dtype, outputs, cotangents) -> arrays``
(cotangents None: the forward's): the size of the terms the frameworks add, which a
sum that cancels hides. Its ``kinks`` are the masks here, ``case -> one bool array per
differentiated input``, True where a gradient that differs is a convention, not a bug.
"""

from __future__ import annotations

import math

import numpy as np

import refimpl
from comparisons import strategies as S


# ------------------------------- float64 helpers (the conventions' truths use them too)

def sig(x):
    """The logistic sigmoid in float64, through e^-|x| on both sides (it never overflows)."""
    with np.errstate(all="ignore"):
        return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def mean_factor(case, like):
    """d mean/d element = 1/n: the reduction's factor for a gradient yardstick."""
    n = like.size
    return 1.0 / n if case.kwargs.get("reduction", "mean") == "mean" and n else 1.0


def _g(case, cotangents, like):
    g = np.abs(cotangents[0].astype(np.float64)) * mean_factor(case, like)
    return g[..., None] if g.ndim and g.ndim < like.ndim else g


def reduce(case, elementwise):
    """A loss's elementwise terms reduced as the case's ``reduction`` says (default: mean)."""
    r = case.kwargs.get("reduction", "mean")
    with np.errstate(all="ignore"):
        return elementwise if r == "none" else np.sum(elementwise) / (elementwise.size if r == "mean" else 1)


# --------------------------------------------- kinks: where the derivative is undefined

def at_nonfinite_x(case):
    """NaN, and +-inf where the derivative is a limit: a formula evaluated there meets
    inf * 0 (gelu's x phi(x)) and says NaN."""
    return [~np.isfinite(case.arrays[0].astype(np.float64))]


def at_nan(case):
    """The gradient at a NaN input is undefined: refimpl says NaN, a backward that
    selects a branch (x > 0 ? g : slope g) says a number."""
    return [np.isnan(case.arrays[0].astype(np.float64))]


def at_zero(case):
    x = case.arrays[0].astype(np.float64)
    return [(x == 0) | np.isnan(x)]


def at_nonfinite(case):
    """Loss gradients where the prediction or target is NaN or +-inf: the loss is already
    inf or NaN there, and whether its slope reads NaN or a limit is the backward's choice."""
    y, t = (np.asarray(a, np.float64) for a in case.arrays[:2])
    bad = ~np.isfinite(y) | ~np.isfinite(t)
    return [bad] + [bad] * (len(case.arrays) - 2)


def at_nonfinite_or_equal(case):
    y, t = (np.asarray(a, np.float64) for a in case.arrays[:2])
    return [~np.isfinite(y) | ~np.isfinite(t) | (y == t)]


# ----------------------------------------------------------------- vectors and matrices

def cosine_scale(case, dtype, outputs, cotangents):
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


# -------------------------------------------------------------------------- activations

def _grad_terms(terms):
    """A gradient yardstick |dout| * (sum of |terms| of f'), for derivatives that are a
    sum of terms which cancel somewhere (silu' and gelu' have a root near x = -1)."""
    def scale(case, dtype, outputs, cotangents):
        x = case.arrays[0].astype(np.float64)
        with np.errstate(all="ignore"):
            return [np.abs(cotangents[0].astype(np.float64)) * terms(x, case.kwargs)]
    return scale


def _silu_terms(x, kw):
    return sig(x) + np.abs(x) * sig(x) * sig(-x)


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


silu_grad_scale = _grad_terms(_silu_terms)
gelu_grad_scale = _grad_terms(_gelu_terms)


def gelu_forward_scale(case, dtype, outputs, cotangents):
    """|x|: the frameworks compute 0.5 x (1 + erf(x / sqrt 2)) (or 1 + tanh), whose two terms
    cancel for x < 0; the accuracy sweep (truth.py) measures what that costs."""
    return [np.abs(case.arrays[0].astype(np.float64))]


def _shift_error(case):
    """1 + |x - max(x)|: the frameworks round x - max(x) before exp, and exp multiplies
    that rounding by |x - max|; refimpl carries it (two_sum)."""
    x = case.arrays[0].astype(np.float64)
    ax = case.kwargs.get("axis", -1)
    with np.errstate(all="ignore"):
        m = np.max(x, axis=ax, keepdims=True, initial=-np.inf)
        return 1 + np.where(np.isfinite(x - m), np.abs(x - m), 0)


def softmax_scale(case, dtype, outputs, cotangents):
    y = np.abs(outputs[0].astype(np.float64)) * _shift_error(case)
    if cotangents is None:
        return [y]
    g = np.abs(cotangents[0].astype(np.float64))
    ax = case.kwargs.get("axis", -1)
    return [y * (g + np.sum(g * y, axis=ax, keepdims=True))]


def log_softmax_grad_scale(case, dtype, outputs, cotangents):
    with np.errstate(all="ignore"):
        p = np.exp(outputs[0].astype(np.float64))
    g = np.abs(cotangents[0].astype(np.float64))
    return [g + p * np.sum(g, axis=case.kwargs.get("axis", -1), keepdims=True)]


def log_softmax_scale(case, dtype, outputs, cotangents):
    # frameworks compute x - (m + log s): the terms are as large as the logits
    x = np.abs(case.arrays[0].astype(np.float64))
    ax = case.kwargs.get("axis", -1)
    with np.errstate(all="ignore"):
        return [np.abs(outputs[0].astype(np.float64)) + x + np.max(x, axis=ax, keepdims=True, initial=0)]


# ------------------------------------------------------------------------------- losses

def bce_scale(case, dtype, outputs, cotangents):
    p, t = (a.astype(np.float64) for a in case.arrays)
    with np.errstate(all="ignore"):
        if cotangents is None:
            return [reduce(case, np.abs(t * np.log(p)) + np.abs((1 - t) * np.log1p(-p)))]
        return [_g(case, cotangents, p) * (p + t) / (p * (1 - p))]


def bce_logits_scale(case, dtype, outputs, cotangents):
    x, t = (a.astype(np.float64) for a in case.arrays)
    with np.errstate(all="ignore"):
        if cotangents is None:   # max(x, 0) - x t + log1p(e^-|x|): terms of size |x|
            return [reduce(case, 2 * np.abs(x) + 1)]
        return [_g(case, cotangents, x) * (sig(x) + t)]


def ce_scale(case, dtype, outputs, cotangents):
    x, t = case.arrays
    x = x.astype(np.float64)
    c = x.shape[-1]
    t = (np.arange(c) == t[..., None]).astype(np.float64) if t.dtype.kind in "iu" else t.astype(np.float64)
    with np.errstate(all="ignore"):
        if cotangents is None:   # -sum_c t_c (x_c - m - log s): terms as large as the logits
            m = np.max(np.abs(x), axis=-1, keepdims=True, initial=0)
            return [reduce(case, np.sum(t * (np.abs(x) + m + np.log(c)), axis=-1))]
        p = np.exp(x - np.max(x, axis=-1, keepdims=True, initial=-np.inf))
        p = p / np.sum(p, axis=-1, keepdims=True)
        # the frameworks round x - max(x) before exp, as softmax's (_shift_error)
        p = p * _shift_error(S.Case((x,), {"axis": -1}))
        return [_g(case, cotangents, x) * (p * np.sum(t, axis=-1, keepdims=True) + t)]


def gaussian_nll_scale(case, dtype, outputs, cotangents):
    mu, t, var = (a.astype(np.float64) for a in case.arrays)
    v = np.maximum(var, 1e-6)
    d = mu - t
    with np.errstate(all="ignore"):
        if cotangents is None:
            return [reduce(case, 0.5 * (np.abs(np.log(v)) + d * d / v) + 1)]
        g = _g(case, cotangents, mu)
        return [g * np.abs(d) / v, g * 0.5 * (1 / v + d * d / (v * v))]
