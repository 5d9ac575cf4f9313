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

import numpy as np

from refimpl._accurate import exp_of_sum, hi, rounded, shifted_by_max, sigmoid_pair, two_sum
from refimpl._checks import axis_of, finite, integer, one_of
from refimpl._gelu_silu import gelu_df, gelu_f, gelu_tanh_df, gelu_tanh_f, silu_df, silu_f
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
    back through a step. Backprop needs an activation whose derivative is useful almost
    everywhere, not a smooth one: ReLU's kink at the single point 0 does no harm.
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

    s(-x) = 1 - s(x), so s(x) s(-x) is the textbook s(1 - s); computing s(-x) directly
    avoids the subtraction 1 - s.
    """

    def f(self, x):
        return sigmoid_pair(x)[0]

    def df(self, x):
        s, s_neg = sigmoid_pair(x)
        return s * s_neg


def sigmoid(x):
    """The logistic sigmoid; dx = dout * s(x) * s(-x), which is s(1 - s) since s(-x) = 1 - s(x).

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
        ax = axis_of("softmax", x, self.axis)
        with np.errstate(all="ignore"):
            _, _, e, self.first = shifted_by_max(hi(x), ax)
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
        ax = axis_of("log_softmax", x, self.axis)
        with np.errstate(all="ignore"):
            d, d_err, e, self.first = shifted_by_max(hi(x), ax)
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


class GELU(Elementwise):
    """x * Phi(x), Phi the standard normal CDF: Phi(x) = erfc(-x / sqrt 2) / 2.

    erfc, not 1 + erf: for x < 0 the latter cancels, and GELU(-11) would be 0 instead of
    about 1e-27. Derivative: Phi(x) + x phi(x), phi the normal density.
    With ``approximate=True``: the tanh form 0.5 x (1 + tanh(u)), u = sqrt(2/pi)(x +
    0.044715 x^3), computed as x * sigmoid(2u) (the same thing, without the 1 + tanh
    cancellation for x < 0).
    refimpl/_gelu_silu.py computes both forms to about one ulp: the derivative's root,
    the far left tail and u need care the textbook formulas do not take.
    """

    def __init__(self, approximate):
        self.approximate = approximate       # a bool: gelu() has turned "tanh" into True

    def f(self, x):
        return gelu_tanh_f(x) if self.approximate else gelu_f(x)

    def df(self, x):
        return gelu_tanh_df(x) if self.approximate else gelu_df(x)


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
        return silu_f(x)

    def df(self, x):
        return silu_df(x)


def silu(x):
    """Sigmoid-weighted linear unit x * sigmoid(x); dx = dout * s(x)(1 + x s(-x)).

    >>> silu(np.array([0.0, 1.0]))
    array([0.        , 0.73105858])
    """
    return SiLU()(x)
