"""GELU and SiLU to the last bit: the machinery behind ``activations.GELU`` and ``SiLU``.

``activations.py`` shows what GELU and SiLU are (f and df, side by side); this module
holds how their float64 values are made correct to about one ulp, where the textbook
formulas lose digits. ``gelu_f``/``gelu_df`` are the exact (erf) form, ``gelu_tanh_f``/
``gelu_tanh_df`` the tanh form, ``silu_f``/``silu_df`` SiLU.
"""

from __future__ import annotations

import decimal
import math

import numpy as np

from refimpl._accurate import (erfc, erfcx, series_at_root, sigmoid_pair, sigmoid_pair_of_sum,
                              times_tiny_exp, two_prod, two_sum)

__all__ = ["gelu_f", "gelu_df", "gelu_tanh_f", "gelu_tanh_df", "silu_f", "silu_df"]


# GELU and SiLU need more care than the others, at three kinds of places:
#
# - the root of the derivative (x near -0.75 for GELU, -1.28 for SiLU): there f' is the
#   difference of two terms of about 0.3 that agree in every digit, and the direct formula
#   keeps none. Near the root f' is evaluated instead as its Taylor series in h = x - root
#   (``series_at_root``), which has nothing to cancel. The roots are literals (computed
#   with 200-bit mpmath; tests/test_accuracy_roots.py recomputes them), the coefficients are
#   computed below, once, from closed forms;
# - the far left tail, where the result is near or below the smallest normal float64: a
#   subnormal intermediate that is then multiplied by |x| ~ 40 or ~ 700 multiplies its
#   rounding error too (``times_tiny_exp`` rounds once, at the end);
# - the tanh GELU's u = sqrt(2/pi)(x + 0.044715 x^3), whose rounding error sigmoid(2u)
#   multiplies by about 2|u|: u is carried as a double-double (a pair hi + lo).

_DEC = decimal.Context(prec=60)
_PI = decimal.Decimal("3.14159265358979323846264338327950288419716939937510582097494459")


def _pair(d):
    """A decimal constant as a double-double (hi, lo): hi + lo = d to about 2^-106."""
    hi_ = float(d)
    return hi_, float(_DEC.subtract(d, decimal.Decimal(hi_)))


_INV_SQRT2_HI, _INV_SQRT2_LO = _pair(_DEC.divide(1, _DEC.sqrt(2)))
_INV_SQRT_2PI_HI, _INV_SQRT_2PI_LO = _pair(_DEC.divide(1, _DEC.sqrt(_DEC.multiply(2, _PI))))
_C1_HI, _C1_LO = _pair(_DEC.sqrt(_DEC.divide(2, _PI)))          # sqrt(2/pi)
_C2_HI, _C2_LO = _pair(decimal.Decimal("0.044715"))             # the exact decimal

# The roots of GELU', tanh-GELU' and SiLU' as (hi, lo), hi + lo correct to ~2^-106, and
# the half-width of the interval around each where the Taylor series replaces the direct
# formula (chosen from dense mpmath scans: both stay within about 2 ulps on either side).
_GELU_ROOT = (-0.7517915246935645, 1.4956759177009883e-17)
_GELU_TANH_ROOT = (-0.7524614220710163, 3.635560509207687e-17)
_SILU_ROOT = (-1.2784645427610737, -1.0946994183093437e-16)
_GELU_WINDOW = 0.5      # the direct formula carries erfc's ~2.5 ulp error, times the cancellation
_SIGMOID_WINDOW = 0.25  # the direct formula's error is about exp's half ulp times the cancellation
_TERMS = 30


def _dec(root):
    """A root (hi, lo) as one exact Decimal."""
    return _DEC.add(decimal.Decimal(root[0]), decimal.Decimal(root[1]))


def _coefficients(c):
    """Decimal Taylor coefficients -> (c_1 as a pair (hi, lo), [c_2, c_3, ...] as floats)."""
    return _pair(c[1]), [float(v) for v in c[2:]]


