"""Building blocks for results correct to the last bit or two, in plain numpy.

A reference is only useful if it is more accurate than what it judges. Two tools do it:

- ``hi``: compute float32 in float64 (29 spare bits) and round once at the end
  (``rounded``; float16 and bfloat16 go the same way, through float32);
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
    """``x`` in the precision accuracy-critical ops compute in: float64 (float16, bfloat16
    and float32 gain 29 or more spare bits; float64 stays float64). ``rounded`` brings
    the result back."""
    return np.asarray(x).astype(np.float64, copy=False)


def rounded(y, dtype) -> np.ndarray:
    """``y`` rounded to ``dtype`` as the op contract says: float16 and bfloat16 through
    float32, so that they are exactly refimpl's float32 result, rounded once more."""
    dtype = np.dtype(dtype)
    return np.asarray(y).astype(compute_dtype(dtype)).astype(dtype)


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


def shifted_by_max(x, axis):
    """x - max(x) along axis, as the pair (d, d_err) with d + d_err exact; e^(d + d_err);
    and the max's position (first one) as a mask. Shifting by the max keeps e^d <= 1
    (softmax, log_softmax)."""
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    first = np.zeros(x.shape, bool)
    if x.size:
        np.put_along_axis(first, np.expand_dims(np.argmax(x, axis=axis), axis), True, axis=axis)
    d, d_err = two_sum(x, -m)
    return d, d_err, exp_of_sum(d, d_err), first


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


# ------------------------------------------------------------------ sums and products
# A sum of terms of both signs can cancel: sum([x, 0.1, -0.3]) at x = 0.2 keeps none of
# the digits a naive float32 sum rounded away on the way. float32 (and float16/bfloat16,
# computed as float32) sums in float64, where its products are exact and its sums lose
# nothing the final rounding would keep; float64 carries each addition's and each
# product's rounding error (two_sum, two_prod) and adds them back once at the end
# (Ogita, Rump and Oishi's Sum2 and Dot2, summed pairwise). Each returns x's compute dtype.

def _sum2(x: np.ndarray, axes: tuple, keepdims: bool, pair: bool = False):
    """float64 sum over ``axes`` as if in twice the precision, rounded once (``pair``:
    unrounded, as hi + lo)."""
    rest = [d for d in range(x.ndim) if d not in axes]
    n = int(np.prod([x.shape[d] for d in axes], dtype=np.int64))
    v = np.transpose(x, rest + list(axes)).reshape([x.shape[d] for d in rest] + [n])
    err = np.zeros_like(v)
    with np.errstate(invalid="ignore"):
        while v.shape[-1] > 1:
            if v.shape[-1] % 2:         # pad with -0: x + -0 = x, and -0 + -0 stays -0
                v = np.concatenate([v, np.full(v.shape[:-1] + (1,), -0.0)], axis=-1)
                err = np.concatenate([err, np.zeros(err.shape[:-1] + (1,))], axis=-1)
            v, e = two_sum(v[..., 0::2], v[..., 1::2])
            err = (err[..., 0::2] + err[..., 1::2]) + e
    if v.shape[-1] == 0:
        s, err = np.zeros(v.shape[:-1]), np.zeros(v.shape[:-1])
    else:
        s, err = v[..., 0], err[..., 0]
    if pair:
        return two_sum(s, err)
    s = np.where(err == 0, s, s + err)          # where nothing was lost, s keeps its -0
    return np.expand_dims(s, axes) if keepdims else s


def _axes_of(axis, ndim) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return tuple(sorted(int(a) % ndim for a in axes))


