"""Numpy-only tests of refimpl/losses.py: the bad-input messages, the confident and infinite
ends of each loss, the gradients a hand computation gives, and the warning-free contract.

Expected values are worked by hand, with ``math`` or with ``fractions`` (exact rationals).
"""

from __future__ import annotations

import math
import re
import warnings
from fractions import Fraction

import numpy as np
import pytest

from _messages import exactly
from refimpl import ShapeError, Variable
from refimpl.losses import (binary_cross_entropy, binary_cross_entropy_with_logits,
                            cross_entropy, gaussian_nll, huber, mae, mse, nll)

BCE, BCEL = binary_cross_entropy, binary_cross_entropy_with_logits


def grads(f, *args, dout=None, **kw):
    """(loss value, gradients of every argument) with each argument a float64 Variable."""
    vs = [Variable(np.asarray(a, dtype=np.float64)) for a in args]
    y = f(*vs, **kw)
    y.backward(None if dout is None else np.asarray(dout, dtype=np.float64))
    return y.data, [v.grad for v in vs]


# ------------------------------------------------------------------ bad-input messages

HALF, ONE = np.array([0.5, 0.5]), np.array([1.0, 1.0])
LOGITS, INDICES, SOFT = np.zeros((2, 3)), np.array([0, 2]), np.full((2, 3), 1 / 3)


@pytest.mark.parametrize("name, call", [
    ("mse", lambda r: mse(HALF, ONE, reduction=r)),
    ("mae", lambda r: mae(HALF, ONE, reduction=r)),
    ("huber", lambda r: huber(HALF, ONE, reduction=r)),
    ("binary_cross_entropy", lambda r: BCE(HALF, ONE, reduction=r)),
    ("binary_cross_entropy_with_logits", lambda r: BCEL(HALF, ONE, reduction=r)),
    ("cross_entropy", lambda r: cross_entropy(LOGITS, INDICES, reduction=r)),
    ("cross_entropy", lambda r: cross_entropy(LOGITS, SOFT, reduction=r)),
    ("nll", lambda r: nll(LOGITS, INDICES, reduction=r)),
    ("gaussian_nll", lambda r: gaussian_nll(HALF, ONE, ONE, reduction=r)),
])
def test_unknown_reduction_is_rejected_naming_the_loss(name, call):
    """A typo in reduction must fail loudly, and say which loss and which choices there are."""
    with pytest.raises(ValueError, match=exactly(
            f"{name}: reduction must be one of ('mean', 'sum', 'none'), got 'avg'")):
        call("avg")


@pytest.mark.parametrize("name, call", [
    ("mse", lambda y, t: mse(y, t)),
    ("mae", lambda y, t: mae(y, t)),
    ("huber", lambda y, t: huber(y, t)),
    ("binary_cross_entropy", lambda y, t: BCE(y, t)),
    ("binary_cross_entropy_with_logits", lambda y, t: BCEL(y, t)),
    ("gaussian_nll", lambda y, t: gaussian_nll(y, t, np.ones(2))),
])
def test_prediction_and_target_shapes_must_match(name, call):
    """No silent broadcasting: (2,) against (3,) is an error naming both shapes."""
    with pytest.raises(ShapeError, match=exactly(
            f"{name}: the target has shape (3,) but the prediction has shape (2,); "
            "they must be equal")):
        call(np.full(2, 0.5), np.full(3, 0.5))


def test_gaussian_nll_var_must_have_mu_shape():
    with pytest.raises(ShapeError, match=exactly(
            "gaussian_nll: var has shape (1,) but mu has shape (2,); they must be equal")):
        gaussian_nll(np.zeros(2), np.zeros(2), np.ones(1))


def test_gaussian_nll_rejects_a_negative_variance():
    with pytest.raises(ValueError, match=exactly(
            "gaussian_nll: var must be >= 0 (a variance); found a negative entry")):
        gaussian_nll(np.zeros(2), np.zeros(2), np.array([1.0, -0.5]))


# the offending value is printed as a float64 repr, with or without numpy 2's "np.float64(...)"
def _found(value, index):
    return rf"found (np\.float64\()?{re.escape(value)}\)? at index {re.escape(index)}$"


@pytest.mark.parametrize("name, what, call", [
    ("binary_cross_entropy", "probabilities p", lambda a: BCE(a, np.zeros_like(a))),
    ("binary_cross_entropy", "targets t", lambda a: BCE(np.full_like(a, 0.5), a)),
    ("binary_cross_entropy_with_logits", "targets t", lambda a: BCEL(np.zeros_like(a), a)),
])
def test_values_outside_the_unit_interval_are_named_with_their_index(name, what, call):
    """The first bad entry (row-major) is reported with its value and its full index."""
    a = np.array([[0.0, 1.0], [1.5, -1.0]])
    with pytest.raises(ValueError, match="^" + re.escape(f"{name}: {what} must lie in [0, 1]; ")
                       + _found("1.5", "(1, 0)")):
        call(a)