def _gelu_grad_series(root, n=_TERMS):
    """Taylor coefficients c_k = gelu^(k+1)(x0) / k!, k = 1..n, of gelu' at its root x0.

    gelu = x Phi gives gelu^(m) = x Phi^(m) + m Phi^(m-1), and the normal cdf's derivatives
    are Phi^(m) = (-1)^(m-1) He_{m-1}(x) phi(x), He the probabilists' Hermite polynomials
    (He_0 = 1, He_1 = x, He_{k+1} = x He_k - k He_{k-1}). With x He_{m-1} = He_m +
    (m-1) He_{m-2} this is gelu^(m) = (-1)^(m-1) phi(x) (He_m(x) - He_{m-2}(x)), m >= 2.
    Computed in 60-digit decimals (stdlib ``decimal``: exp, sqrt), so each coefficient is
    exact before its one rounding to float64. c_0 = gelu'(x0) = 0: x0 is the root.
    """
    with decimal.localcontext(_DEC):
        x0 = _dec(root)
        he = [decimal.Decimal(1), x0]
        for k in range(1, n + 1):
            he.append(x0 * he[k] - k * he[k - 1])
        phi0 = (-x0 * x0 / 2).exp() / (2 * _PI).sqrt()
        return [0] + [(-1) ** k * phi0 * (he[k + 1] - he[k - 1]) / math.factorial(k)
                      for k in range(1, n + 1)]


def _x_sigmoid_grad_series(root, g, n=_TERMS):
    """Taylor coefficients c_k, k = 1..n, of (x s(g(x)))' at its root x0, from the
    (decimal) Taylor coefficients g = [g_0, g_1, ...] of g at x0 (s the sigmoid).
    SiLU is g(x) = x, tanh-GELU g(x) = 2u(x).

    y = s(g(x)) solves y' = y (1 - y) g'. Matching the coefficients of h^k on both sides
    gives (k + 1) y_{k+1} = sum_j (j + 1) g_{j+1} w_{k-j} with w = y - y^2, one new
    coefficient at a time; then F = (x0 + h) y has F_k = x0 y_k + y_{k-1}, and F' has
    c_k = (k + 1) F_{k+1}. In 60-digit decimals, as ``_gelu_grad_series``.
    """
    with decimal.localcontext(_DEC):
        x0 = _dec(root)
        g = list(g) + [decimal.Decimal(0)] * (n + 2 - len(g))
        y, w = [1 / (1 + (-g[0]).exp())], []
        for k in range(n + 1):
            w.append(y[k] - sum(y[i] * y[k - i] for i in range(k + 1)))
            y.append(sum((j + 1) * g[j + 1] * w[k - j] for j in range(k + 1)) / (k + 1))
        F = [x0 * y[0]] + [x0 * y[k] + y[k - 1] for k in range(1, n + 2)]
        return [0] + [(k + 1) * F[k + 1] for k in range(1, n + 1)]


def _tanh_u_series(root):
    """Taylor coefficients of 2u(x0 + h) = 2 sqrt(2/pi) ((x0 + h) + 0.044715 (x0 + h)^3)."""
    with decimal.localcontext(_DEC):
        x0, c1, c2 = _dec(root), (2 / _PI).sqrt(), decimal.Decimal("0.044715")
        return [2 * c1 * (x0 + c2 * x0 ** 3), 2 * c1 * (1 + 3 * c2 * x0 ** 2),
                2 * c1 * 3 * c2 * x0, 2 * c1 * c2]


_GELU_SERIES = _coefficients(_gelu_grad_series(_GELU_ROOT))
_GELU_TANH_SERIES = _coefficients(
    _x_sigmoid_grad_series(_GELU_TANH_ROOT, _tanh_u_series(_GELU_TANH_ROOT)))
_SILU_SERIES = _coefficients(_x_sigmoid_grad_series(_SILU_ROOT, [_dec(_SILU_ROOT), 1]))


def _near_root(x, f_direct, root, series, window):
    """f_direct, but the Taylor series at ``root`` where |x - root| < ``window``."""
    near = np.abs(x - root[0]) < window
    if not near.any():
        return f_direct
    return np.where(near, series_at_root(x, *root, *series), f_direct)


