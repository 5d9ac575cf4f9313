"""Computational-graph nodes in autograd: numpy's own operators and functions, from
``autograd.numpy``; make_vjp traces them (an ArrayBox's operators are autograd.numpy's
add, subtract, ...) and runs the vjp autograd defines for each."""

import autograd.numpy as anp


def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def neg(x):
    return -x


def mul(a, b):
    return a * b


def div(a, b):
    return a / b


def pow(x, c):
    return x ** c


def exp(x):
    return anp.exp(x)


def log(x):
    return anp.log(x)


def branch(x, n=2):
    # autograd needs no branch node: a value used n times adds up its n cotangents
    # (backward_pass sums the outgrads of each node's uses).
    return (x,) * n


def repeat(x, n, axis):
    return anp.repeat(x, n, axis=axis)


def broadcast_to(x, shape):
    return anp.broadcast_to(x, shape)


def sum(x, axis=None, keepdims=False):
    return anp.sum(x, axis=axis, keepdims=keepdims)


def reshape(x, shape):
    return anp.reshape(x, shape)


def transpose(x, axes=None):
    return anp.transpose(x, axes)
