"""refimpl._accurate: error-free transformations and the accurate sums, dots and matmul.

Every expected value is exact (``fractions.Fraction``) or from mpmath / ``math``: the
point of these helpers is to be more accurate than a plain float computation, so a plain
float computation cannot be the yardstick.
"""

import math
import warnings
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from refimpl import _accurate
from refimpl._accurate import (_split, accurate_dot, accurate_matmul, accurate_sum, dot_of_others,
                               erfc, exp_of_sum, series_at_root, sigmoid_pair_of_sum,
                               times_tiny_exp, two_prod, two_sum)

MP = mpmath.MPContext()
MP.prec = 300


def exact(x) -> Fraction:
    return Fraction(float(x))


def mp_exact(v) -> Fraction:
    """An mpmath number (300 bits) as a Fraction."""
    man, exp = MP.mpf(v).man_exp
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def assert_within_ulps(result, value: Fraction, dtype, n=1):
    """|result - value| <= n ULPs of result, in ``dtype``, and result has that dtype."""
    result = np.asarray(result)
    assert result.dtype == dtype
    ulp = Fraction(float(np.spacing(np.abs(result).astype(dtype))))
    assert abs(exact(result) - value) <= n * ulp, (float(result), float(value))


# -------------------------------------------------------- error-free transformations

PAIRS = [(0.1, 0.2), (1e16, 1.0), (1.0, -1e-20), (3.0, -3.0), (1.5e200, -2.5e-200),
         (0.1, -0.1 + 2.0 ** -60), (2.0 ** 53 + 2, -0.75), (1e10 / 3, 3e-7 / 7)]


@pytest.mark.parametrize("a, b", PAIRS)
def test_two_sum_and_two_prod_are_exact(a, b):
    """s + err is a + b and p + err is a * b, exactly: the rounding error is not lost."""
    s, err = two_sum(np.float64(a), np.float64(b))
    assert exact(s) + exact(err) == Fraction(a) + Fraction(b) and s == a + b
    p, err = two_prod(np.float64(a), np.float64(b))
    assert exact(p) + exact(err) == Fraction(a) * Fraction(b) and p == a * b


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_two_prod_works_in_the_dtype_of_a(dtype):
    """A constant b is taken in a's dtype: a float32 product stays float32, and exact."""
    a = np.array([1.1, -3.3, 7.7], dtype)
    p, err = two_prod(a, 0.3)
    assert p.dtype == err.dtype == dtype
    b = Fraction(float(dtype(0.3)))
    for x, y, e in zip(a, p, err):
        assert exact(y) + exact(e) == exact(x) * b


def test_overflowed_sum_or_product_carries_no_error_term():
    """Where fl(a + b) or fl(a * b) is infinite, err is 0 (not nan): adding it back is harmless."""
    with np.errstate(all="ignore"):
        assert two_sum(np.float64(np.inf), np.float64(1.0))[1] == 0.0
        assert two_sum(np.float64(1e308), np.float64(1e308))[1] == 0.0
    assert two_prod(np.float64(1e300), np.float64(1e300))[1] == 0.0


def test_two_prod_of_a_huge_and_a_tiny_factor_neither_warns_nor_adds_error():
    """Splitting 1e305 overflows inside two_prod; that must stay silent and add nothing."""
    with np.errstate(all="raise"):
        p, err = two_prod(np.float64(1e305), np.float64(1e-305))
        assert (p, err) == (1e305 * 1e-305, 0.0)
        dot = accurate_dot(np.array([1e305]), np.array([1e-305]))
    assert_within_ulps(dot, Fraction(1e305) * Fraction(1e-305), np.float64)


def _significant_bits(x):
    """The number of bits from the leading to the trailing 1 of each |x| (0 for 0)."""
    m, _ = np.frexp(np.abs(x.astype(np.float64)))
    m = np.ldexp(m, 64).astype(np.uint64)              # the significand, as an integer
    trailing = np.log2((m & (~m + np.uint64(1))).astype(np.float64) + (m == 0)).astype(int)
    return np.where(m == 0, 0, 64 - trailing)


def _mantissas_in_1_2(dtype, step):
    """Every step-th float of dtype in [1, 2), and the same scaled and negated."""
    nmant = np.finfo(dtype).nmant
    ints = {2: np.uint16, 4: np.uint32, 8: np.uint64}[np.dtype(dtype).itemsize]
    one = np.array(1.0, dtype).view(ints)
    x = (one + np.arange(0, 1 << nmant, step, dtype=np.uint64).astype(ints)).view(dtype)
    return np.concatenate([x, -x * dtype(8)])


@pytest.mark.parametrize("dtype, x", [
    (np.float16, _mantissas_in_1_2(np.float16, 1)),
    (np.float32, _mantissas_in_1_2(np.float32, 5)),
    (np.float64, np.concatenate([_mantissas_in_1_2(np.float64, (1 << 35) - 1),
                                 [float.fromhex("0x1.0000003ff0001p+0")]])),
])
def test_split_halves_are_exact_and_each_about_half_the_significand(dtype, x):
    """Veltkamp's split (p bits, s = ceil(p/2)): x = hi + lo exactly, hi has at most p - s
    bits and lo at most s - 1, so the products of halves in two_prod are exact."""
    x = x.astype(dtype)
    hi, lo = _split(x)
    assert hi.dtype == lo.dtype == dtype
    assert np.array_equal(hi.astype(np.float64) + lo.astype(np.float64), x.astype(np.float64))
    p = np.finfo(dtype).nmant + 1
    s = (p + 1) // 2
    assert _significant_bits(hi).max() <= p - s
    assert _significant_bits(lo).max() <= s - 1