def gelu_f(x):
    """GELU(x) = x Phi(x) = (x / 2) erfc(-x / sqrt 2), to about 1 ulp."""
    y = 0.5 * x * _two_Phi(x)                    # x Phi(x), with 2 Phi(x) = erfc(-x / sqrt 2)
    if x.dtype == np.float64:
        # Below -37.5, Phi(x) is subnormal: x Phi(x) = (x/2) erfcx(z) e^(-x^2/2)
        # (erfcx(z) = e^(z^2) erfc(z), z = -x / sqrt 2) keeps e^(-x^2/2) normal until
        # the end, with x^2 exact as a pair.
        x2, x2_lo = two_prod(x, x)
        far = times_tiny_exp(0.5 * x * erfcx(-x * _INV_SQRT2_HI), -x2 / 2, -x2_lo / 2)
        y = np.where(x < -37.5, far, y)
    return y


def gelu_df(x):
    """GELU'(x) = Phi(x) + x phi(x), to about 1 ulp (see the notes above)."""
    # Phi + x phi with x phi = x e^(-x^2/2) / sqrt(2 pi) kept as a pair (r, r_lo) and
    # the sum as a pair: the two terms partly cancel for x < 0, so their roundings
    # would count several times over in the result; this way only erfc's and exp's
    # own errors remain.
    x2, x2_lo = two_prod(x, x)
    e = np.exp(-x2 / 2)
    p, p_lo = two_prod(e, _INV_SQRT_2PI_HI, _INV_SQRT_2PI_LO)   # phi(x)
    p_lo = p_lo - p * x2_lo / 2                   # e^(a + a_lo) = e^a (1 + a_lo)
    r, r_lo = two_prod(x, p)
    s, s_lo = two_sum(0.5 * _two_Phi(x), r)      # Phi(x) + x phi(x)
    d = s + (s_lo + (r_lo + x * p_lo))
    if x.dtype == np.float64:
        # Below -37.5: Phi + x phi = e^(-x^2/2) (erfcx(z) / 2 + x / sqrt(2 pi)).
        bracket = 0.5 * erfcx(-x * _INV_SQRT2_HI) + x * _INV_SQRT_2PI_HI
        d = np.where(x < -37.5, times_tiny_exp(bracket, -x2 / 2, -x2_lo / 2), d)
    return _near_root(x, d, _GELU_ROOT, _GELU_SERIES, _GELU_WINDOW)


def silu_f(x):
    """SiLU(x) = x s(x); below x = -700 (float64), x e^x rounded once."""
    y = x * sigmoid_pair(x)[0]
    if x.dtype == np.float64:
        y = np.where(x < -700, times_tiny_exp(x, x), y)
    return y


def silu_df(x):
    """SiLU'(x) = s(x)(1 + x s(-x)), with the Taylor series near its root."""
    zero = np.zeros_like(x)
    return _near_root(x, _x_sigmoid_grad(x, zero, x, zero), _SILU_ROOT, _SILU_SERIES,
                      _SIGMOID_WINDOW)


def _two_Phi(x):
    """2 Phi(x) = erfc(-x/sqrt 2), with the product x/sqrt 2 carried to twice the precision:
    erfc's relative slope is about 2z^2, so a rounding of z would grow 2z^2-fold."""
    return erfc(*two_prod(x, -_INV_SQRT2_HI, -_INV_SQRT2_LO))


