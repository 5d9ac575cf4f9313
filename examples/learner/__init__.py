"""A learner's hand-written numpy, in the style of the source posts and of "Deep Learning
from Scratch": each op's forward beside its backward. Three of them hold a mistake a
learner really makes; `refimpl check examples/learner --dtypes float64` finds them:

- ``softmax`` exponentiates x without subtracting its max first: e^x overflows to inf for
  x > 709, and inf / inf is NaN;
- ``Sigmoid.backward`` multiplies by x (1 - x), the input, where the derivative s (1 - s)
  belongs (written e / (1 + e)^2 with e = e^-|x|: s (1 - s) itself is 0 wherever s
  rounds to 1, for x > 37, while the derivative is still 1e-16);
- ``mse``'s mean divides by the batch size len(y), not by the number of elements y.size:
  right for a vector, wrong for a batch of vectors.

Everything else here is right, so that check passes it; the ops not written here are
`unsupported` (not implemented).
"""

import numpy as np


def _unbroadcast(g, shape):
    """The gradient of an input that broadcasting enlarged: summed back to its shape."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


# ------------------------------------------------------------- the graph's nodes (functions)

def add(a, b):
    return a + b


def add_backward(a, b, dout):
    return _unbroadcast(dout, a.shape), _unbroadcast(dout, b.shape)


def mul(a, b):
    return a * b


def mul_backward(a, b, dout):
    return _unbroadcast(dout * b, a.shape), _unbroadcast(dout * a, b.shape)


def exp(x):
    return np.exp(x)


def exp_backward(x, dout):
    return dout * np.exp(x)


# ---------------------------------------------------------------- activations (layers)

class Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class Sigmoid:
    def forward(self, x):
        e = np.exp(-np.abs(x))                      # never overflows
        self.x, self.e = x, e
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def backward(self, dout):
        return dout * self.x * (1 - self.x)        # MISTAKE: s (1 - s), not x (1 - x)


def softmax(x, axis=-1):
    e = np.exp(x)                                   # MISTAKE: e^(x - max x) never overflows
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(x, dout, axis=-1):
    y = softmax(x, axis)
    return y * (dout - (dout * y).sum(axis=axis, keepdims=True))


# ----------------------------------------------------------------------------------- loss

def mse(y, t, reduction="mean"):
    squares = (y - t) ** 2
    if reduction == "none":
        return squares
    total = squares.sum()
    return total / len(y) if reduction == "mean" else total     # MISTAKE: y.size, not len(y)


def mse_backward(y, t, dout, reduction="mean"):
    d = 2 * (y - t) * dout
    return d / len(y) if reduction == "mean" else d             # the same count
