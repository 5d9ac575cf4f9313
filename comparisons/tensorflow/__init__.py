"""TensorFlow twins of refimpl, and the adapter the harness drives them through.

Gradients come from ``tf.GradientTape.gradient`` with the cotangents as
``output_gradients``.
"""

import contextlib
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@contextlib.contextmanager
def _quiet_stderr():
    """TensorFlow's C++ start-up logs bypass TF_CPP_MIN_LOG_LEVEL: hide stderr while it loads."""
    try:
        fd, saved = 2, os.dup(2)
    except OSError:
        yield
        return
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), fd)
        try:
            yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)


with _quiet_stderr():
    import tensorflow as tf

VERSION = tf.__version__


def to_native(a: np.ndarray):
    a = np.asarray(a)
    if a.dtype.name == "bfloat16":
        return tf.cast(tf.constant(a.astype(np.float32)), tf.bfloat16)
    return tf.constant(a)


def to_numpy(t, dtype) -> np.ndarray:
    if t.dtype == tf.bfloat16:
        return tf.cast(t, tf.float32).numpy().astype(dtype)
    return np.asarray(t.numpy())


def forward(fn, arrays, kwargs, elementwise=False):   # elementwise: a hint jax uses
    return fn(*[to_native(a) for a in arrays], **kwargs)


def vjp(fn, arrays, kwargs, cotangents, wrt=None, elementwise=False):
    wrt = range(len(arrays)) if wrt is None else wrt
    xs = [to_native(a) for a in arrays]
    with tf.GradientTape() as tape:
        for i in wrt:
            tape.watch(xs[i])
        ys = fn(*xs, **kwargs)
    ys_t = list(ys) if isinstance(ys, tuple) else [ys]
    gs = tape.gradient(ys_t, [xs[i] for i in wrt], output_gradients=[to_native(g) for g in cotangents],
                       unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return ys, gs
