"""refimpl.optim: the documented defaults, the dtype rules and the constructor/step errors.

The update formulas are worked by hand in test_refimpl_training.py; this file pins what a
user gets without passing a hyperparameter (torch's defaults, one step worked by hand at
values where a changed default shows), the dtypes a parameter may have, and the exact
messages of the errors, which name the optimizer, the argument and the value.
"""

from __future__ import annotations

import math
import re

import ml_dtypes
import numpy as np
import pytest

from _messages import exactly
from refimpl import SGD, AdaGrad, Adam, AdamW, Optimizer, RMSProp, ShapeError


# ======================================================= defaults: torch's, by one hand step

@pytest.mark.parametrize("cls, g, expected", [
    # SGD: lr 1e-3, no momentum:                      1 - 1e-3 * 2
    (SGD, 2.0, 1 - 2e-3),
    # AdaGrad: lr 0.01, G = g^2 = 1e-20, eps 1e-10 outside the root, no weight decay:
    #   1 - 0.01 * 1e-10 / (sqrt(1e-20) + 1e-10) = 1 - 0.01 / 2
    #   (eps inside: sqrt(1e-20 + 1e-10) ~ 1e-5, a step of 1e-7; wd 1: g ~ 1, a step of 0.01)
    (AdaGrad, 1e-10, 1 - 0.01 / 2),
    # RMSProp: lr 0.01, rho 0.99: v = 0.01 * 1e-16 = 1e-18, sqrt(v) = 1e-9, eps 1e-8 outside:
    #   1 - 0.01 * 1e-8 / (1e-9 + 1e-8) = 1 - 0.01 / 1.1
    (RMSProp, 1e-8, 1 - 0.01 / 1.1),
    # Adam: lr 1e-3; the bias correction makes m_hat = g, v_hat = g^2 at t = 1, eps 1e-8:
    #   1 - 1e-3 * 1e-8 / (1e-8 + 1e-8) = 1 - 5e-4
    (Adam, 1e-8, 1 - 5e-4),
    # AdamW: first p <- p - lr wd p with wd 0.01 (1 - 1e-5), then Adam's step as above
    (AdamW, 1e-8, 1 - 1e-5 - 5e-4),
])
def test_defaults_are_torchs(cls, g, expected):
    """Each class documents torch's defaults; code ported from torch relies on them."""
    p = np.array([1.0])
    cls([p]).step([np.array([g])])
    assert p[0] == pytest.approx(expected, rel=1e-12)


class PlainDescent(Optimizer):
    """A user's own rule: only ``update`` is written, the rest is Optimizer's."""

    def update(self, p, g, s):
        return p - self.lr * g


def test_a_user_subclass_gets_descent_without_weight_decay_by_default():
    """Optimizer is the base for new rules: unless asked, it descends and adds no L2 term."""
    p = np.array([1.0])
    PlainDescent([p], lr=0.5).step([np.array([2.0])])
    assert p[0] == 1.0 - 0.5 * 2.0                         # not 1 + 1 (ascent), not 1 - 0.5 * 3 (wd 1)
    q = np.array([1.0])
    PlainDescent([q], lr=0.5, maximize=True, weight_decay=1.0).step([np.array([2.0])])
    assert q[0] == 1.0 - 0.5 * (-2.0 + 1.0 * 1.0)           # ascent: -g, plus wd p


# ==================================================================== dtypes of the parameters

def test_bfloat16_parameters_are_accepted_and_stay_bfloat16():
    """The module promises bfloat16 (an ml_dtypes type whose dtype.kind is 'V', not 'f')."""
    p = np.array([1.0, -2.0], dtype=ml_dtypes.bfloat16)
    SGD([p], lr=0.5).step([np.array([0.5, 1.0], dtype=ml_dtypes.bfloat16)])
    assert p.dtype == ml_dtypes.bfloat16
    assert p.astype(np.float64).tolist() == [1.0 - 0.25, -2.0 - 0.5]   # exact in bfloat16


def test_float16_step_rounds_through_float32_like_every_op():
    """float16 results are refimpl's float32 result rounded once more (the op contract).

    new = 1 - lr g with g = -1, lr = 2^-11 + 2^-40 is 1 + 2^-11 + 2^-40 in float64.
    float32 (ulp 2^-23 at 1) rounds it to 1 + 2^-11: the midpoint of the float16
    neighbours 1 and 1 + 2^-10, a tie that goes to the even one, 1. Rounding the float64
    value straight to float16 would give 1 + 2^-10, as it lies above the midpoint.
    """
    p = np.array([1.0], dtype=np.float16)
    SGD([p], lr=2.0 ** -11 + 2.0 ** -40).step([np.array([-1.0], dtype=np.float16)])
    assert p.dtype == np.float16 and p[0] == 1.0


# =================================================================== constructor errors

INF, NAN = math.inf, math.nan


