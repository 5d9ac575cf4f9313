"""Activation functions (활성화 함수), each forward beside its derivative.

An activation bends a layer's output: without one, a stack of linear layers is a single
linear layer. Each function here is a node of the computational graph: ``f`` is the
forward, ``df`` the local derivative that backprop multiplies the upstream gradient by.

Accuracy comes first, because this is the oracle the frameworks are judged against:

- float32 inputs are computed in float64 and rounded once; float16/bfloat16 results are
  the float32 results, rounded once more;
- float64 uses formulas that do not cancel or overflow (``sigmoid`` below shows the
  textbook form and the stable form side by side).

>>> sigmoid(np.array([-100.0, 0.0, 100.0], dtype=np.float32))   # -100: a subnormal, not 0
array([3.8e-44, 5.0e-01, 1.0e+00], dtype=float32)
>>> float(sigmoid(np.float32(-100.0))) / 2.0**-149   # 3.72e-44 rounds to 27 subnormal units
27.0
>>> relu(np.array([-2.0, 0.0, 3.0]))
array([0., 0., 3.])
>>> leaky_relu(np.array([-5.0, 5.0]), slope=0.1)   # the negative side keeps 1/10 of x
array([-0.5,  5. ])
"""

from __future__ import annotations

import decimal
import math

import numpy as np

from refimpl._accurate import (erfc, erfcx, exp_of_sum, hi, rounded, series_at_root, sigmoid_pair,
                              sigmoid_pair_of_sum, times_tiny_exp, two_prod, two_sum)
from refimpl._arrays import ShapeError
from refimpl._checks import finite, integer, one_of
from refimpl.autodiff import Function

__all__ = [
    "step", "sigmoid", "sigmoid_naive", "tanh", "relu", "leaky_relu", "softmax",
    "log_softmax", "softplus", "elu", "gelu", "silu",
]


class Elementwise(Function):
    """y = f(x) element by element; dx = dout * f'(x).

    A subclass defines ``f`` and ``df`` on arrays in the compute precision (``hi``);
    this class rounds each result once, to the input's dtype.
    """

    def forward(self, x):
        with np.errstate(all="ignore"):
            return rounded(self.f(hi(x)), x.dtype)

    def backward(self, dout):
        x = self.inputs[0].data
        with np.errstate(all="ignore"):
            return rounded(hi(dout) * self.df(hi(x)), x.dtype)

    def f(self, x):
        raise NotImplementedError

    def df(self, x):
        raise NotImplementedError


# ====================================================================== step, sigmoid

class Step(Elementwise):
    """The Heaviside step of the perceptron (계단 함수): 1 for x > 0, else 0.

    Its derivative is 0 wherever it exists (and undefined at 0): no gradient flows
    through a step, which is why backprop needs smooth activations.
    """

    def f(self, x):
        return np.where(np.isnan(x), x, (x > 0).astype(x.dtype))

    def df(self, x):
        return np.where(np.isnan(x), x, np.zeros_like(x))


def step(x):
    """Heaviside step: 1 where x > 0, 0 where x <= 0; derivative 0.

    >>> step(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 1.])
    """
    return Step()(x)


class Sigmoid(Elementwise):
    """s(x) = 1 / (1 + e^-x) (시그모이드 함수), computed without overflow or cancellation.

    The textbook form (``sigmoid_naive``) computes e^-x, which overflows for x < -88 in
    float32 (the answer is still fine, 1/inf = 0, but a tiny true value is lost), and
    its derivative s(1 - s) cancels to 0 once s rounds to 1 (x > 17 in float32) although
    the true slope is e^-x. The stable form only ever evaluates e = e^-|x| <= 1:

        s(x)  = 1 / (1 + e)        for x >= 0,   e / (1 + e)    for x < 0
        s'(x) = s(x) s(-x) = e / (1 + e)^2       (symmetric in x: no 1 - s anywhere)
    """

    def f(self, x):
        return sigmoid_pair(x)[0]

    def df(self, x):
        s, s_neg = sigmoid_pair(x)
        return s * s_neg


def sigmoid(x):
    """The logistic sigmoid; dx = dout * s(x) * s(-x).

    >>> sigmoid(np.array([0.0, 2.0]))
    array([0.5       , 0.88079708])
    """
    return Sigmoid()(x)


class SigmoidNaive(Elementwise):
    """The textbook sigmoid, 1 / (1 + exp(-x)) with derivative s * (1 - s): kept to show
    what the stable form fixes. It agrees with ``sigmoid`` where both are exact."""

    name = "sigmoid_naive"

    def f(self, x):
        return 1 / (1 + np.exp(-x))

    def df(self, x):
        s = self.f(x)
        return s * (1 - s)