def accurate_sum(x, axis=None, keepdims: bool = False) -> np.ndarray:
    """``np.sum(x, axis, keepdims)`` correct to about an ULP of the result in x's compute
    dtype, however much its terms cancel.

    >>> x = np.array([0.2, 0.1, -0.3], np.float32)   # exactly -7.450580596923828e-09
    >>> float(np.sum(x)), float(accurate_sum(x))
    (0.0, -7.450580596923828e-09)
    >>> x = np.array([0.2, 0.1, -0.3])               # exactly 2.7755575615628914e-17
    >>> float(np.sum(x)), float(accurate_sum(x))
    (5.551115123125783e-17, 2.7755575615628914e-17)
    >>> x = np.array([1e16, 1.0, -1e16])
    >>> float(np.sum(x)), float(accurate_sum(x))
    (0.0, 1.0)
    """
    x = np.asarray(x)
    dt = compute_dtype(x.dtype)
    axes = _axes_of(axis, x.ndim)
    if dt != np.float64:
        return np.sum(x.astype(np.float64), axis=axes, keepdims=keepdims).astype(dt)
    return _sum2(x.astype(dt, copy=False), axes, keepdims)


def accurate_dot(a, b, axis=-1, keepdims: bool = False) -> np.ndarray:
    """``np.sum(a * b, axis)`` (a and b broadcast) as ``accurate_sum`` sums: float32 and
    below in float64, where each product is exact; float64 as the pairs p + err of
    ``two_prod``, summed together."""
    a, b = np.asarray(a), np.asarray(b)
    dt = compute_dtype(np.result_type(a, b))
    a, b = np.broadcast_arrays(a, b)
    axes = _axes_of(axis, a.ndim)
    if dt != np.float64:
        return np.sum(a.astype(np.float64) * b.astype(np.float64), axis=axes,
                      keepdims=keepdims).astype(dt)
    p, err = two_prod(a.astype(dt), b.astype(dt))
    both = np.concatenate([p, err], axis=axes[-1])     # the sum of both halves is the same
    return _sum2(both, axes, keepdims)


_MATMUL_CHUNK = 1 << 20        # products held at once by the float64 matmul


def accurate_matmul(a, b) -> np.ndarray:
    """``np.matmul(a, b)`` for a and b of rank >= 2, as ``accurate_dot`` computes each
    entry. float64 forms the products of a block of rows at a time (memory stays
    bounded), then sums each over k."""
    a, b = np.asarray(a), np.asarray(b)
    dt = compute_dtype(np.result_type(a, b))
    if dt != np.float64:
        return np.matmul(a.astype(np.float64), b.astype(np.float64)).astype(dt)
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:]).astype(dt)
    b = np.broadcast_to(b, batch + b.shape[-2:]).astype(dt)
    n, k, m = a.shape[-2], a.shape[-1], b.shape[-1]
    rows = max(1, _MATMUL_CHUNK // max(1, k * m * int(np.prod(batch, dtype=np.int64))))
    out = [accurate_dot(a[..., i:i + rows, :, None], b[..., None, :, :], axis=-2)
           for i in range(0, n, rows)]
    return np.concatenate(out, axis=-2) if out else np.zeros(batch + (0, m))


def dot_of_others(x, y, axis=-1):
    """For each i along ``axis``: sum_{j != i} x_j y_j (float64), as the pair (hi, lo)
    whose sum is exact to about twice float64's precision. Each sum leaves out its own
    term: no total minus its own term, which cancels where one term is nearly the whole.

    >>> hi, lo = dot_of_others(np.array([1e16, 1.0, 2.0]), np.array([1.0, 1.0, 1.0]))
    >>> hi.tolist(), lo.tolist()            # 3; 1e16 + 2; 1e16 + 1, which needs lo
    ([3.0, 1.0000000000000002e+16, 1e+16], [0.0, 0.0, 1.0])
    """
    p, err = two_prod(*np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(y, np.float64)))
    n = p.shape[axis]
    terms = np.moveaxis(np.concatenate([p, err], axis=axis), axis, -1)   # (..., 2n)
    others = np.tile(~np.eye(n, dtype=bool), (1, 2))                     # row i: j != i
    hi, lo = _sum2(np.where(others, terms[..., None, :], 0.0), (terms.ndim,), False, pair=True)
    return np.moveaxis(hi, -1, axis), np.moveaxis(lo, -1, axis)
