"""Losses in autograd: it has none built in, so each is the numpy formula an autograd user
writes (torch's, as jax's twins write those optax lacks), reduced as refimpl's reduction
says ("mean", "sum", "none")."""

import math

import autograd.numpy as anp
import numpy as np
from autograd.extend import defvjp, primitive

from comparisons.autograd.activations import log_softmax


def _reduce(loss, reduction):
    return {"mean": anp.mean, "sum": anp.sum, "none": lambda v: v}[reduction](loss)


def mse(y_hat, t, reduction="mean"):
    return _reduce((y_hat - t) ** 2, reduction)


def mae(y_hat, t, reduction="mean"):
    # autograd has no absolute-error loss
    return _reduce(anp.abs(y_hat - t), reduction)


def huber(y_hat, t, delta=1.0, reduction="mean"):
    # autograd has no Huber loss: 0.5 d^2 for |d| <= delta, delta (|d| - delta / 2) beyond
    d = y_hat - t
    return _reduce(anp.where(anp.abs(d) <= delta, 0.5 * d ** 2,
                             delta * (anp.abs(d) - 0.5 * delta)), reduction)


def binary_cross_entropy(p, t, reduction="mean"):
    # autograd has no BCE, nor scipy's xlogy: the formula as written, so 0 * log 0 is NaN
    # where t is 0 or 1 and p is the same
    return _reduce(-(t * anp.log(p) + (1 - t) * anp.log1p(-p)), reduction)


def binary_cross_entropy_with_logits(x, t, reduction="mean"):
    # softplus(x) - x t, with logaddexp as autograd's variational_autoencoder.py writes it
    return _reduce(anp.logaddexp(0, x) - x * t, reduction)


def _picked(logp, t):
    """logp at the class each integer target names (the last axis), by a one-hot mask as
    autograd's examples/convnet.py builds its labels (x[:, None] == np.arange(K))."""
    return anp.sum(anp.where(t[..., None] == np.arange(logp.shape[-1]), logp, 0), axis=-1)


def cross_entropy(x, t, reduction="mean"):
    # integer targets are class indices; float targets are probabilities over the last axis
    logp = log_softmax(x, axis=-1)
    if t.dtype.kind in "iu":
        return _reduce(-_picked(logp, t), reduction)
    return _reduce(-anp.sum(t * logp, axis=-1), reduction)


def nll(logp, t, reduction="mean"):
    # autograd has no NLL loss: pick -logp[..., t]
    return _reduce(-_picked(logp, t), reduction)


@primitive
def _floored(var, eps):
    return np.maximum(var, eps)


# torch clamps var under no_grad, so the gradient passes the floor as if it were not there:
# autograd's way to give a function its own gradient is a primitive with a vjp of its own.
defvjp(_floored, lambda ans, var, eps: lambda g: g)


def gaussian_nll(mu, t, var, full=False, eps=1e-6, reduction="mean"):
    # autograd has no Gaussian NLL: torch's formula
    v = _floored(var, eps)
    loss = 0.5 * (anp.log(v) + (mu - t) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
