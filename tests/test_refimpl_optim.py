"""refimpl.optim: the documented defaults, the dtype rules, the constructor/step errors, and
each optimizer's first steps computed by hand from the textbook formulas.

What a user gets without passing a hyperparameter (torch's defaults, one step worked by
hand at values where a changed default shows), the dtypes a parameter may have, the exact
messages of the errors (which name the optimizer, the argument and the value), every
optimizer's first three steps against its formula, gradient ascent (maximize), the state's
shapes and dtypes, and the step count t.
"""

from __future__ import annotations

import math
import re

import ml_dtypes
import numpy as np
import pytest

from _messages import exactly
import refimpl
from refimpl import SGD, AdaGrad, Adam, AdamW, Optimizer, RMSProp, ShapeError, Variable


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


# ========================================== optimizers against hand computations of their steps

def _sgd_path(steps=3, **kw):
    """w after each step minimising f(w) = w^2 (f'(w) = 2w) from w = 1 with lr 0.1."""
    w = np.array([1.0])
    opt = SGD([w], lr=0.1, **kw)
    path = []
    for _ in range(steps):
        opt.step([2 * w])
        path.append(w[0])
    return path


@pytest.mark.parametrize("kw, by_hand", [
    # w <- w - 0.1 * 2w = 0.8 w
    ({}, [0.8, 0.64, 0.512]),
    # v = 2; w = 0.8.  v = 0.9*2 + 1.6 = 3.4; w = 0.46.  v = 3.06 + 0.92 = 3.98; w = 0.062
    ({"momentum": 0.9}, [0.8, 0.46, 0.062]),
    # v = 2, step 2 + 0.9*2 = 3.8; w = 0.62.  g = 1.24, v = 3.04, step 1.24 + 2.736 = 3.976;
    # w = 0.2224.  g = 0.4448, v = 3.1808, step 0.4448 + 2.86272 = 3.30752; w = -0.108352
    ({"momentum": 0.9, "nesterov": True}, [0.62, 0.2224, -0.108352]),
    # v = 2 (no dampening at the first step); w = 0.8.  v = 1.8 + 0.5*1.6 = 2.6; w = 0.54.
    # v = 2.34 + 0.5*1.08 = 2.88; w = 0.252
    ({"momentum": 0.9, "dampening": 0.5}, [0.8, 0.54, 0.252]),
    # coupled decay: g = 2w + 0.5w = 2.5w, w <- 0.75 w
    ({"weight_decay": 0.5}, [0.75, 0.5625, 0.421875]),
], ids=["plain", "momentum", "nesterov", "dampening", "weight_decay"])
def test_sgd_family_matches_hand_computation(kw, by_hand):
    np.testing.assert_allclose(_sgd_path(**kw), by_hand, rtol=1e-13, atol=1e-15)


# A tiny vector problem for the adaptive optimizers: f(p) = sum(a p^2 / 2 + c p).
P0 = np.array([1.0, -2.0, 0.5])
A_DIAG, C = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 0.25])


def _df(p):
    return A_DIAG * p + C


def _path(cls, steps=3, **kw):
    p = P0.copy()
    opt = cls([p], **kw)
    path = []
    for _ in range(steps):
        opt.step([_df(p)])
        path.append(p.copy())
    return np.array(path)


def _adagrad_by_formula(lr, eps, G0, inside, wd=0.0, steps=3):
    # torch docs / Duchi et al.: G <- G + g^2;  p <- p - lr g / (sqrt(G) + eps)
    # Keras/optax: p <- p - lr g / sqrt(G + eps); weight decay: g + wd p (coupled, torch's)
    p, G, path = P0.copy(), np.full(3, G0), []
    for _ in range(steps):
        g = _df(p) + wd * p
        G = G + g ** 2
        p = p - lr * g / (np.sqrt(G + eps) if inside else np.sqrt(G) + eps)
        path.append(p)
    return np.array(path)


def _rmsprop_by_formula(lr, rho, eps, inside, wd=0.0, steps=3):
    # v <- rho v + (1 - rho) g^2;  p <- p - lr g / (sqrt(v) + eps)   (or sqrt(v + eps))
    p, v, path = P0.copy(), np.zeros(3), []
    for _ in range(steps):
        g = _df(p) + wd * p
        v = rho * v + (1 - rho) * g ** 2
        p = p - lr * g / (np.sqrt(v + eps) if inside else np.sqrt(v) + eps)
        path.append(p)
    return np.array(path)