def sigmoid_naive(x):
    """The textbook sigmoid (see ``Sigmoid`` for why refimpl uses another form).

    >>> sigmoid_naive(np.array([0.0, 2.0]))
    array([0.5       , 0.88079708])
    >>> Sigmoid().df(np.array([40.0])), SigmoidNaive().df(np.array([40.0]))  # s = 1 - 4e-18
    (array([4.24835426e-18]), array([0.]))
    """
    return SigmoidNaive()(x)


# ======================================================================= tanh, relu

class Tanh(Elementwise):
    """tanh(x) (하이퍼볼릭 탄젠트), in (-1, 1). Its derivative 1 - tanh^2 cancels once tanh
    rounds to +-1, so it is computed as 1/cosh^2 = 4e / (1 + e)^2 with e = e^-2|x|."""

    def f(self, x):
        return np.tanh(x)

    def df(self, x):
        e = np.exp(-2 * np.abs(x))
        return 4 * e / ((1 + e) * (1 + e))


def tanh(x):
    """Hyperbolic tangent; dx = dout * (1 - tanh(x)^2).

    >>> tanh(np.array([0.0, 1.0]))
    array([0.        , 0.76159416])
    """
    return Tanh()(x)


class ReLU(Elementwise):
    """max(x, 0) (렐루 함수). The derivative is 1 for x > 0 and 0 for x < 0; at the kink
    x = 0 refimpl takes 0, as torch does (conventions measures each framework)."""

    def f(self, x):
        return np.where(x > 0, x, np.where(np.isnan(x), x, 0))

    def df(self, x):
        return np.where(np.isnan(x), x, (x > 0).astype(x.dtype))


def relu(x):
    """Rectified linear unit: x for x > 0, else 0; dx = dout where x > 0, else 0."""
    return ReLU()(x)


class LeakyReLU(Elementwise):
    """x for x > 0, slope * x otherwise: negative inputs keep a small slope, so a neuron
    pushed below 0 still gets a gradient. At x = 0 the derivative taken is ``slope``."""

    name = "leaky_relu"

    def __init__(self, slope):
        self.slope = float(slope)

    def f(self, x):
        return np.where(x > 0, x, x * self.slope)

    def df(self, x):
        return np.where(np.isnan(x), x, np.where(x > 0, 1, self.slope).astype(x.dtype))


def leaky_relu(x, slope: float = 0.01):
    """Leaky ReLU; dx = dout for x > 0, dout * slope otherwise.

    The default slope 0.01 is torch's and jax's; tf.nn uses 0.2 and Keras 0.3 (measured
    in the report's conventions). The source material's example keeps one tenth:

    >>> leaky_relu(np.array([-10.0, 10.0]), slope=0.1)
    array([-1., 10.])
    """
    return LeakyReLU(finite("leaky_relu", "slope", slope))(x)


# ============================================================== softmax, log_softmax

def _axis(name, x, axis):
    if not -max(x.ndim, 1) <= axis < max(x.ndim, 1) or x.ndim == 0:
        raise ShapeError(f"{name}: axis {axis} is out of range for an input of shape {x.shape}; "
                         "the input needs at least one axis")
    return axis % x.ndim


def _shifted(x, axis):
    """x - max(x) along axis, as the pair (d, d_err) with d + d_err exact; e^(d + d_err);
    and the max's position (first one) as a mask. Shifting by the max keeps e^d <= 1."""
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    first = np.zeros(x.shape, bool)
    if x.size:
        np.put_along_axis(first, np.expand_dims(np.argmax(x, axis=axis), axis), True, axis=axis)
    d, d_err = two_sum(x, -m)
    return d, d_err, exp_of_sum(d, d_err), first


class Softmax(Function):
    """y_i = e^(x_i - m) / sum_j e^(x_j - m) with m = max_j x_j (소프트맥스).

    Subtracting the max changes nothing mathematically and keeps every exponential in
    (0, 1]: no overflow. The subtraction's rounding error is carried along (exp_of_sum)
    so a far-out logit keeps its full precision.
    Backward: dx = y * (dout - sum_j dout_j y_j). At the max, where y can round to 1, the
    bracket is computed as sum_{j != max} y_j (dout_max - dout_j): the same number, without
    subtracting two values that agree in every digit.
    """

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        ax = _axis("softmax", x, self.axis)
        with np.errstate(all="ignore"):
            _, _, e, self.first = _shifted(hi(x), ax)
            self.y = e / np.sum(e, axis=ax, keepdims=True)
        return rounded(self.y, x.dtype)

    def backward(self, dout):
        ax = self.axis % self.y.ndim
        y, g, first = self.y, hi(dout), self.first
        with np.errstate(all="ignore"):
            bracket = g - np.sum(g * y, axis=ax, keepdims=True)
            g_max = np.sum(np.where(first, g, 0), axis=ax, keepdims=True)
            at_max = np.sum(np.where(first, 0, y * (g_max - g)), axis=ax, keepdims=True)
            return rounded(y * np.where(first, at_max, bracket), dout.dtype)


