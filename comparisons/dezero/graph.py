"""Computational-graph nodes in DeZero: its operators and dezero.functions, each a
``Function`` with the forward and backward the book writes (steps 1-40)."""

import dezero.functions as F


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
    return F.exp(x)


def log(x):
    return F.log(x)


def branch(x, n=2):
    # DeZero needs no branch node: a variable used twice adds up its gradients
    # (Variable.backward: x.grad = x.grad + gx, step 14 of the book).
    return (x,) * n


def broadcast_to(x, shape):
    return F.broadcast_to(x, shape)


def sum(x, axis=None, keepdims=False):
    return F.sum(x, axis=axis, keepdims=keepdims)


def reshape(x, shape):
    return F.reshape(x, shape)


def transpose(x, axes=None):
    return F.transpose(x, axes)
