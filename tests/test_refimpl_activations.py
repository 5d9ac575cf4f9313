"""Numpy-only tests of refimpl/activations.py: what each activation does at its kinks, in its
far tails and at the bad-argument boundary, checked against outside truths.

Accuracy: refimpl is the oracle the frameworks are judged against and aims at 1 ULP. The values
below come from mpmath at 50 digits; each point is one where refimpl's result measures at most
0.86 ULP and a plausible slip (a dropped low-order term, a sign, a threshold) measures 1.2 ULP
or more, so the bound used, 1 ULP of float64, is refimpl's stated aim and still tells them apart.
"""

from __future__ import annotations

import re
import warnings

import mpmath as mp
import numpy as np
import pytest

from _messages import exactly
import refimpl.activations as A
from comparisons.sweeps import SWEEPS
from comparisons.truth import ulp_error
from refimpl import ShapeError, Variable

mp.mp.dps = 50


def ulps(y, truth) -> float:
    """|y - truth| in float64 units in the last place, as the accuracy sweep measures them."""
    return ulp_error(y, truth, "float64")


def grad(f, x, dout=None):
    """dx of ``f`` at the array x for the cotangent ``dout`` (ones by default)."""
    v = Variable(np.asarray(x, dtype=np.float64))
    y = f(v)
    y.backward(np.ones(y.shape) if dout is None else np.asarray(dout, dtype=np.float64))
    return v.grad


# ----------------------------------------------------------------------- mpmath truths

def _s(z):
    return 1 / (1 + mp.exp(-z))


def _truth(sweep, k):
    """The accuracy sweep's mpmath formula for ``sweep``: forward (k=0) or derivative (k=1)."""
    f = (SWEEPS[sweep].forward, SWEEPS[sweep].grad)[k]
    truth = lambda x: f(mp.mpf(x))[0]   # noqa: E731
    truth.__name__ = ("gelu_tanh" if "approximate" in sweep else "gelu") + ("_grad" * k)
    return truth


gelu_truth, gelu_grad_truth = _truth("gelu", 0), _truth("gelu", 1)
gelu_tanh_truth = _truth("gelu(approximate=True)", 0)
gelu_tanh_grad_truth = _truth("gelu(approximate=True)", 1)


def forward(f):
    return lambda x: f(np.array([x]))[0]


def backward(f):
    return lambda x: grad(f, [x])[0]


def gelu_tanh(x):
    return A.gelu(x, approximate=True)


# Each point: where it sits and what it exercises.
ACCURACY = [
    # the tanh GELU's left tail, 2u < -700: x e^(2u) rounded once (times_tiny_exp), with u's
    # low part; at -21.19 the result is subnormal
    (forward(gelu_tanh), gelu_tanh_truth, -21.071),
    (forward(gelu_tanh), gelu_tanh_truth, -21.19),
    (backward(gelu_tanh), gelu_tanh_grad_truth, -21.205),
    (backward(gelu_tanh), gelu_tanh_grad_truth, -21.11),
    # u as a double-double: sigmoid(2u)'s relative slope 2|u| ~ 600 magnifies u's rounding
    (forward(gelu_tanh), gelu_tanh_truth, -20.52562119341059),
    # the tanh GELU's derivative, where its two terms partly cancel: each pair's low part counts
    (backward(gelu_tanh), gelu_tanh_grad_truth, -19.721807518037487),
    (backward(gelu_tanh), gelu_tanh_grad_truth, -2.806302731968213),
    (backward(gelu_tanh), gelu_tanh_grad_truth, -1.8096078839347918),
    (backward(gelu_tanh), gelu_tanh_grad_truth, -0.47389191629636684),
    (backward(gelu_tanh), gelu_tanh_grad_truth, 0.4290012214640555),
    (backward(gelu_tanh), gelu_tanh_grad_truth, 0.6216514342613095),
    (backward(gelu_tanh), gelu_tanh_grad_truth, 0.7186747613150004),
    # the exact GELU's far left tail, x < -37.5: e^(-x^2/2) with x^2 as an exact pair
    (forward(A.gelu), gelu_truth, -37.58),
    (forward(A.gelu), gelu_truth, -37.65),
    (backward(A.gelu), gelu_grad_truth, -37.51),
    # Phi + x phi with phi = e^(-x^2/2) / sqrt(2 pi) to twice float64's precision
    (backward(A.gelu), gelu_grad_truth, -2.29320011852743),
    # ... with x^2's rounding carried into phi: e^(-(x2 + x2_lo)/2) = e^(-x2/2) (1 - x2_lo/2);
    # near -37 (x^2 ~ 1382, x2_lo up to 1.1e-13) a wrong factor on it costs 100+ ULPs
    (backward(A.gelu), gelu_grad_truth, -37.175163432252276),
]