@pytest.mark.parametrize("cls, kw, message", [
    (SGD, {"lr": 0.0}, "SGD: lr must be a finite number > 0, got 0.0"),
    (Adam, {"lr": INF}, "Adam: lr must be a finite number > 0, got inf"),
    (SGD, {"momentum": 1.0}, "SGD: momentum must be in [0, 1), got 1.0"),
    (SGD, {"momentum": "0.9"}, "SGD: momentum must be in [0, 1), got '0.9'"),
    (SGD, {"dampening": 1.5}, "SGD: dampening must be in [0, 1), got 1.5"),
    (SGD, {"dampening": -0.5}, "SGD: dampening must be in [0, 1), got -0.5"),
    (SGD, {"weight_decay": -1e-4}, "SGD: weight_decay must be a finite number >= 0, got -0.0001"),
    (AdamW, {"weight_decay": INF}, "AdamW: weight_decay must be a finite number >= 0, got inf"),
    (AdaGrad, {"eps": INF}, "AdaGrad: eps must be a finite number > 0, got inf"),
    (AdaGrad, {"eps": -1.0}, "AdaGrad: eps must be a finite number > 0, got -1.0"),
    (AdaGrad, {"initial_accumulator_value": -0.1},
     "AdaGrad: initial_accumulator_value must be a finite number >= 0, got -0.1"),
    (RMSProp, {"rho": 1.0}, "RMSProp: rho must be in [0, 1), got 1.0"),
    (RMSProp, {"eps": NAN}, "RMSProp: eps must be a finite number > 0, got nan"),
    (Adam, {"betas": (1.0, 0.999)}, "Adam: betas[0] must be in [0, 1), got 1.0"),
    (Adam, {"betas": (0.9, 1.0)}, "Adam: betas[1] must be in [0, 1), got 1.0"),
    (AdamW, {"betas": (0.9, 1.5)}, "AdamW: betas[1] must be in [0, 1), got 1.5"),
    (Adam, {"eps": -1e-8}, "Adam: eps must be a finite number > 0, got -1e-08"),
])
def test_out_of_range_hyperparameters_are_named_with_their_value(cls, kw, message):
    """The message names the optimizer, the argument, the range and the value given."""
    with pytest.raises(ValueError, match=exactly(message)):
        cls([np.zeros(2)], **kw)


def test_nesterov_without_momentum_says_what_it_needs():
    with pytest.raises(ValueError, match="^" + re.escape("SGD: nesterov=True needs momentum > 0 "
                                                          "and dampening 0")):
        SGD([np.zeros(2)], nesterov=True)


def test_the_parameters_must_be_a_non_empty_list_of_float_arrays():
    with pytest.raises(ValueError, match=exactly("SGD: got an empty parameter list")):
        SGD([])
    with pytest.raises(TypeError, match=exactly(
            "Adam: parameter 1 must be a floating-point ndarray or a Variable (updated in "
            "place), got list")):
        Adam([np.zeros(2), [1.0, 2.0]])


# ========================================================================== step errors

def test_step_on_plain_arrays_needs_the_gradients():
    """Plain arrays have no .grad: step() must say to pass them, not fail on an attribute."""
    with pytest.raises(ValueError, match=r"^RMSProp\.step\(\): .*"
                                         + re.escape("pass the gradients: step(grads)")):
        RMSProp([np.zeros(2)]).step()


def test_step_with_the_wrong_number_of_gradients():
    with pytest.raises(ValueError, match=exactly("AdaGrad.step(): 1 gradients for 2 parameter(s); pass one gradient per parameter, in order")):
        AdaGrad([np.zeros(2), np.zeros(3)]).step([np.zeros(2)])


def test_step_with_a_gradient_of_the_wrong_shape():
    with pytest.raises(ShapeError, match=exactly(
            "Adam.step(): the gradient of parameter 1 has shape (2,), the parameter (3,); "
            "a gradient has its parameter's shape")):
        Adam([np.ones(2), np.ones(3)]).step([np.ones(2), np.ones(2)])


def test_adamw_passes_eps_hat_on_to_adam():
    """AdamW(eps_hat=True) is Keras's AdamW: eps added to sqrt(v) before the correction.

    p = 1, g = 1, lr 0.1, eps 1, no decay, t = 1: m = 0.1, v = 0.001, c1 = 0.1, c2 = 0.001.
    eps_hat: 1 - (0.1 sqrt(0.001) / 0.1) * 0.1 / (sqrt(0.001) + 1); torch's form would be
    1 - 0.1 * (0.1 / 0.1) / (sqrt(0.001 / 0.001) + 1) = 0.95.
    """
    p = np.array([1.0])
    AdamW([p], lr=0.1, eps=1.0, weight_decay=0.0, eps_hat=True).step([np.array([1.0])])
    r = math.sqrt(0.001)
    assert p[0] == pytest.approx(1 - r * 0.1 / (r + 1), rel=1e-12)
