"""Building blocks for results correct to the last bit or two, in plain numpy.

A reference is only useful if it is more accurate than what it judges. Two tools do it:

- ``hi``: compute float32 in float64 (29 spare bits) and round once at the end;
- error-free transformations for float64 (Dekker, Knuth): a + b and a * b are exactly
  s + err, with err computable in ordinary floating point. Where a function's slope
  magnifies an input's rounding error (exp(x - m), erfc(x / sqrt 2)), the err term is
  carried one step further.
"""

from __future__ import annotations

import decimal
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


def sigmoid_pair_of_sum(x, x_lo):
    """(s(x + x_lo), s(-x - x_lo)) for a small correction x_lo, as ``sigmoid_pair``.

    e^-|x + x_lo| = e^-|x| (1 - sign(x) x_lo): the correction matters where |x| is large,
    since s's relative slope there is about |x| (a rounding of x grows |x|-fold)."""
    e = np.exp(-np.abs(x))
    e = e - e * (np.sign(x) * x_lo)
    a, b = 1 / (1 + e), e / (1 + e)
    pos = x >= 0
    return np.where(pos, a, b), np.where(pos, b, a)


def series_at_root(x, root_hi: float, root_lo: float, c1, coeffs):
    """sum_k c_k h^k, h = x - root, for a function whose Taylor series at its root
    ``root = root_hi + root_lo`` has the coefficients c_0 = 0, c_1 = ``c1`` (a pair
    (hi, lo)) and c_2, c_3, ... = ``coeffs``.

    Near a root, a formula that subtracts two nearly equal terms loses all its digits;
    the series has none to lose, and its leading term c_1 h carries the full relative
    precision as long as c_1 and h do. h does: h = (x - root_hi) - root_lo with
    x - root_hi exact near the root (Sterbenz: y/2 <= x <= 2y makes x - y exact), kept as
    the pair (x - root_hi, -root_lo); c_1 is a pair too, and (c_1 + t) h, t = c_2 h +
    c_3 h^2 + ..., is summed with two_sum / two_prod and rounded once. Evaluated in
    float64 whatever the dtype, returned in the dtype of ``x``.
    """
    x = np.asarray(x)
    h_hi = x.astype(np.float64) - root_hi
    h_lo = -root_lo
    h = h_hi + h_lo
    t = np.zeros_like(h)
    for c in coeffs[::-1]:              # Horner: t = c_2 h + c_3 h^2 + ... + c_n h^(n-1)
        t = (t + c) * h
    s, s_lo = two_sum(np.float64(c1[0]), t)      # c_1 + t as a pair
    s_lo = s_lo + c1[1]
    p, p_lo = two_prod(s, h_hi)
    return (p + (p_lo + (s * h_lo + s_lo * h_hi))).astype(x.dtype)


def erfcx(z):
    """The scaled complementary error function e^(z^2) erfc(z), for large z (>= 20 or so).

    Laplace's continued fraction erfcx(z) = (1/sqrt(pi)) / (z + (1/2)/(z + 1/(z + (3/2)/
    (z + 2/(z + ...))))) converges fast for large z; 30 levels, evaluated from the bottom
    up, leave an error far below float64's resolution for z >= 20."""
    z = np.asarray(z)
    t = z
    for k in range(30, 0, -1):
        t = z + (k / 2) / t
    return (1 / math.sqrt(math.pi)) / t


_LN2_HI = math.log(2)                                   # ln 2 = _LN2_HI + _LN2_LO
_LN2_LO = float(decimal.Decimal(2).ln(decimal.Context(prec=40)) - decimal.Decimal(_LN2_HI))


def times_tiny_exp(a, y, y_lo=0.0):
    """a e^(y + y_lo) for y below about -700, where e^y is near or below the smallest
    normal float64 (e^-708).

    Rounded to a subnormal, e^y keeps only a few bits, and multiplying by a (|a| > 1)
    multiplies that rounding error too. e^y = 2^-1024 e^(y + 1024 ln 2) computes the same
    number from normal floats and rounds into the subnormal range once, at the end (the
    scaling by a power of two is exact otherwise). y + 1024 ln2_hi is exact for
    -1419 <= y <= -355 (Sterbenz); below, the result is 0 anyway."""
    e = exp_of_sum(y + 1024 * _LN2_HI, y_lo + 1024 * _LN2_LO)
    return np.ldexp(a * e, -1024)
