"""Losses in TensorFlow: tf.keras.losses and tf.nn, reduced as refimpl's reduction says.

keras loss functions average over the last axis; a trailing axis of length 1 makes them
elementwise, and _reduce applies "mean", "sum" or "none" over everything.
"""

import math

import tensorflow as tf


def _reduce(loss, reduction):
    return {"mean": tf.reduce_mean, "sum": tf.reduce_sum, "none": tf.identity}[reduction](loss)


def mse(y_hat, t, reduction="mean"):
    return _reduce(tf.keras.losses.mse(t[..., None], y_hat[..., None]), reduction)


def mae(y_hat, t, reduction="mean"):
    return _reduce(tf.keras.losses.mae(t[..., None], y_hat[..., None]), reduction)


def huber(y_hat, t, delta=1.0, reduction="mean"):
    return _reduce(tf.keras.losses.huber(t[..., None], y_hat[..., None], delta=delta), reduction)


def binary_cross_entropy(p, t, reduction="mean"):
    # keras clips p to [1e-7, 1 - 1e-7] first, so p=0, t=1 gives -log(1e-7) where refimpl gives inf.
    return _reduce(tf.keras.losses.binary_crossentropy(t[..., None], p[..., None]), reduction)


def binary_cross_entropy_with_logits(x, t, reduction="mean"):
    return _reduce(tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=x), reduction)


def cross_entropy(x, t, reduction="mean"):
    # Integer targets are class indices; float targets are probabilities over the last axis.
    if t.dtype.is_integer:
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=t, logits=x)
    else:
        loss = tf.nn.softmax_cross_entropy_with_logits(labels=t, logits=x)
    return _reduce(loss, reduction)


def nll(logp, t, reduction="mean"):
    # TensorFlow has no NLL loss: pick -logp[..., t].
    picked = tf.experimental.numpy.take_along_axis(logp, t[..., None], axis=-1)[..., 0]
    return _reduce(-picked, reduction)


def gaussian_nll(mu, t, var, full=False, eps=1e-6, reduction="mean"):
    # No built-in: torch's formula. The clamp max(var, eps) lets the gradient through to var
    # (torch clamps under no_grad), hence stop_gradient on the correction, not tf.maximum.
    v = var + tf.stop_gradient(tf.maximum(var, eps) - var)
    loss = 0.5 * (tf.math.log(v) + tf.square(mu - t) / v)
    if full:
        loss += 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