@pytest.mark.parametrize("f, truth, x", ACCURACY,
                         ids=[f"{t.__name__}({x})" for _, t, x in ACCURACY])
def test_gelu_and_its_tanh_form_are_within_1_ulp_in_float64(f, truth, x):
    """The oracle must be more accurate than what it judges: 1 ULP against mpmath."""
    assert ulps(f(x), truth(x)) <= 1.0


def test_log_softmax_keeps_the_shift_rounding_error_forward_and_backward():
    """x - max is inexact; its error d_err is carried into log y and into softmax for backward.

    dx = dout - softmax(x) sum(dout): for dout = (1, 0), dx_1 = -softmax_1, which must keep full
    relative precision although softmax_1 ~ 1e-15."""
    a, b = 0.11376762139667207, -34.635745270254894
    lse = mp.log(mp.exp(mp.mpf(a)) + mp.exp(mp.mpf(b)))
    assert ulps(grad(A.log_softmax, [a, b], [1.0, 0.0])[1], -mp.exp(mp.mpf(b) - lse)) <= 1.0
    a, b = 0.012770002843141892, -5.183619603808161
    lse = mp.log(mp.exp(mp.mpf(a)) + mp.exp(mp.mpf(b)))
    assert ulps(A.log_softmax(np.array([a, b]))[1], mp.mpf(b) - lse) <= 1.0


def test_log_softmax_gradient_at_the_max_adds_the_other_cotangents_term_by_term():
    """At the max, 1 - y rounds near 0 and sum(dout) - dout_max would lose the small
    cotangents: dx = dout - softmax * sum(dout) must keep them."""
    x, dout = [0.0, -50.0], [1e20, 1.0]
    p = [_s(mp.mpf(x[0] - x[1])), _s(mp.mpf(x[1] - x[0]))]          # softmax of two logits
    total = mp.mpf(dout[0]) + mp.mpf(dout[1])
    truth = [dout[i] - p[i] * total for i in range(2)]                # -0.98071..., 1 - 2e-2
    dx = grad(A.log_softmax, x, dout)
    assert ulps(dx[0], truth[0]) <= 1.0 and ulps(dx[1], truth[1]) <= 1.0


def test_softmax_gradient_at_a_max_that_rounds_to_1_is_not_0():
    """y = (1 - 2e-22, 2e-22): dx_0 = y_0 (dout_0 - sum dout y) = y_0 y_1, not 1 - 1 = 0."""
    y0, y1 = _s(mp.mpf(50)), _s(mp.mpf(-50))
    dx = grad(A.softmax, [0.0, -50.0], [1.0, 0.0])
    assert ulps(dx[0], y0 * y1) <= 1.0 and ulps(dx[1], -y0 * y1) <= 1.0


# ================================================================= kinks, zeros and NaN

def _bits(a):
    return np.asarray(a, dtype=np.float64).view(np.uint64).tolist()


def test_relu_of_minus_zero_is_plus_zero():
    """relu is x for x > 0, else the constant 0: -0.0 is not > 0, so the answer is +0.0."""
    assert _bits(A.relu(np.array([-0.0, 0.0]))) == _bits([0.0, 0.0])