def _adam_by_formula(lr, b1, b2, eps, eps_hat=False, wd=0.0, decoupled=False, steps=3):
    # Kingma and Ba, Algorithm 1 (and their "epsilon hat" variant at the end of section 2);
    # weight decay as torch's Adam (g + wd p) or AdamW (p <- p - lr wd p first).
    p, m, v, path = P0.copy(), np.zeros(3), np.zeros(3), []
    for t in range(1, steps + 1):
        g = _df(p)
        if decoupled:
            p = p - lr * wd * p
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        if eps_hat:
            alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            p = p - alpha * m / (np.sqrt(v) + eps)
        else:
            m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
            p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(p)
    return np.array(path)


@pytest.mark.parametrize("inside", [False, True], ids=["eps_outside", "eps_inside"])
@pytest.mark.parametrize("G0", [0.0, 0.1])
@pytest.mark.parametrize("wd", [0.0, 0.5])
def test_adagrad_matches_its_formula(inside, G0, wd):
    # a large eps, so that where it goes makes a visible difference
    got = _path(AdaGrad, lr=0.1, eps=0.1, initial_accumulator_value=G0, eps_inside_sqrt=inside,
                weight_decay=wd)
    np.testing.assert_allclose(got, _adagrad_by_formula(0.1, 0.1, G0, inside, wd), rtol=1e-13)
    other = _adagrad_by_formula(0.1, 0.1, G0, not inside, wd)
    assert np.max(np.abs(got - other)) > 1e-3


def test_adagrad_first_step_is_lr_times_the_sign_of_g():
    # G = g^2 after one step, so the step is lr g / |g|: every coordinate moves by lr
    # eps must be > 0; 1e-300 next to |g| ~ 1 changes no digit of lr g / (|g| + eps)
    got = _path(AdaGrad, steps=1, lr=0.1, eps=1e-300)[0]
    np.testing.assert_allclose(P0 - got, 0.1 * np.sign(_df(P0)), rtol=1e-15)


@pytest.mark.parametrize("inside", [False, True], ids=["eps_outside", "eps_inside"])
@pytest.mark.parametrize("wd", [0.0, 0.5])
def test_rmsprop_matches_its_formula(inside, wd):
    got = _path(RMSProp, lr=0.01, rho=0.9, eps=0.1, eps_inside_sqrt=inside, weight_decay=wd)
    np.testing.assert_allclose(got, _rmsprop_by_formula(0.01, 0.9, 0.1, inside, wd), rtol=1e-13)
    assert np.max(np.abs(got - _rmsprop_by_formula(0.01, 0.9, 0.1, not inside))) > 1e-4


@pytest.mark.parametrize("eps, eps_hat", [(1e-8, False), (0.1, False), (0.1, True)])
def test_adam_matches_its_formula(eps, eps_hat):
    got = _path(Adam, lr=0.01, betas=(0.9, 0.999), eps=eps, eps_hat=eps_hat)
    np.testing.assert_allclose(got, _adam_by_formula(0.01, 0.9, 0.999, eps, eps_hat), rtol=1e-13)


def test_adam_eps_hat_is_a_different_method_when_eps_is_large():
    plain, hat = _path(Adam, lr=0.01, eps=0.1), _path(Adam, lr=0.01, eps=0.1, eps_hat=True)
    assert np.max(np.abs(plain - hat)) > 1e-4


def test_adam_bias_correction_makes_the_first_step_lr():
    """m = 0.1 g and v = 0.001 g^2 after one step; uncorrected the step would be
    lr 0.1/sqrt(0.001) = 3.16 lr. Corrected, m_hat/sqrt(v_hat) = g/|g|: the step is lr."""
    got = _path(Adam, steps=1, lr=0.01)[0]
    np.testing.assert_allclose(P0 - got, 0.01 * np.sign(_df(P0)), rtol=1e-6)


def test_adamw_decouples_weight_decay_and_adam_couples_it():
    coupled = _path(Adam, lr=0.01, weight_decay=0.5)
    decoupled = _path(AdamW, lr=0.01, weight_decay=0.5)
    np.testing.assert_allclose(coupled, _adam_by_formula(0.01, 0.9, 0.999, 1e-8, wd=0.5),
                               rtol=1e-13)
    np.testing.assert_allclose(decoupled, _adam_by_formula(0.01, 0.9, 0.999, 1e-8, wd=0.5,
                                                           decoupled=True), rtol=1e-13)
    assert np.max(np.abs(coupled - decoupled)) > 1e-3


