"""Computational-graph nodes in PyTorch: each op is one torch call, and autograd
records the graph (torch builds the backward of every node for you)."""

import torch


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
    return torch.pow(x, c)


def exp(x):
    return torch.exp(x)


def log(x):
    return torch.log(x)


def branch(x, n=2):
    # torch needs no branch node: using a tensor twice accumulates its gradient.
    # clone() makes each use a distinct output so that each gets its own gradient.
    return tuple(x.clone() for _ in range(n))


def repeat(x, n, axis):
    return torch.repeat_interleave(x, n, dim=axis)


def broadcast_to(x, shape):
    return torch.broadcast_to(x, shape)


def sum(x, axis=None, keepdims=False):
    return torch.sum(x, dim=axis, keepdim=keepdims)


def reshape(x, shape):
    return torch.reshape(x, shape)


def transpose(x, axes=None):
    return torch.permute(x, tuple(reversed(range(x.ndim))) if axes is None else axes)