def _tanh_u(x, c=(_C2_HI, _C2_LO)):
    """u = sqrt(2/pi) (x + c x^3), c = 0.044715, as a double-double (u, u_lo), both
    constants exact to ~2^-106: sigmoid(2u)'s relative slope is about 2|u|, so at x = -19
    (u ~ -240) a single rounding of u would cost hundreds of ulps of the result.
    With c = 3 * 0.044715 it is x u'(x) instead, which the derivative needs.
    x is clipped to |x| <= 1e10 (x^3 stays finite): beyond, sigmoid(2u) is 0 or 1 anyway."""
    x = np.clip(x, -1e10, 1e10)
    x2, x2_lo = two_prod(x, x)
    x3, x3_lo = two_prod(x2, x)                  # x^3 = x3 + x3_lo + x * x2_lo
    x3_lo = x3_lo + x * x2_lo
    t, t_lo = two_prod(x3, *c)                   # c x^3
    t_lo = t_lo + c[0] * x3_lo
    v, v_lo = two_sum(x, t)                      # x + c x^3
    v_lo = v_lo + t_lo
    u, u_lo = two_prod(v, _C1_HI, _C1_LO)
    return u, u_lo + _C1_HI * v_lo


_3C2 = _pair(decimal.Decimal("0.134145"))        # 3 * 0.044715


def gelu_tanh_f(x):
    """x sigmoid(2u); where 2u < -700 (float64), x e^(2u) rounds once, at the end."""
    u, u_lo = _tanh_u(x)
    y = x * sigmoid_pair_of_sum(2 * u, 2 * u_lo)[0]
    if x.dtype == np.float64:
        y = np.where(2 * u < -700, times_tiny_exp(x, 2 * u, 2 * u_lo), y)
    return y


def gelu_tanh_df(x):
    """d/dx x s(2u) = s(2u) (1 + 2x u' s(-2u)), u' = sqrt(2/pi)(1 + 3 * 0.044715 x^2)."""
    u, u_lo = _tanh_u(x)
    xdu, xdu_lo = _tanh_u(x, _3C2)
    d = _x_sigmoid_grad(2 * u, 2 * u_lo, 2 * xdu, 2 * xdu_lo)
    return _near_root(x, d, _GELU_TANH_ROOT, _GELU_TANH_SERIES, _SIGMOID_WINDOW)


def _x_sigmoid_grad(z, z_lo, g, g_lo):
    """d/dx [x s(z(x))] = s(z) (1 + g s(-z)), g = x z'(x), for z = z + z_lo and g = g + g_lo
    given as pairs (SiLU: z = g = x; tanh GELU: z = 2u, g = 2x u').

    With E = e^-|z| <= 1 this is E (1 + E + g) / (1 + E)^2 for z < 0 and
    (1 + E + g E) / (1 + E)^2 for z >= 0. Each piece is kept as a pair (two_sum,
    two_prod) and the quotient is corrected once (q + (M - q D) / D), so that the only
    error left is exp's own, about half an ulp: the direct formula's half-dozen roundings
    cost up to 5 ulps where the two terms partly cancel (x from -1 to -8).
    Below z = -700 (float64) the result is E (1 + g) rounded once (``times_tiny_exp``).
    """
    neg = z < 0
    E = np.exp(-np.abs(z))
    E_lo = -E * (np.sign(z) * z_lo)              # e^-|z + z_lo| = E (1 - sign(z) z_lo)
    one = np.ones_like(E)
    w, w_lo = np.where(neg, one, E), np.where(neg, 0, E_lo)
    gw, gw_lo = two_prod(g, w)                    # g E (z >= 0) or g (z < 0)
    gw_lo = gw_lo + g_lo * w + g * w_lo
    a, a_lo = two_sum(one, gw)
    n, n_lo = two_sum(a, E)                       # N = 1 + E + g w
    n_lo = n_lo + (a_lo + gw_lo + E_lo)
    b, b_lo = two_sum(one, E)                     # D = (1 + E)^2
    D, D_lo = two_prod(b, b)
    D_lo = D_lo + 2 * b * (b_lo + E_lo)
    m, m_lo = two_prod(E, n)                      # M = E N (z < 0) or N (z >= 0)
    m_lo = m_lo + E * n_lo + E_lo * n
    m, m_lo = np.where(neg, m, n), np.where(neg, m_lo, n_lo)
    q = m / D
    p, p_lo = two_prod(q, D)
    q = q + (((m - p) - p_lo) + m_lo - q * D_lo) / D
    if z.dtype == np.float64:
        q = np.where(z < -700, times_tiny_exp(n + n_lo, z, z_lo), q)
    return q
