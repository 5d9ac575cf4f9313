"""Building blocks for results correct to the last bit or two, in plain numpy.

A reference is only useful if it is more accurate than what it judges. Two tools do it:

- ``hi``: compute float32 in float64 (29 spare bits) and round once at the end;
- error-free transformations for float64 (Dekker, Knuth): a + b and a * b are exactly
  s + err, with err computable in ordinary floating point. Where a function's slope
  magnifies an input's rounding error (exp(x - m), erfc(x / sqrt 2)), the err term is
  carried one step further.
"""

from __future__ import annotations

import math

import numpy as np

from refimpl._arrays import compute_dtype


def hi(x: np.ndarray) -> np.ndarray:
    """``x`` in the precision accuracy-critical ops compute in: float32 -> float64;
    float16 and bfloat16 -> float32 (the op contract); float64 stays float64."""
    x = np.asarray(x)
    if x.dtype == np.float32:
        return x.astype(np.float64)
    return x.astype(compute_dtype(x.dtype), copy=False)


def two_sum(a, b):
    """(s, err) with s = fl(a + b) and s + err = a + b exactly (Knuth's TwoSum)."""
    s = a + b
    b_virtual = s - a
    err = (a - (s - b_virtual)) + (b - b_virtual)
    return s, np.where(np.isfinite(err), err, 0)


def _split(a):
    # Veltkamp's split: a = a_hi + a_lo, each with half the significand's bits.
    bits = np.finfo(a.dtype).nmant + 1
    c = (2.0 ** ((bits + 1) // 2) + 1) * a
    a_hi = c - (c - a)
    return a_hi, a - a_hi


def two_prod(a, b, b_lo: float = 0.0):
    """(p, err) with p = fl(a * b) and p + err = a * (b + b_lo) to about twice the
    working precision (Dekker's TwoProduct; ``b_lo`` extends a constant ``b``)."""
    a = np.asarray(a)
    b = np.asarray(b, dtype=a.dtype)
    with np.errstate(all="ignore"):
        p = a * b
        a_hi, a_lo = _split(a)
        b_hi, b_lo_split = _split(b)
        err = ((a_hi * b_hi - p) + a_hi * b_lo_split + a_lo * b_hi) + a_lo * b_lo_split
        err = err + a * b_lo
    return p, np.where(np.isfinite(err), err, 0)


def exp_of_sum(d, d_err):
    """e^(d + d_err) for a small correction d_err: e^d (1 + d_err)."""
    e = np.exp(d)
    return e + e * d_err


_erfc = np.frompyfunc(math.erfc, 1, 1)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def erfc(z, z_lo=0.0):
    """erfc(z + z_lo), element by element (the C library's erfc, through ``math``), with
    a first-order correction for the low part: d erfc/dz = -2/sqrt(pi) e^(-z^2)."""
    z = np.asarray(z)
    c = _erfc(z).astype(z.dtype) if z.ndim else z.dtype.type(math.erfc(z))
    return c - _TWO_OVER_SQRT_PI * np.exp(-z * z) * z_lo


def sigmoid_pair(x):
    """(s(x), s(-x)) from e = e^-|x| <= 1 only: no overflow, no 1 - s."""
    e = np.exp(-np.abs(x))
    a, b = 1 / (1 + e), e / (1 + e)
    pos = x >= 0
    return np.where(pos, a, b), np.where(pos, b, a)