def test_a_float32_probability_out_of_range_is_reported_at_its_exact_value():
    """float32(1.1) is 1.100000023841858...: the message shows the value held, exactly."""
    p = np.array([0.5, 1.1], dtype=np.float32)
    with pytest.raises(ValueError, match=_found(repr(float(np.float32(1.1))), "(1,)")):
        BCE(p, np.zeros(2, dtype=np.float32))


@pytest.mark.parametrize("name, f", [("cross_entropy", cross_entropy), ("nll", nll)])
def test_class_losses_need_a_class_axis(name, f):
    with pytest.raises(ShapeError, match=exactly(
            f"{name}: the input needs a class axis (last); got a scalar")):
        f(np.float64(1.0), np.array(0))


@pytest.mark.parametrize("name, f", [("cross_entropy", cross_entropy), ("nll", nll)])
def test_class_index_targets_must_have_the_input_shape_without_its_class_axis(name, f):
    """Rank 3, so that dropping the last axis differs from keeping the first or dropping two."""
    with pytest.raises(ShapeError, match=exactly(
            f"{name}: class-index targets have shape (2,), expected (2, 4) "
            "(the input's shape (2, 4, 3) without its class axis)")):
        f(np.zeros((2, 4, 3)), np.array([0, 1]))


@pytest.mark.parametrize("name, f", [("cross_entropy", cross_entropy), ("nll", nll)])
def test_class_index_targets_must_be_integers(name, f):
    with pytest.raises(TypeError, match=exactly(
            f"{name}: class-index targets must be integers, got dtype float64")):
        f(np.zeros((2, 3)), np.array([0.0, 1.0]))


@pytest.mark.parametrize("name, f", [("cross_entropy", cross_entropy), ("nll", nll)])
@pytest.mark.parametrize("t, bad", [([0, 3], "3 at (1,)"), ([-1, 0], "-1 at (0,)")])
def test_class_indices_must_name_an_existing_class(name, f, t, bad):
    with pytest.raises(ValueError, match=exactly(
            f"{name}: class index {bad} is out of range for 3 classes (0..2)")):
        f(np.zeros((2, 3)), np.array(t))


@pytest.mark.parametrize("t", [np.eye(3, dtype=np.int64)[:2], np.eye(3, dtype=bool)[:2]])
def test_cross_entropy_reads_integer_or_bool_targets_as_class_indices(t):
    """An integer one-hot is not taken for soft labels (as in torch): its shape is wrong."""
    with pytest.raises(ShapeError, match="^" + re.escape(
            "cross_entropy: class-index targets have shape (2, 3), expected (2,) ")):
        cross_entropy(np.zeros((2, 3)), t)


# ---------------------------------------------------------------------- values, gradients

def test_cross_entropy_of_equal_logits_is_log_of_the_class_count():
    """Uniform softmax over 3 classes: -log(1/3) = log 3 whichever class is the target."""
    loss = cross_entropy(np.zeros((2, 3)), np.array([0, 2]))
    assert loss == pytest.approx(math.log(3), rel=1e-15, abs=0)


def test_nll_picks_the_target_entry_and_its_gradient_is_minus_one_hot():
    """nll does not normalise: logp is taken as given; d/dlogp = -one_hot / n."""
    logp = np.log(np.array([[0.7, 0.2, 0.1], [0.5, 0.25, 0.25]]))
    loss, (dlogp,) = grads(lambda v: nll(v, np.array([1, 0])), logp)
    assert loss == pytest.approx((math.log(5) + math.log(2)) / 2, rel=1e-15, abs=0)
    np.testing.assert_array_equal(dlogp, [[0, -0.5, 0], [-0.5, 0, 0]])


def test_bce_slope_at_a_confident_right_answer_is_plus_or_minus_one():
    """p = t = 0: d/dp = 1 / (1 - p) = 1; p = t = 1: -1 / p = -1 (not 0 / 0)."""
    loss, (dp, _) = grads(lambda p, t: BCE(p, t, reduction="sum"), [0.0, 1.0], [0.0, 1.0])
    assert loss == 0
    np.testing.assert_array_equal(dp, [1.0, -1.0])


