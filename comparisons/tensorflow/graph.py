"""Computational-graph nodes in TensorFlow: tf.GradientTape records each op."""

import tensorflow as tf


def add(a, b):
    return tf.add(a, b)


def sub(a, b):
    return tf.subtract(a, b)


def neg(x):
    return tf.negative(x)


def mul(a, b):
    return tf.multiply(a, b)


def div(a, b):
    return tf.divide(a, b)


def pow(x, c):
    return tf.pow(x, tf.constant(c, dtype=x.dtype))


def exp(x):
    return tf.exp(x)


def log(x):
    return tf.math.log(x)


def branch(x, n=2):
    return tuple(tf.identity(x) for _ in range(n))


def repeat(x, n, axis):
    return tf.repeat(x, n, axis=axis)


def broadcast_to(x, shape):
    return tf.broadcast_to(x, shape)


def sum(x, axis=None, keepdims=False):
    return tf.reduce_sum(x, axis=axis, keepdims=keepdims)


def reshape(x, shape):
    return tf.reshape(x, shape)


def transpose(x, axes=None):
    return tf.transpose(x, perm=axes)
