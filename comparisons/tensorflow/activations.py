"""Activations in TensorFlow: tf.nn and tf.math, with refimpl's defaults passed explicitly."""

import tensorflow as tf


def step(x):
    # heaviside(x, 0) returns 0 at x == 0. x only enters its comparisons, so the tape finds
    # no gradient path: None, read as 0 (the step passes no gradient).
    return tf.experimental.numpy.heaviside(x, tf.zeros_like(x))


def sigmoid(x):
    return tf.math.sigmoid(x)


def tanh(x):
    return tf.math.tanh(x)


def relu(x):
    return tf.nn.relu(x)


def leaky_relu(x, slope=0.01):
    # tf.nn.leaky_relu's own default slope is 0.2.
    return tf.nn.leaky_relu(x, alpha=slope)


def softmax(x, axis=-1):
    return tf.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return tf.nn.log_softmax(x, axis=axis)


def softplus(x):
    return tf.math.softplus(x)


def elu(x, alpha=1.0):
    # tf.nn.elu has no alpha; keras's elu scales its negative side.
    return tf.keras.activations.elu(x, alpha=alpha)


def gelu(x, approximate=False):
    return tf.nn.gelu(x, approximate=approximate)


def silu(x):
    return tf.nn.silu(x)