# ----------------------------------------------------------------- accurate sums

CANCELLING = [
    [0.2, 0.1, -0.3],
    [1e16, 1.0, -1e16],
    [1e16, 1.0, -1e16, 1.0],                  # the errors of both pairs must add up
    [1.0, 1e-17, 1e-17, -1.0, 1e-17],
    [3.0, 1e100, 0.1, -1e100, -3.0, 1e-30, 7.0],
    [2.0 ** 60, 1.0, 2.0 ** 60, -1.0, -(2.0 ** 61), 0.5, 1e-20, 1e-20, 1e-20],
]


@pytest.mark.parametrize("x", CANCELLING)
def test_float64_sum_and_dot_are_within_an_ulp_however_much_they_cancel(x):
    """accurate_sum / accurate_dot keep the digits a plain float64 sum loses."""
    value = sum(map(Fraction, x))
    assert_within_ulps(accurate_sum(np.array(x)), value, np.float64)
    assert_within_ulps(accurate_dot(np.array(x), np.ones(len(x))), value, np.float64)
    ys = np.array([3.0, -0.1, 7.0, 1e-3, 0.7, 11.0, -2.0, 0.3, 5.0][:len(x)])
    dot = sum(Fraction(a) * Fraction(b) for a, b in zip(x, ys))
    assert_within_ulps(accurate_dot(np.array(x), ys), dot, np.float64)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_a_sum_of_negative_zeros_is_negative_zero(n):
    """-0 + -0 = -0 in IEEE arithmetic; the pairwise padding must not turn it into +0."""
    total = accurate_sum(np.full(n, -0.0))
    assert total == 0 and np.signbit(total)


def test_a_sum_with_an_infinity_is_infinite_and_silent():
    """inf - inf inside the error terms is expected: no FloatingPointError, no warning."""
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        assert accurate_sum(np.array([np.inf, 1.0, 2.0])) == np.inf


F32 = np.array([[0.1, 0.2, -0.3, 1e-3], [3.0, 2048.0, 1.0, -2048.0]], np.float32)
F32_B = np.array([[7.0, -3.0, 0.25, 100.0], [1.0, 1.0, 3.0, -1.0]], np.float32)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("keepdims", [False, True])
def test_float32_sums_and_dots_reduce_the_axis_asked_and_keep_the_compute_dtype(dtype, keepdims):
    """Below float64 the result is float32 (float16 computes as float32), along ``axis``."""
    x, y = F32.astype(dtype), F32_B.astype(dtype)
    total = accurate_sum(x, axis=1, keepdims=keepdims)
    dot = accurate_dot(x, y, axis=-1, keepdims=keepdims)
    assert total.shape == dot.shape == ((2, 1) if keepdims else (2,))
    for i in range(2):
        row = [exact(v) for v in x[i]]
        assert_within_ulps(total.reshape(2)[i], sum(row), np.float32)
        assert_within_ulps(dot.reshape(2)[i], sum(r * exact(v) for r, v in zip(row, y[i])),
                           np.float32)


# --------------------------------------------------------------------- matmul

_fractions = np.frompyfunc(lambda v: Fraction(float(v)), 1, 1)


def _exact_matmul(a, b):
    """a @ b in exact rational arithmetic (object arrays of Fractions)."""
    return (_fractions(a)[..., :, :, None] * _fractions(b)[..., None, :, :]).sum(axis=-2)


A3 = np.array([[[1e16, 1.0, -1e16], [0.1, 0.2, -0.3], [1.0, 2.0, 3.0]],
               [[-1.0, 1e-20, 1.0], [5.0, 0.0, 2.0], [1e300, 1.0, -1e300]]])
B3 = np.array([[1.0, 0.5], [1.0, -2.0], [1.0, 0.25]])


@pytest.mark.parametrize("chunk", [1 << 20, 1, 7])
@pytest.mark.parametrize("a, b", [(A3, B3), (A3[0], B3), (A3[:, None], np.stack([B3, -B3]))])
def test_float64_matmul_is_within_an_ulp_whatever_the_row_chunking(monkeypatch, chunk, a, b):
    """Each entry is an accurate dot over k; forming the products a block of rows at a
    time (small _MATMUL_CHUNK: several blocks, with batch axes) changes nothing."""
    monkeypatch.setattr(_accurate, "_MATMUL_CHUNK", chunk)
    y = accurate_matmul(a, b)
    want = _exact_matmul(a, b)
    assert y.shape == np.matmul(a, b).shape
    for got, value in zip(y.ravel(), want.ravel()):
        assert_within_ulps(got, value, np.float64)