def softmax(x, axis: int = -1):
    """Softmax along ``axis``: positive values that sum to 1.

    >>> softmax(np.array([1.0, 2.0, 3.0]))
    array([0.09003057, 0.24472847, 0.66524096])
    """
    return Softmax(integer("softmax", "axis", axis))(x)


class LogSoftmax(Function):
    """log y_i = (x_i - m) - log(sum_j e^(x_j - m)).

    The sum is 1 + (the others), since the max's own term is e^0 = 1: its log is taken
    as log1p(others), which keeps the digits that log(1 + tiny) would lose.
    Backward: dx = dout - softmax(x) * sum_j dout_j, computed as
    dout_i (1 - y_i) - y_i sum_{j != i} dout_j with 1 - y_i = -expm1(log y_i): exact
    where the softmax rounds to 1.
    """

    name = "log_softmax"

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        ax = _axis("log_softmax", x, self.axis)
        with np.errstate(all="ignore"):
            d, d_err, e, self.first = _shifted(hi(x), ax)
            others = np.sum(np.where(self.first, 0, e), axis=ax, keepdims=True)
            y, y_err = two_sum(d, -np.log1p(others))
            y_err = y_err + d_err
            self.y = y + y_err
            self.p = exp_of_sum(y, y_err)    # softmax, from the unrounded log for backward
        return rounded(self.y, x.dtype)

    def backward(self, dout):
        ax = self.axis % self.y.ndim
        g, first = hi(dout), self.first
        with np.errstate(all="ignore"):
            # sum_{j != i} dout_j: at the max (where 1 - y_i is tiny) added up term by term
            rest_of_max = np.sum(np.where(first, 0, g), axis=ax, keepdims=True)
            others = np.where(first, rest_of_max, np.sum(g, axis=ax, keepdims=True) - g)
            return rounded(g * -np.expm1(self.y) - self.p * others, dout.dtype)


def log_softmax(x, axis: int = -1):
    """log(softmax(x)) along ``axis``, computed without taking the log of a rounded ratio.

    >>> log_softmax(np.array([0.0, -50.0]))   # log(1 + e^-50): the first is -2e-22, not 0
    array([-1.92874985e-22, -5.00000000e+01])
    """
    return LogSoftmax(integer("log_softmax", "axis", axis))(x)


# ============================================================ softplus, elu, gelu, silu

class Softplus(Elementwise):
    """log(1 + e^x), a smooth relu. Written max(x, 0) + log1p(e^-|x|): e^x never
    overflows, and log1p keeps the small tail for negative x. Derivative: sigmoid(x)."""

    def f(self, x):
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    def df(self, x):
        return sigmoid_pair(x)[0]


def softplus(x):
    """Softplus log(1 + e^x); dx = dout * sigmoid(x).

    >>> softplus(np.array([0.0, 1000.0]))
    array([6.93147181e-01, 1.00000000e+03])
    """
    return Softplus()(x)


class ELU(Elementwise):
    """x for x > 0, alpha (e^x - 1) otherwise; expm1 keeps e^x - 1 exact near 0.
    Derivative: 1 for x > 0, alpha e^x otherwise."""

    def __init__(self, alpha):
        self.alpha = float(alpha)

    def f(self, x):
        return np.where(x > 0, x, self.alpha * np.expm1(x))

    def df(self, x):
        return np.where(x > 0, 1, self.alpha * np.exp(x))


def elu(x, alpha: float = 1.0):
    """Exponential linear unit; dx = dout for x > 0, dout * alpha * e^x otherwise."""
    return ELU(finite("elu", "alpha", alpha))(x)


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