def test_bce_target_gradient_is_the_log_odds_against():
    """d/dt -(t log p + (1-t) log(1-p)) = log(1-p) - log p: log 3 at p = 1/4."""
    _, (_, dt) = grads(lambda p, t: BCE(p, t, reduction="sum"), [0.25], [0.5])
    assert dt[0] == pytest.approx(math.log(3), rel=1e-15, abs=0)


def test_bce_with_logits_costs_nothing_for_an_infinite_right_logit():
    """x = -inf for t = 0 and +inf for t = 1 are certain and right: loss 0, not inf * 0."""
    loss, (dx, _) = grads(lambda x, t: BCEL(x, t, reduction="none"), [-np.inf, np.inf], [0.0, 1.0],
                          dout=[1.0, 1.0])
    np.testing.assert_array_equal(loss, [0.0, 0.0])
    np.testing.assert_array_equal(dx, [0.0, 0.0])


def test_bce_with_logits_target_gradient_is_minus_the_logit():
    """d/dt [t softplus(-x) + (1-t) softplus(x)] = softplus(-x) - softplus(x) = -x."""
    _, (_, dt) = grads(lambda x, t: BCEL(x, t, reduction="sum"), [2.0, -3.0], [0.5, 0.25])
    np.testing.assert_allclose(dt, [-2.0, 3.0], rtol=1e-15)


def test_huber_is_linear_beyond_delta_with_offset_half_delta():
    """delta = 2, d = 3: 2 (3 - 2/2) = 4; d = 2 (the kink): 0.5 * 2^2 = 2 on both pieces."""
    np.testing.assert_array_equal(huber(np.array([3.0, 2.0]), np.zeros(2), delta=2.0,
                                        reduction="none"), [4.0, 2.0])


def test_huber_with_infinite_delta_is_half_the_squared_error_even_at_infinity():
    """delta = inf is a valid (positive) delta: the quadratic piece holds for every d, inf too."""
    np.testing.assert_array_equal(huber(np.array([np.inf, 3.0]), np.zeros(2), delta=np.inf,
                                        reduction="none"), [np.inf, 4.5])


def test_gaussian_nll_var_gradient_keeps_its_sign_where_var_is_near_the_squared_error():
    """d = 1 + 2^-30, var = fl(d^2): dvar = (var - d^2) / (2 var^2) < 0, a 2^-60 difference."""
    d = 1 + 2.0**-30
    var = d * d                          # rounds d^2 = 1 + 2^-29 + 2^-60 down to 1 + 2^-29
    _, (_, _, dvar) = grads(lambda m, t, v: gaussian_nll(m, t, v, reduction="sum"),
                            [d], [0.0], [var])
    v, dd = Fraction(var), Fraction(d)
    truth = (v - dd * dd) / (2 * v * v)
    assert truth < 0
    assert dvar[0] == pytest.approx(float(truth), rel=1e-15, abs=0)


def test_float16_gradient_is_the_float32_gradient_rounded_once_more():
    """The op contract: sigmoid(3/1024) lies just below a float16 midpoint, so float32 rounds it
    onto the midpoint and float16 then rounds up (ties to even); rounding directly goes down."""
    x, s = 3 / 1024, 1 / (1 + math.exp(-3 / 1024))   # d/dx of the t = 0 loss is sigmoid(x)
    for dtype in (np.float32, np.float16):
        v = Variable(np.array([x], dtype=dtype))
        BCEL(v, np.zeros(1, dtype=dtype), reduction="sum").backward()
        assert v.grad.dtype == dtype
        assert v.grad[0] == (np.float16(np.float32(s)) if dtype == np.float16 else np.float32(s))
    assert np.float16(np.float32(s)) != np.float16(s)   # the point tells the two roundings apart


# --------------------------------------------------------------------- no stray warnings

def _quiet(f):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return f()


def test_a_confident_right_bce_warns_of_nothing():
    """p = t = 0 takes log(0) on the way; the 0 * log 0 = 0 limit is meant, not warned about."""
    assert _quiet(lambda: BCE(np.array([0.0, 1.0]), np.array([0.0, 1.0]))) == 0


def test_the_mean_of_no_elements_is_nan_without_a_warning():
    """An empty batch has no mean: NaN, quietly (numpy's own mean would warn)."""
    assert np.isnan(_quiet(lambda: mse(np.zeros(0), np.zeros(0))))


def test_a_masked_element_at_an_infinite_slope_warns_of_nothing():
    """dout = 0 on an element whose slope is inf (p = 1, t = 0) gives 0 * inf quietly."""
    p = Variable(np.array([1.0, 0.5]))
    y = BCE(p, np.array([0.0, 0.0]), reduction="none")
    _quiet(lambda: y.backward(np.array([0.0, 1.0])))
    assert p.grad[1] == 2.0                               # 1 / (1 - 0.5)
