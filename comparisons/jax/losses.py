"""Losses in JAX: optax.losses (per-example values) and jax.numpy, reduced as refimpl says."""

import math

import jax
import jax.numpy as jnp
import optax


def _reduce(loss, reduction):
    # optax losses return per-example values: the reduction is up to the caller.
    return {"mean": jnp.mean, "sum": jnp.sum, "none": jnp.asarray}[reduction](loss)


def mse(y_hat, t, reduction="mean"):
    return _reduce(optax.losses.squared_error(y_hat, t), reduction)


def mae(y_hat, t, reduction="mean"):
    # optax has no absolute error.
    return _reduce(jnp.abs(y_hat - t), reduction)


def huber(y_hat, t, delta=1.0, reduction="mean"):
    return _reduce(optax.losses.huber_loss(y_hat, t, delta=delta), reduction)


def binary_cross_entropy(p, t, reduction="mean"):
    # optax has only the logits form: the formula, with xlogy so that 0 * log 0 = 0.
    xlogy, xlog1py = jax.scipy.special.xlogy, jax.scipy.special.xlog1py
    return _reduce(-(xlogy(t, p) + xlog1py(1 - t, -p)), reduction)


def binary_cross_entropy_with_logits(x, t, reduction="mean"):
    return _reduce(optax.losses.sigmoid_binary_cross_entropy(x, t), reduction)


def cross_entropy(x, t, reduction="mean"):
    # Integer targets are class indices; float targets are probabilities over the last axis.
    if jnp.issubdtype(t.dtype, jnp.integer):
        loss = optax.losses.softmax_cross_entropy_with_integer_labels(x, t)
    else:
        loss = optax.losses.softmax_cross_entropy(x, t)
    return _reduce(loss, reduction)


def nll(logp, t, reduction="mean"):
    # Neither jax nor optax has an NLL loss: pick -logp[..., t].
    return _reduce(-jnp.take_along_axis(logp, t[..., None], axis=-1)[..., 0], reduction)


def gaussian_nll(mu, t, var, full=False, eps=1e-6, reduction="mean"):
    # No built-in: torch's formula. The clamp max(var, eps) lets the gradient through to var
    # (torch clamps under no_grad), hence stop_gradient on the correction, not jnp.maximum.
    v = var + jax.lax.stop_gradient(jnp.maximum(var, eps) - var)
    loss = 0.5 * (jnp.log(v) + (mu - t) ** 2 / v)
    if full:
        loss += 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
