"""Losses in autograd: none is built in, so each is the numpy formula an autograd user
writes, reduced as refimpl says ("mean", "sum", "none")."""

import math

import autograd.numpy as anp

from comparisons.autograd.activations import log_softmax


def _reduce(loss, reduction):
    return {"mean": anp.mean, "sum": anp.sum, "none": lambda v: v}[reduction](loss)


def mse(y_hat, t, reduction="mean"):
    return _reduce((y_hat - t) ** 2, reduction)


def mae(y_hat, t, reduction="mean"):
    return _reduce(anp.abs(y_hat - t), reduction)


def huber(y_hat, t, delta=1.0, reduction="mean"):
    d = anp.abs(y_hat - t)
    return _reduce(anp.where(d <= delta, 0.5 * d ** 2, delta * (d - 0.5 * delta)), reduction)


def binary_cross_entropy(p, t, reduction="mean"):
    # no xlogy in autograd: the formula as written, so 0 * log 0 is NaN where t is 0 or 1
    return _reduce(-(t * anp.log(p) + (1 - t) * anp.log1p(-p)), reduction)


def binary_cross_entropy_with_logits(x, t, reduction="mean"):
    # softplus(x) - x t, the stable form
    return _reduce(anp.logaddexp(0.0, x) - x * t, reduction)


def _picked(logp, t):
    """logp at the class each integer target names (along the last axis)."""
    return anp.sum(anp.where(t[..., None] == anp.arange(logp.shape[-1]), logp, 0.0), axis=-1)


def cross_entropy(x, t, reduction="mean"):
    # integer targets are class indices; float targets are probabilities over the last axis
    logp = log_softmax(x, axis=-1)
    if t.dtype.kind in "iu":   # (autograd's anp.integer is a subclass of its own: not numpy's)
        return _reduce(-_picked(logp, t), reduction)
    return _reduce(-anp.sum(t * logp, axis=-1), reduction)


def nll(logp, t, reduction="mean"):
    return _reduce(-_picked(logp, t), reduction)


def gaussian_nll(mu, t, var, full=False, eps=1e-6, reduction="mean"):
    # torch's formula; the clamp max(var, eps) as autograd differentiates it
    v = anp.maximum(var, eps)
    loss = 0.5 * (anp.log(v) + (mu - t) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
