"""Activations in PyTorch: torch.nn.functional, with refimpl's defaults passed explicitly."""

import torch
import torch.nn.functional as F


def step(x):
    # heaviside(x, values) returns `values` at x == 0: zeros, so step(0) = 0.
    # torch.heaviside has no derivative: its backward raises.
    return torch.heaviside(x, torch.zeros_like(x))


def sigmoid(x):
    return torch.sigmoid(x)


def tanh(x):
    return torch.tanh(x)


def relu(x):
    return F.relu(x)


def leaky_relu(x, slope=0.01):
    return F.leaky_relu(x, negative_slope=slope)


def softmax(x, axis=-1):
    return F.softmax(x, dim=axis)


def log_softmax(x, axis=-1):
    return F.log_softmax(x, dim=axis)


def softplus(x):
    # The default threshold=20 returns x itself above 20 (off by e^-x); at 40, e^-40 is below
    # half an ulp of x in float64, so the result is the exact function in every dtype.
    return F.softplus(x, threshold=40.0)


def elu(x, alpha=1.0):
    return F.elu(x, alpha=alpha)


def gelu(x, approximate=False):
    return F.gelu(x, approximate="tanh" if approximate else "none")


def silu(x):
    return F.silu(x)