class GELU(Elementwise):
    """x * Phi(x), Phi the standard normal CDF: Phi(x) = erfc(-x / sqrt 2) / 2.

    erfc, not 1 + erf: for x < 0 the latter cancels, and GELU(-11) would be 0 instead of
    about 1e-27. Derivative: Phi(x) + x phi(x), phi the normal density.
    With ``approximate=True``: the tanh form 0.5 x (1 + tanh(u)), u = sqrt(2/pi)(x +
    0.044715 x^3), computed as x * sigmoid(2u) (the same thing, without the 1 + tanh
    cancellation for x < 0).
    See the notes above for the derivative's root, the far left tail and u.
    """

    def __init__(self, approximate):
        self.approximate = approximate       # a bool: gelu() has turned "tanh" into True

    def f(self, x):
        if self.approximate:
            return _gelu_tanh(x)
        y = 0.5 * x * _Phi(x)
        if x.dtype == np.float64:
            # Below -37.5, Phi(x) is subnormal: x Phi(x) = (x/2) erfcx(z) e^(-x^2/2)
            # (erfcx(z) = e^(z^2) erfc(z), z = -x / sqrt 2) keeps e^(-x^2/2) normal until
            # the end, with x^2 exact as a pair.
            x2, x2_lo = two_prod(x, x)
            far = times_tiny_exp(0.5 * x * erfcx(-x * _INV_SQRT2_HI), -x2 / 2, -x2_lo / 2)
            y = np.where(x < -37.5, far, y)
        return y

    def df(self, x):
        if self.approximate:
            return _gelu_tanh_grad(x)
        # Phi + x phi with x phi = x e^(-x^2/2) / sqrt(2 pi) kept as a pair (r, r_lo) and
        # the sum as a pair: the two terms partly cancel for x < 0, so their roundings
        # would count several times over in the result; this way only erfc's and exp's
        # own errors remain.
        x2, x2_lo = two_prod(x, x)
        e = np.exp(-x2 / 2)
        p, p_lo = two_prod(e, _INV_SQRT_2PI_HI, _INV_SQRT_2PI_LO)   # phi(x)
        p_lo = p_lo - p * x2_lo / 2                   # e^(a + a_lo) = e^a (1 + a_lo)
        r, r_lo = two_prod(x, p)
        s, s_lo = two_sum(0.5 * _Phi(x), r)
        d = s + (s_lo + (r_lo + x * p_lo))
        if x.dtype == np.float64:
            # Below -37.5: Phi + x phi = e^(-x^2/2) (erfcx(z) / 2 + x / sqrt(2 pi)).
            bracket = 0.5 * erfcx(-x * _INV_SQRT2_HI) + x * _INV_SQRT_2PI_HI
            d = np.where(x < -37.5, times_tiny_exp(bracket, -x2 / 2, -x2_lo / 2), d)
        return _near_root(x, d, _GELU_ROOT, _GELU_SERIES, _GELU_WINDOW)


def _Phi(x):
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


def _gelu_tanh(x):
    """x sigmoid(2u); where 2u < -700 (float64), x e^(2u) rounds once, at the end."""
    u, u_lo = _tanh_u(x)
    y = x * sigmoid_pair_of_sum(2 * u, 2 * u_lo)[0]
    if x.dtype == np.float64:
        y = np.where(2 * u < -700, times_tiny_exp(x, 2 * u, 2 * u_lo), y)
    return y


def _gelu_tanh_grad(x):
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


def gelu(x, approximate: bool | str = False):
    """Gaussian error linear unit x * Phi(x); ``approximate=True`` is the tanh form.

    ``approximate`` is a bool (tf.nn's and jax's spelling) or torch's string: "none" for
    the exact form, "tanh" for the tanh form; anything else is refused (bool("none") is
    True, so a string must never be read as a truth value).
    refimpl's default is the exact form, as torch and tf.nn; jax.nn.gelu defaults to the
    tanh form (the report's conventions measure this).

    >>> gelu(np.array([-1.0, 0.0, 1.0]))
    array([-0.15865525,  0.        ,  0.84134475])
    """
    mode = one_of("gelu", "approximate", approximate, (False, True, "none", "tanh"))
    return GELU(mode in (True, "tanh"))(x)


class SiLU(Elementwise):
    """x * sigmoid(x) (also "swish"). Derivative: s(x) + x s(x) s(-x) = s(x)(1 + x s(-x)).

    Below x = -700 (float64) sigmoid(x) = e^x is itself subnormal, and multiplying a
    rounded subnormal by |x| ~ 745 multiplies its error too; there x e^x (and (1 + x) e^x,
    the derivative) round into the subnormal range once, at the end (``times_tiny_exp``).
    Near the derivative's root (-1.28) a Taylor series replaces the cancelling formula.
    """

    def f(self, x):
        y = x * sigmoid_pair(x)[0]
        if x.dtype == np.float64:
            y = np.where(x < -700, times_tiny_exp(x, x), y)
        return y

    def df(self, x):
        zero = np.zeros_like(x)
        return _near_root(x, _x_sigmoid_grad(x, zero, x, zero), _SILU_ROOT, _SILU_SERIES,
                          _SIGMOID_WINDOW)


def silu(x):
    """Sigmoid-weighted linear unit x * sigmoid(x); dx = dout * s(x)(1 + x s(-x)).

    >>> silu(np.array([0.0, 1.0]))
    array([0.        , 0.73105858])
    """
    return SiLU()(x)