@pytest.mark.parametrize("f", [A.relu, A.step], ids=["relu", "step"])
def test_relu_and_step_pass_a_nan_through_bit_for_bit(f):
    """A NaN input comes back as the same NaN (sign and payload), so its origin stays traceable."""
    nan = -np.float64(np.nan)
    assert _bits(f(np.array([nan]))) == _bits([nan])


def test_step_passes_no_gradient():
    """The step's derivative is 0 wherever it exists: backprop through a step learns nothing."""
    assert grad(A.step, [-1.0, 0.0, 2.0]).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("f, x, expected", [
    # x > 0 is the positive side; at 0 (either sign) the other formula applies, whose IEEE
    # product shows in the sign of the zero when the slope/alpha is negative
    (lambda x: A.leaky_relu(x, slope=-0.5), [0.0, -0.0], [-0.0, 0.0]),
    (lambda x: A.elu(x, alpha=-1.0), [0.0, -0.0], [-0.0, 0.0]),
], ids=["leaky_relu", "elu"])
def test_leaky_relu_and_elu_take_the_negative_side_formula_at_zero(f, x, expected):
    """The documented split is "x for x > 0, the other formula otherwise", 0 included."""
    assert _bits(f(np.array(x))) == _bits(expected)


# ============================================================== dtypes and silent limits

@pytest.mark.parametrize("node", [A.Sigmoid(), A.Softmax(-1), A.LogSoftmax(-1)],
                         ids=["elementwise", "softmax", "log_softmax"])
def test_activation_backward_returns_the_gradient_in_the_inputs_dtype(node):
    """The op contract: the node's own backward gives float32 for float32, not float64."""
    y = node(Variable(np.array([0.5, -1.0], np.float32)))
    assert node.backward(np.ones(2, np.float32)).dtype == np.float32
    assert y.dtype == np.float32


@pytest.mark.parametrize("f, x, y", [
    (A.softmax, [0.0, -np.inf, np.log(3.0)], [0.25, 0.0, 0.75]),   # a masked logit
    (A.log_softmax, [0.0, -np.inf], [0.0, -np.inf]),
    (A.sigmoid_naive, [-1000.0], [0.0]),                            # e^1000 overflows to inf
])
def test_masked_logits_and_overflowing_exponentials_give_their_limit_silently(f, x, y):
    """-inf logits (masks) and the textbook sigmoid's overflow are valid inputs: the limit
    comes back without a RuntimeWarning, forward and backward."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert f(np.array(x)).tolist() == pytest.approx(y, rel=1e-15)
        grad(f, x, np.ones(len(x)))


@pytest.mark.parametrize("f", [A.softmax, A.log_softmax])
def test_an_infinite_cotangent_gives_a_non_finite_gradient_silently(f):
    """inf - inf inside the row backward is an answer (NaN), as in numpy and torch, not a
    RuntimeWarning: every backward in refimpl runs under errstate(all='ignore')."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dx = grad(f, [0.0, 1.0, 2.0], np.array([np.inf, 0.0, 0.0]))
    assert not np.isfinite(dx).all()


# ======================================================================== bad arguments

@pytest.mark.parametrize("shape, axis", [((3,), 1), ((3,), -2), ((2, 3), 2), ((2, 3), -3)])
def test_softmax_axis_out_of_range_raises_naming_axis_and_shape(shape, axis):
    """axis must satisfy -ndim <= axis < ndim; the message names both."""
    msg = f"softmax: axis {axis} is out of range for an input of shape {shape}"
    with pytest.raises(ShapeError, match="^" + re.escape(msg)):
        A.softmax(np.zeros(shape), axis=axis)
    with pytest.raises(ShapeError, match=re.escape(f"axis {axis} is out of range for an input of shape {shape}")):
        A.log_softmax(np.zeros(shape), axis=axis)


def test_softmax_of_a_scalar_raises_saying_it_needs_an_axis():
    """A rank-0 input has no axis to normalise over."""
    msg = "softmax: axis -1 is out of range for an input of shape (); the input needs at least one axis"
    with pytest.raises(ShapeError, match=exactly(msg)):
        A.softmax(np.float64(1.0))
