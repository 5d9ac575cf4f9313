"""The constants behind refimpl's accurate GELU / SiLU derivatives, checked against mpmath.

Near the root of a derivative (GELU' at -0.7518, tanh-GELU' at -0.7525, SiLU' at -1.2785)
refimpl evaluates a Taylor series whose root (two floats, hi + lo) is a literal and whose
coefficients come from closed forms. Both are recomputed here at 200 bits, and the
series is compared with the exact derivative at points around each root.
"""

import mpmath
import numpy as np
import pytest

from comparisons.truth import ulp_error
from refimpl import _gelu_silu as A     # the roots, windows and series GELU and SiLU use
from refimpl.activations import gelu, silu
from refimpl._accurate import erfcx, series_at_root

M = mpmath.MPContext()
M.prec = 200
C_TANH = M.mpf("0.044715")


def _sig(x):
    return 1 / (1 + M.exp(-x))


def dgelu(x):
    return M.erfc(-x / M.sqrt(2)) / 2 + x * M.exp(-x * x / 2) / M.sqrt(2 * M.pi)


def dgelu_tanh(x):
    u = M.sqrt(2 / M.pi) * (x + C_TANH * x ** 3)
    du = M.sqrt(2 / M.pi) * (1 + 3 * C_TANH * x * x)
    s = _sig(2 * u)
    return s + x * 2 * du * s * _sig(-2 * u)


def dsilu(x):
    return _sig(x) * (1 + x * _sig(-x))


CASES = {
    "gelu": (dgelu, A._GELU_ROOT, A._GELU_SERIES, A._GELU_WINDOW),
    "gelu_tanh": (dgelu_tanh, A._GELU_TANH_ROOT, A._GELU_TANH_SERIES, A._SIGMOID_WINDOW),
    "silu": (dsilu, A._SILU_ROOT, A._SILU_SERIES, A._SIGMOID_WINDOW),
}
# How each series is made (at import, once): recomputed by the tests, so that they also
# reach that code when it changes (mutation testing runs the tests, not the import).
MADE = {
    "gelu": lambda: A._gelu_grad_series(A._GELU_ROOT),
    "gelu_tanh": lambda: A._x_sigmoid_grad_series(A._GELU_TANH_ROOT,
                                                  A._tanh_u_series(A._GELU_TANH_ROOT)),
    "silu": lambda: A._x_sigmoid_grad_series(A._SILU_ROOT, [A._dec(A._SILU_ROOT), 1]),
}


@pytest.mark.parametrize("name", CASES)
def test_root_literal_is_the_root_to_twice_float64(name):
    f, (hi, lo), _, _ = CASES[name]
    root = M.findroot(f, M.mpf(hi))
    assert hi == float(root)                          # hi: the root rounded to float64
    assert lo == float(root - hi)                     # lo: the rest, rounded
    assert abs(M.mpf(hi) + lo - root) < M.ldexp(abs(root), -104)


@pytest.mark.parametrize("name", CASES)
def test_series_coefficients_match_mpmath(name):
    f, (hi, lo), series, _ = CASES[name]
    assert A._coefficients(MADE[name]()) == series      # what the op uses is what is made
    c1, rest = series
    root = M.mpf(hi) + lo
    exact = M.taylor(f, root, len(rest) + 1)          # c_k = f^(k)(root) / k!
    assert abs(exact[0]) < M.ldexp(1, -100)           # a root: c_0 = 0
    assert abs(M.mpf(c1[0]) + c1[1] - exact[1]) < M.ldexp(abs(exact[1]), -100)
    for k, c in enumerate(rest, start=2):
        assert abs(M.mpf(c) - exact[k]) <= M.ldexp(abs(exact[k]), -52) + M.ldexp(1, -200)


@pytest.mark.parametrize("name", CASES)
def test_series_near_the_root_is_within_about_one_ulp(name):
    """At the root's float64 neighbours and across the window (truncation included):
    a rounding of the result, plus a little for the higher terms far from the root."""
    f, (hi, lo), series, window = CASES[name]
    near = [hi]
    for _ in range(6):
        near.append(float(np.nextafter(near[-1], 0)))
    for _ in range(6):
        near.insert(0, float(np.nextafter(near[0], -1)))
    xs = np.array(near + list(np.linspace(hi - window, hi + window, 41)))
    got = series_at_root(xs, hi, lo, *series)
    worst = max(ulp_error(g, f(M.mpf(float(x))), "float64") for x, g in zip(xs, got))
    assert worst <= 1.25


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", CASES)
def test_derivative_through_refimpl_near_the_root(name, dtype):
    """The whole path (grad of the op), on both sides of the window edge too."""
    import refimpl

    f, (hi, _), _, window = CASES[name]
    op = {"gelu": gelu, "gelu_tanh": lambda v: gelu(v, approximate=True),
          "silu": silu}[name]
    xs = np.linspace(hi - 2 * window, hi + 2 * window, 81).astype(dtype)
    xs = np.concatenate([xs, np.array([hi], dtype)])
    g = refimpl.grad(lambda v: refimpl.sum(op(v)))(xs)
    for x, gx in zip(xs, np.asarray(g)):
        exact = f(M.mpf(float(x)))
        assert ulp_error(gx, exact, np.dtype(dtype).name) <= 2.5, (x, gx, exact)


def test_erfcx_continued_fraction():
    for z in [20.0, 26.5, 40.0, 1e3, 1e100]:
        exact = M.exp(M.mpf(z) ** 2) * M.erfc(z) if z < 1e3 else 1 / (M.sqrt(M.pi) * z) * (
            1 - 1 / (2 * M.mpf(z) ** 2) + 3 / (4 * M.mpf(z) ** 4))
        assert ulp_error(erfcx(np.float64(z)), exact, "float64") <= 2


def test_tanh_gelu_far_tails_are_finite():
    """x^3 overflows past |x| = 5.6e102: the derivative is still 1 (x > 0) or 0 (x < 0)."""
    import refimpl

    xs = np.array([-1.7976931348623157e308, -1e200, -1e104, 1e104, 1e200, 1.7976931348623157e308])
    g = refimpl.grad(lambda v: refimpl.sum(gelu(v, approximate=True)))(xs)
    assert np.array_equal(np.asarray(g), [0, 0, 0, 1, 1, 1])
    y = gelu(xs, approximate=True)
    assert np.array_equal(np.asarray(y), [0, 0, 0, 1e104, 1e200, 1.7976931348623157e308])


@pytest.mark.parametrize("d", ["0.044715", "0.134145", "0.7071067811865475244008443621048490392848359"])
def test_a_decimal_constant_as_a_pair_of_floats(d):
    """_pair(d) = (hi, lo): hi is d rounded, hi + lo is d to about 2^-106."""
    import decimal

    hi, lo = A._pair(decimal.Decimal(d))
    assert hi == float(d)
    assert abs(M.mpf(hi) + lo - M.mpf(d)) <= M.ldexp(abs(M.mpf(d)), -104)
    exact = decimal.Context(prec=200).add(decimal.Decimal(hi), decimal.Decimal(lo))
    assert abs(A._dec((hi, lo)) - exact) <= abs(exact) * decimal.Decimal("1e-59")  # 60 digits
