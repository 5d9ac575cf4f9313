"""The one ULP helper (comparisons/ulp.py): the spacing of a dtype's floats in x's binade."""

import numpy as np
import pytest

from comparisons import DTYPES, compare
from comparisons.ulp import finfo, ulp, ulp_of_real, ulps_off

K = np.arange(-100, 100)


def test_just_below_a_power_of_two_is_in_the_binade_below():
    # log2 of these rounds up to k: a floor(log2) helper gave 196 of them twice their unit
    x = np.nextafter(np.ldexp(1.0, K), 0)
    assert np.array_equal(ulp(x, "float64"), np.ldexp(1.0, K - 1 - 52))
    x32 = np.nextafter(np.ldexp(np.float32(1), K), np.float32(0))
    assert np.array_equal(ulp(x32.astype(np.float64), "float32"), np.ldexp(1.0, K - 1 - 23))


def test_a_yardstick_not_representable_in_the_dtype_keeps_its_own_binade():
    # the float64 just below 2**k rounds to 2**k in float32; its float32 unit is still 2**(k-1-23)
    x = np.nextafter(np.ldexp(1.0, K), 0)
    assert (x.astype(np.float32) == np.ldexp(np.float32(1), K)).all()
    assert np.array_equal(ulp(x, "float32"), np.ldexp(1.0, K - 1 - 23))
    assert np.array_equal(ulp(-x, "float32"), ulp(x, "float32"))


@pytest.mark.parametrize("dtype", DTYPES)
def test_zero_and_subnormals_get_the_smallest_subnormal(dtype):
    fi = finfo(dtype)
    sub, tiny = float(fi.smallest_subnormal), float(fi.tiny)
    below_normal = [0.0, -0.0, sub / 4, sub, -sub, 3 * sub, tiny - sub, -(tiny - sub),
                    np.nextafter(tiny, 0)]
    assert (ulp(below_normal, dtype) == sub).all()
    assert float(ulp(tiny, dtype)) == sub              # the lowest binade has the same unit
    assert float(ulp(2 * tiny, dtype)) == 2 * sub


@pytest.mark.parametrize("dtype", DTYPES)
def test_beyond_the_largest_finite_value_is_the_top_binade(dtype):
    fi = finfo(dtype)
    top = 2.0 ** (fi.maxexp - 1 - fi.nmant)
    big = [float(fi.max), -float(fi.max), 1.5 * float(fi.max), np.inf, -np.inf]
    assert (ulp(big, dtype) == top).all()
    assert np.isnan(ulp(np.nan, dtype))


def test_the_16_bit_formats():
    assert ulp([1.0, 1.5, 2.0], "bfloat16").tolist() == [2.0 ** -7, 2.0 ** -7, 2.0 ** -6]
    assert ulp([1.0, 1.5, 2.0], "float16").tolist() == [2.0 ** -10, 2.0 ** -10, 2.0 ** -9]
    assert float(ulp(1e6, "float16")) == 32.0          # past 65504: the top binade's unit
    assert float(ulp(1e-30, "bfloat16")) == 2.0 ** -107     # 2**-100 <= 1e-30 < 2**-99
    assert float(ulp(1e-40, "bfloat16")) == 2.0 ** -133     # subnormal in bfloat16
    assert float(ulp(1e-30, "float16")) == 2.0 ** -24


def _own_values(dtype):
    """Every finite value of a 16-bit dtype; powers of two, their neighbours and random bit
    patterns of the wider ones."""
    dt = DTYPES[dtype]
    if dt.itemsize == 2:
        x = np.arange(2 ** 16).astype(np.uint16).view(dt)
    else:
        ints = np.dtype(f"uint{8 * dt.itemsize}")
        rng = np.random.default_rng(0)
        bits = rng.integers(0, np.iinfo(ints).max, 20000, dtype=ints, endpoint=True)
        p = np.ldexp(dt.type(1), np.arange(finfo(dtype).minexp, finfo(dtype).maxexp))
        x = np.concatenate([bits.view(dt), p, np.nextafter(p, dt.type(0)),
                            np.nextafter(p, dt.type(np.inf)), -p, dt.type([0, np.inf])])
    with np.errstate(invalid="ignore"):
        x = x[np.isfinite(x)]
    # np.spacing of the largest finite value is inf (the gap to the next float up); ours is
    # the top binade's unit
    return x[np.abs(x) < finfo(dtype).max]


@pytest.mark.parametrize("dtype", DTYPES)
def test_agrees_with_numpy_spacing_on_the_dtypes_own_values(dtype):
    x = _own_values(dtype)
    assert x.size > 20000 or DTYPES[dtype].itemsize == 2
    want = np.abs(np.spacing(np.abs(x))).astype(np.float64)
    assert np.array_equal(ulp(x.astype(np.float64), dtype), want)


def test_vectorised_in_any_shape():
    assert ulp(np.ones((2, 0, 3)), "float32").shape == (2, 0, 3)
    assert ulp(np.ones((2, 3)), "float64").dtype == np.float64
    assert ulp(1.0, "float64").shape == ()


def test_the_harness_measures_in_the_binade_of_the_reference():
    assert compare.ulp is ulp
    ref = np.nextafter(np.ldexp(1.0, K), 0)
    got = np.nextafter(ref, 0)                           # one float64 below: one ULP off
    c = compare.compare(ref, got, "float64", rtol=1e-15, atol=0.0)
    assert c.ok and c.max_ulp == 1.0


def test_the_harness_and_the_truth_count_errors_with_it():
    from comparisons import exact

    assert compare.ulps_off is ulps_off and exact.ulps_off is ulps_off
    assert exact.ulp_of_real is ulp_of_real
