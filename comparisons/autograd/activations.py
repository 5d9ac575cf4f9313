"""Activations in autograd: it has none built in, so each is the numpy an autograd user
writes, with autograd.scipy.special where it has the function (expit, logsumexp, erf)."""

import math

import autograd.numpy as anp
from autograd.scipy.special import erf, expit, logsumexp


def step(x):
    # heaviside(x, 0): step(0) = 0. autograd defines no derivative for it.
    return anp.heaviside(x, 0.0)


def sigmoid(x):
    return expit(x)


def tanh(x):
    return anp.tanh(x)


def relu(x):
    return anp.maximum(x, 0.0)


def leaky_relu(x, slope=0.01):
    return anp.where(x > 0, x, slope * x)


def softmax(x, axis=-1):
    return anp.exp(x - logsumexp(x, axis=axis, keepdims=True))


def log_softmax(x, axis=-1):
    return x - logsumexp(x, axis=axis, keepdims=True)


def softplus(x):
    return anp.logaddexp(0.0, x)


def elu(x, alpha=1.0):
    # expm1 of the negative part only: where() sends a zero gradient to the branch it does
    # not take, and 0 * expm1'(x) = 0 * inf is NaN for a large x
    return anp.where(x > 0, x, alpha * anp.expm1(anp.where(x > 0, anp.zeros_like(x), x)))


def gelu(x, approximate=False):
    if approximate:
        return 0.5 * x * (1 + anp.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def silu(x):
    return x * expit(x)
