"""One unit in the last place (ULP): the spacing of a dtype's floats at a value, and how
many of them a result is off (``ulps_off``; the harness and the accuracy sweep both count
errors with it).

For a dtype with ``nmant`` stored significand bits whose normal exponents run from
``minexp`` to ``maxexp - 1`` (float32: 23, -126..127; float64: 52, -1022..1023):

    ulp(x) = 2 ** (e - nmant)   where 2**e <= |x| < 2**(e+1),
                                e clamped to [minexp, maxexp - 1]

so below the smallest normal (0 included) the unit is the smallest subnormal, and past the
largest finite value (inf included) it is the spacing of the top binade. ``x`` is a
yardstick given in float64 and need not be representable in the dtype: its binade is read
from the float64 value itself, never from ``x`` rounded to the dtype, which can carry a
value just below a power of two up into the next binade (twice the unit).
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

from comparisons import DTYPES


def finfo(dtype: str):
    """The float format of a dtype named in ``comparisons.DTYPES`` (ml_dtypes' finfo: numpy's
    knows no bfloat16).

    >>> finfo("bfloat16").nmant, finfo("float16").minexp
    (7, -14)
    """
    return ml_dtypes.finfo(DTYPES[dtype])


def ulp(x, dtype: str) -> np.ndarray:
    """The spacing of ``dtype`` floats in the binade of |x|, as float64 (NaN for NaN).

    >>> just_below_2 = np.nextafter(2.0, 0)
    >>> np.log2(ulp([1.0, just_below_2, 2.0, -3.0, 0.0, 1e-40], "float32"))
    array([ -23.,  -23.,  -22.,  -22., -149., -149.])
    >>> float(ulp(1e300, "float32")) == 2.0 ** (127 - 23)      # beyond float32's max
    True
    >>> float(ulp(1.0, "bfloat16")), float(ulp(1.0, "float16"))
    (0.0078125, 0.0009765625)
    """
    fi = finfo(dtype)
    ax = np.abs(np.asarray(x, dtype=np.float64))
    _, e = np.frexp(ax)               # ax = m * 2**e with 1/2 <= m < 1: the binade is e - 1
    # frexp gives exponent 0 for 0 and inf; they belong at the bottom and the top.
    e = np.where(ax == 0, fi.minexp, np.where(np.isinf(ax), fi.maxexp - 1, e - 1))
    e = np.clip(e, fi.minexp, fi.maxexp - 1)
    return np.where(np.isnan(ax), np.nan, np.ldexp(1.0, e - fi.nmant))


def ulp_of_real(values, rounded, dtype: str) -> np.ndarray:
    """``ulp`` of real numbers (mpmath's mpf, or anything that compares with floats), given
    each one's float64 rounding ``rounded``.

    The binade of the real v, not of v rounded: float(v) may round up to the power of two
    above it (2 - 2**-100 -> 2.0, or past float64's max to inf); the float next to it
    toward 0 stays in v's binade, or in the one the dtype's clamping gives it anyway.

    >>> from fractions import Fraction
    >>> just_below_2 = 2 - Fraction(1, 2 ** 100)
    >>> ulp_of_real([just_below_2], [float(just_below_2)], "float64").tolist()
    [2.220446049250313e-16]
    """
    up = np.array([abs(h) > abs(v) for h, v in zip(rounded, values)], bool)
    h = np.array(rounded, np.float64)
    return ulp(np.where(up, np.nextafter(h, 0.0), h), dtype)


def ulps_off(got, want, unit, lo=0.0) -> np.ndarray:
    """How many units ``unit`` ``got`` lies from the number ``want + lo * unit``:

        |got - (want + lo * unit)| / unit = |(got - want) / unit - lo|

    (``lo``, in units, carries what a float64 ``want`` leaves of a more precise value);
    a NaN or infinite ``got`` is infinitely far. With ``unit = ulp(want, dtype)`` and
    ``lo = 0``, the error of ``got`` in ULPs of ``dtype``.

    >>> ulps_off([1.0 + 2 ** -52, np.nan], 1.0, ulp(1.0, "float64")).tolist()
    [1.0, inf]
    """
    g = np.asarray(got, np.float64)
    with np.errstate(all="ignore"):
        err = np.abs((g - want) / unit - lo)
    return np.where(np.isfinite(g), err, np.inf)
