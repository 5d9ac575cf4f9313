"""Tensors, vectors and matrices in TensorFlow."""

import tensorflow as tf


def describe(x):
    return {"rank": x.shape.rank, "shape": tuple(x.shape), "dtype": x.dtype.name,
            "size": int(tf.size(x))}


def dot(a, b):
    return tf.tensordot(a, b, axes=1)


def cosine_similarity(a, b, axis=-1, eps=1e-8):
    shape = tf.broadcast_static_shape(a.shape, b.shape)
    a, b = tf.broadcast_to(a, shape), tf.broadcast_to(b, shape)
    # l2_normalize clamps the *squared* norm, so eps**2 is the same clamp as max(|x|, eps).
    u = tf.math.l2_normalize(a, axis=axis, epsilon=eps**2)
    v = tf.math.l2_normalize(b, axis=axis, epsilon=eps**2)
    return tf.reduce_sum(u * v, axis=axis)


def matmul(a, b):
    # tf.matmul wants rank >= 2: a vector is a row on the left, a column on the right.
    a2 = a[tf.newaxis, :] if a.shape.rank == 1 else a
    b2 = b[:, tf.newaxis] if b.shape.rank == 1 else b
    y = tf.matmul(a2, b2)
    if b.shape.rank == 1:
        y = tf.squeeze(y, -1)
    if a.shape.rank == 1:
        y = tf.squeeze(y, -2 if b.shape.rank != 1 else -1)
    return y