# ======================================================= maximize, state shapes and dtypes, t

CONFIGS = {
    "sgd": (SGD, {"lr": 0.1}),
    "momentum": (SGD, {"lr": 0.1, "momentum": 0.9}),
    "nesterov": (SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    "dampening": (SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    "sgd_weight_decay": (SGD, {"lr": 0.1, "weight_decay": 0.1}),
    "adagrad": (AdaGrad, {"lr": 0.1, "initial_accumulator_value": 0.1, "weight_decay": 0.1}),
    "adagrad_eps_inside": (AdaGrad, {"lr": 0.1, "eps_inside_sqrt": True}),
    "rmsprop": (RMSProp, {"lr": 0.01, "weight_decay": 0.1}),
    "rmsprop_eps_inside": (RMSProp, {"lr": 0.01, "eps_inside_sqrt": True}),
    "adam": (Adam, {"lr": 0.01, "weight_decay": 0.1}),
    "adam_eps_hat": (Adam, {"lr": 0.01, "eps_hat": True}),
    "adamw": (AdamW, {"lr": 0.01, "weight_decay": 0.1}),
}


def _objective(w):
    """A non-quadratic f(w) = sum(w^4/4 - w^2 + c w), built from Variables."""
    return ((w * w * w * w).sum() * 0.25 - (w * w).sum() + (w * np.array([0.3, -0.7, 0.1])).sum())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", CONFIGS)
def test_maximize_f_equals_minimize_minus_f_bitwise(name, dtype):
    cls, kw = CONFIGS[name]
    up, down = np.array([0.5, -1.2, 2.0], dtype=dtype), np.array([0.5, -1.2, 2.0], dtype=dtype)
    ascend, descend = cls([up], maximize=True, **kw), cls([down], **kw)
    df, d_neg_f = refimpl.grad(_objective), refimpl.grad(lambda w: -_objective(w))
    for _ in range(5):
        ascend.step([df(up)])
        descend.step([d_neg_f(down)])
        np.testing.assert_array_equal(up, down)
    assert not np.array_equal(up, np.array([0.5, -1.2, 2.0], dtype=dtype))     # it moved
    for s_up, s_down in zip(ascend.state, descend.state):
        assert s_up.keys() == s_down.keys()
        for k in s_up:
            np.testing.assert_array_equal(s_up[k], s_down[k])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", CONFIGS)
def test_state_has_the_parameter_shape_and_dtype_and_t_counts_steps(name, dtype):
    cls, kw = CONFIGS[name]
    rng = np.random.default_rng(0)
    params = [rng.normal(size=(2, 3)).astype(dtype), rng.normal(size=4).astype(dtype)]
    opt = cls(params, **kw)
    assert opt.t == 0
    for step in range(1, 4):
        opt.step([rng.normal(size=p.shape).astype(dtype) for p in params])
        assert opt.t == step
    stateful = name not in ("sgd", "sgd_weight_decay")       # plain SGD keeps nothing
    for p, s in zip(params, opt.state):
        assert p.dtype == dtype
        assert bool(s) == stateful
        for v in s.values():
            assert (v.shape, v.dtype) == (p.shape, p.dtype)


def test_float32_step_is_computed_in_float64_and_rounded_once():
    rng = np.random.default_rng(0)
    p = rng.normal(size=10000).astype(np.float32)
    g = rng.normal(size=10000).astype(np.float32)
    once = (p.astype(np.float64) - 0.1 * g.astype(np.float64)).astype(np.float32)
    twice = p - np.float32(0.1) * g                      # float32 arithmetic rounds twice
    assert not np.array_equal(once, twice)               # so the check below can tell them apart
    SGD([p], lr=0.1).step([g])
    np.testing.assert_array_equal(p, once)


def test_variables_are_updated_from_their_grad():
    w = Variable(np.array([3.0, -1.0]))
    opt = SGD([w], lr=0.25)
    (w * w).sum().backward()                              # grad 2w = (6, -2)
    opt.step()
    np.testing.assert_array_equal(w.data, [1.5, -0.5])
    opt.zero_grad()
    assert w.grad is None
