"""Activations in DeZero: dezero.functions, with refimpl's defaults passed explicitly."""

import dezero.functions as F


def sigmoid(x):
    # DeZero computes tanh(x / 2) / 2 + 1/2 ("Better implementation", its comment says).
    return F.sigmoid(x)


def tanh(x):
    return F.tanh(x)


def relu(x):
    return F.relu(x)


def leaky_relu(x, slope=0.01):
    # DeZero's default slope is 0.2.
    return F.leaky_relu(x, slope=slope)


def softmax(x, axis=-1):
    # DeZero's default axis is 1.
    return F.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return F.log_softmax(x, axis=axis)