@pytest.mark.parametrize("chunk, shapes", [(36, ((2, 2, 9), (9, 2))), (5, ((4, 3), (3, 4))),
                                           (40, ((2, 1, 9, 2), (3, 2, 2)))])
def test_float64_matmul_forms_at_most_chunk_products_at_once(monkeypatch, chunk, shapes):
    """Memory stays bounded: each block of rows holds <= _MATMUL_CHUNK products (one row
    when a single row is already more)."""
    blocks = []
    dot = _accurate.accurate_dot

    def recording_dot(a, b, axis):
        blocks.append(np.broadcast_shapes(a.shape, b.shape))
        return dot(a, b, axis=axis)
    monkeypatch.setattr(_accurate, "_MATMUL_CHUNK", chunk)
    monkeypatch.setattr(_accurate, "accurate_dot", recording_dot)
    a, b = np.ones(shapes[0]), np.ones(shapes[1])
    assert np.array_equal(accurate_matmul(a, b), np.matmul(a, b))
    for shape in blocks:
        assert math.prod(shape) <= chunk or shape[-3] == 1
    assert sum(shape[-3] for shape in blocks) == a.shape[-2]


@pytest.mark.parametrize("da, db", [(np.float32, np.float32), (np.float16, np.float32),
                                    (np.float64, np.float32), (np.float32, np.float64)])
def test_matmul_result_has_the_compute_dtype_of_both_operands(da, db):
    """float32 in float64 and rounded back to float32; a float64 operand keeps float64."""
    a, b = F32.astype(da), F32_B.T.astype(db)
    y = accurate_matmul(a, b)
    dtype = np.result_type(np.float32, da, db)
    want = _exact_matmul(a, b)
    for got, value in zip(y.ravel(), want.ravel()):
        assert_within_ulps(got, value, dtype)


def test_dot_of_others_leaves_out_each_own_term_in_float64():
    """sum_{j != i} x_j y_j exactly as hi + lo, whatever x's dtype (float32 x included)."""
    x = np.array([1.0, 1.0, 1.0, 2.0], np.float32)
    y = np.array([1.0 + 2.0 ** -40, 1e16, 1.0, -0.125])
    hi, lo = dot_of_others(x, y)
    terms = [exact(a) * exact(b) for a, b in zip(x, y)]
    for i in range(4):
        assert exact(hi[i]) + exact(lo[i]) == sum(terms) - terms[i]


# ------------------------------------------------------------ scalar helpers

def test_exp_of_sum_adds_the_correction():
    """e^(d + d_err) = e^d (1 + d_err) to first order: the correction's sign matters."""
    for d, d_err in [(0.0, 1e-10), (1.0, -3e-12)]:
        want = MP.exp(MP.mpf(d) + MP.mpf(d_err))
        assert_within_ulps(exp_of_sum(np.float64(d), d_err), mp_exact(want), np.float64)


def test_erfc_without_a_low_part_is_the_c_library_erfc_in_the_dtype_of_z():
    """erfc(z) with no z_lo is math.erfc; an array of float32 stays float32."""
    z = np.array([-1.0, 0.5, 3.0])
    assert erfc(z).tolist() == [math.erfc(v) for v in z]
    assert float(erfc(np.float64(0.5))) == math.erfc(0.5)
    y = erfc(z.astype(np.float32))
    assert y.dtype == np.float32
    assert y.tolist() == [float(np.float32(math.erfc(np.float32(v)))) for v in z]


def test_series_at_root_is_returned_in_the_dtype_of_x():
    """2h + 3h^2 at h = x - 1 = 0.5 is 1.75 exactly, and float32 x gives float32."""
    y = series_at_root(np.array([1.5], np.float32), 1.0, 0.0, (2.0, 0.0), [3.0])
    assert y.dtype == np.float32 and y.tolist() == [1.75]


def test_sigmoid_pair_of_sum_gives_s_of_x_and_s_of_minus_x():
    """(s(x + x_lo), s(-x - x_lo)) on both sides of 0 (e^-|x|, 1 + e, a division: 2 ULPs)."""
    x = np.array([-2.0, 0.0, 2.0])
    s, s_neg = sigmoid_pair_of_sum(x, 0.0)
    for v, a, b in zip(x, s, s_neg):
        assert_within_ulps(a, mp_exact(1 / (1 + MP.exp(-v))), np.float64, n=2)
        assert_within_ulps(b, mp_exact(1 / (1 + MP.exp(v))), np.float64, n=2)


@pytest.mark.parametrize("y_lo", [0.0, 2.0 ** -53, -(2.0 ** -53)])
def test_times_tiny_exp_carries_ln2_to_twice_float64(y_lo):
    """At y = -1024 ln2_hi, e^y is 2^-1024 e^(1024 ln2_lo): that remainder of ln 2 and
    y_lo must both reach the (here correctly rounded) result."""
    a, y = 2.0 ** 100, -1024 * _accurate._LN2_HI
    want = MP.mpf(a) * MP.exp(MP.mpf(y) + MP.mpf(y_lo))
    assert float(times_tiny_exp(np.float64(a), np.float64(y), y_lo)) == float(want)
