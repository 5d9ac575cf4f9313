"""Derivatives (미분) by numbers: the numerical derivative and gradient (기울기).

The derivative of f at x is the slope of f there: how much f moves when x is nudged.
The *central difference* nudges x both ways,

    f'(x) ~ (f(x + h) - f(x - h)) / 2h,

whose error falls like h^2 (the forward difference's only like h). Too small an h drowns
the difference in rounding error, so h is scaled to x: h = cbrt(eps) * max(1, |x|),
the step that balances the two errors for a central difference in float64.

The *gradient* of a function of many inputs is the vector of its partial derivatives
(편미분), one per input, and so it has exactly the input's shape. Computing it this way
nudges one weight at a time -- two evaluations of f per weight:

>>> calls = 0
>>> def loss(W):
...     global calls
...     calls += 1
...     return float(np.sum(W ** 2))
>>> W = np.arange(6.0).reshape(2, 3)
>>> numerical_gradient(loss, W).round(6)     # d(sum W^2)/dW = 2W, shaped like W
array([[ 0.,  2.,  4.],
       [ 6.,  8., 10.]])
>>> calls                                    # 2 x 6 weights; backprop needs 1 forward + 1 backward
12
"""

from __future__ import annotations

import numpy as np

__all__ = ["numerical_derivative", "numerical_gradient", "step_size"]

_CBRT_EPS = np.cbrt(np.finfo(np.float64).eps)  # about 6.06e-6


def step_size(x):
    """The central-difference step for x: cbrt(eps) * max(1, |x|), in float64."""
    return _CBRT_EPS * np.maximum(1.0, np.abs(np.asarray(x, dtype=np.float64)))


def numerical_derivative(f, x):
    """df/dx of a scalar function at a scalar x, by central differences in float64.

    >>> round(numerical_derivative(lambda x: x ** 3, 2.0), 6)   # 3 x^2 = 12
    12.0
    """
    x = float(x)
    h = float(step_size(x))
    # (x + h) - (x - h) is not exactly 2h in floating point: divide by the real spacing.
    hi, lo = x + h, x - h
    return float((f(hi) - f(lo)) / (hi - lo))


def numerical_gradient(f, x):
    """The gradient of a scalar-valued ``f`` at the array ``x``, by central differences.

    Nudges one element at a time, so it costs 2 * x.size evaluations of f. ``x`` is
    taken in float64 (the result is float64, shaped like ``x``); ``f`` receives a
    float64 array and must return a scalar.

    >>> numerical_gradient(lambda v: float(v[0] * v[1]), np.array([3.0, 4.0])).round(6)
    array([4., 3.])
    """
    x = np.array(x, dtype=np.float64)  # a private copy: the nudges must not leak out
    g = np.zeros_like(x)
    h = step_size(x)
    flat, gflat, hflat = x.reshape(-1), g.reshape(-1), h.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + hflat[i]
        hi_val, hi = _value(f, x), flat[i]
        flat[i] = old - hflat[i]
        lo_val, lo = _value(f, x), flat[i]
        flat[i] = old
        gflat[i] = (hi_val - lo_val) / (hi - lo)
    return g


def _value(f, x) -> float:
    """f(x) as a float: a gradient is of one number, so f must return exactly one."""
    y = f(x)
    if np.size(y) != 1:
        raise ValueError(f"numerical_gradient: f must return one number (a scalar), got "
                         f"shape {np.shape(y)}; take the gradient of one output at a time")
    return float(np.reshape(y, ()))
