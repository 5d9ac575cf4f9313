"""Numpy-only tests for activations and losses: backward against central differences,
the op contract in four dtypes, the stable forms against the textbook ones, bad input.

One table drives the gradient tests: ``name: (case strategy, callable)``. Inputs stay
away from kinks (|x| >= 1e-3 where an op has one) so central differences are valid.
"""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import refimpl
from comparisons import registry
from refimpl import Variable, numerical_gradient

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)
NONZERO = st.floats(1e-2, 8) | st.floats(-8, -1e-2)


def arrays(shape, elements=NONZERO):
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def unary(draw, elements=NONZERO):
    return (draw(arrays(draw(SHAPES), elements)),)


@st.composite
def rows(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    return (draw(arrays(shape, st.floats(-8, 8))),)


@st.composite
def pair(draw, lo=-8.0, hi=8.0, t_elems=None):
    shape = draw(SHAPES)
    y = draw(arrays(shape, st.floats(lo, hi)))
    t = draw(arrays(shape, st.floats(lo, hi) if t_elems is None else t_elems))
    return y, t


@st.composite
def pair_apart(draw, kink=0.0):
    """(y, t) with ||y - t| - kink| >= 1e-2: the loss's kink (mae's at |d| = 0, huber's at
    |d| = delta) is kept out of reach, where a central difference loses its accuracy
    (huber(0, 2, delta=2) once missed rtol 1e-6 by 1.5e-6 there)."""
    y, t = draw(pair())
    near = np.abs(np.abs(y - t) - kink) < 1e-2
    return y, t + np.where(near, 0.5, 0.0)


@st.composite
def classes(draw, soft=False):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    x = draw(arrays(shape, st.floats(-8, 8)))
    if soft:
        w = draw(arrays(shape, st.floats(0.01, 1)))
        return x, w / w.sum(axis=-1, keepdims=True)
    t = draw(hnp.arrays(np.int64, shape[:-1], elements=st.integers(0, shape[-1] - 1)))
    return x, t


R = refimpl
# name -> (strategy of input tuples, f(*inputs) -> output, indices differentiated)
OPS = {
    "step": (unary(), R.step, (0,)),
    "sigmoid": (unary(), R.sigmoid, (0,)),
    "sigmoid_naive": (unary(), R.sigmoid_naive, (0,)),
    "tanh": (unary(), R.tanh, (0,)),
    "relu": (unary(), R.relu, (0,)),
    "leaky_relu": (unary(), lambda x: R.leaky_relu(x, slope=0.1), (0,)),
    "softmax": (rows(), R.softmax, (0,)),
    "softmax_axis0": (rows(), lambda x: R.softmax(x, axis=0), (0,)),
    "log_softmax": (rows(), R.log_softmax, (0,)),
    "softplus": (unary(), R.softplus, (0,)),
    "elu": (unary(), lambda x: R.elu(x, alpha=0.5), (0,)),
    "gelu": (unary(), R.gelu, (0,)),
    "gelu_tanh": (unary(), lambda x: R.gelu(x, approximate=True), (0,)),
    "silu": (unary(), R.silu, (0,)),
    "mse": (pair(), R.mse, (0, 1)),
    "mse_sum": (pair(), lambda y, t: R.mse(y, t, reduction="sum"), (0, 1)),
    "mae": (pair_apart(), R.mae, (0, 1)),
    "huber": (pair_apart(kink=2.0), lambda y, t: R.huber(y, t, delta=2.0, reduction="none"), (0, 1)),
    "bce": (pair(0.05, 0.95, st.floats(0, 1)), R.binary_cross_entropy, (0,)),
    "bce_logits": (pair(t_elems=st.floats(0, 1)), R.binary_cross_entropy_with_logits, (0,)),
    "cross_entropy": (classes(), R.cross_entropy, (0,)),
    "cross_entropy_none": (classes(), lambda x, t: R.cross_entropy(x, t, reduction="none"), (0,)),
    "cross_entropy_soft": (classes(soft=True), R.cross_entropy, (0, 1)),
    "nll": (classes(), lambda x, t: R.nll(x, t, reduction="sum"), (0,)),
    "gaussian_nll": (pair().map(lambda p: (p[0], p[1], np.abs(p[1]) + 0.5)),
                     lambda m, t, v: R.gaussian_nll(m, t, v, full=True), (0, 1, 2)),
}


@pytest.mark.parametrize("name", OPS)
@given(data=st.data())
def test_backward_matches_numerical_gradient(name, data):
    strategy, f, wrt = OPS[name]
    xs = list(data.draw(strategy, label="inputs"))
    y = f(*xs)
    g = np.random.default_rng(0).uniform(-1, 1, np.shape(y))
    vs = [Variable(x) if i in wrt else x for i, x in enumerate(xs)]
    refimpl.sum(refimpl.mul(f(*vs), g)).backward()
    for i in wrt:
        def h(xi, i=i):
            args = list(xs)
            args[i] = xi
            return np.sum(np.asarray(f(*args)) * g)
        np.testing.assert_allclose(vs[i].grad, numerical_gradient(h, xs[i]), rtol=1e-6, atol=1e-7,
                                   err_msg=f"{name}: gradient of input {i}")


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "softplus", "elu",
                                  "gelu", "gelu_tanh", "silu", "softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", [np.float16, ml_dtypes.bfloat16, np.float32, np.float64])
def test_gradient_has_input_shape_and_dtype(name, dtype):
    _, f, _ = OPS[name]
    x = Variable(np.linspace(-3, 3, 6).reshape(2, 3).astype(dtype))
    y = f(x)
    assert y.dtype == x.dtype
    refimpl.sum(y).backward()
    assert x.grad.shape == x.shape and x.grad.dtype == x.dtype
    # the values: the float64 answer at the same numbers, rounded once (within a unit)
    w = Variable(x.data.astype(np.float64))
    refimpl.sum(f(w)).backward()
    eps, tiny = float(ml_dtypes.finfo(dtype).eps), float(ml_dtypes.finfo(dtype).smallest_subnormal)
    np.testing.assert_allclose(y.data.astype(np.float64), f(w).data, rtol=eps, atol=tiny)
    np.testing.assert_allclose(x.grad.astype(np.float64), w.grad, rtol=eps, atol=tiny)


# ====================================================== stable forms and worked examples

def test_stable_and_naive_sigmoid_agree_where_both_are_exact():
    x = np.linspace(-30, 30, 2001)
    np.testing.assert_allclose(R.sigmoid(x), R.sigmoid_naive(x), rtol=4e-16 * 8)


def test_naive_sigmoid_derivative_cancels_where_the_stable_one_does_not():
    x = np.array([40.0])     # s(40) rounds to 1 in float64: s (1 - s) is 0
    stable = refimpl.grad(lambda v: refimpl.sum(R.sigmoid(v)))(x)
    naive = refimpl.grad(lambda v: refimpl.sum(R.sigmoid_naive(v)))(x)
    assert naive[0] == 0.0
    np.testing.assert_allclose(stable[0], np.exp(-40.0), rtol=1e-15)


def test_sigmoid_of_minus_100_is_the_float32_subnormal():
    y = R.sigmoid(np.float32(-100.0))
    assert y.dtype == np.float32 and 0 < y < np.finfo(np.float32).tiny
    assert float(y) == 27 * 2.0 ** -149      # e^-100 = 3.72e-44 is 26.55 units of 2^-149


def test_gelu_keeps_its_negative_tail():
    assert 0 > R.gelu(np.float32(-11.0)) > -1e-26


def test_leaky_relu_keeps_a_tenth_with_slope_0_1():
    np.testing.assert_array_equal(R.leaky_relu(np.array([-5.0, 0.0, 5.0]), slope=0.1), [-0.5, 0.0, 5.0])


def test_log_softmax_keeps_digits_log_of_softmax_loses():
    x = np.array([0.0, -40.0])
    assert R.log_softmax(x)[0] == -np.exp(-40.0) * (1 - np.exp(-40.0) / 2) or \
        abs(R.log_softmax(x)[0] + np.exp(-40.0)) <= 1e-16 * np.exp(-40.0)
    assert np.log(R.softmax(x))[0] == 0.0     # what the naive composition returns


def test_cross_entropy_equals_nll_of_log_softmax_and_soft_one_hot():
    x = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 3.0]])
    t = np.array([0, 2])
    a = R.cross_entropy(x, t)
    np.testing.assert_allclose(a, R.nll(R.log_softmax(x), t), rtol=1e-15)
    np.testing.assert_allclose(a, R.cross_entropy(x, np.eye(3)[t]), rtol=1e-15)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("target", ["class", "one-hot", "one-hot x 2"])
def test_cross_entropy_gradient_where_the_model_is_confidently_right(target, dtype):
    """softmax - one_hot cancels to 0 at the right class when softmax rounds to 1; the truth
    at x = [40, 0, 0], class 0, is -2e^-40 / (1 + 2e^-40) = -8.4967e-18 (mpmath, 100 digits)."""
    import mpmath

    with mpmath.workdps(100):
        e = mpmath.exp(-40)
        truth = {"p0 - 1": float(-2 * e / (1 + 2 * e)), "p1": float(e / (1 + 2 * e))}
    x = Variable(np.array([[40.0, 0.0, 0.0]], dtype))
    t = {"class": np.array([0]), "one-hot": np.array([[1.0, 0.0, 0.0]], dtype),
         "one-hot x 2": np.array([[2.0, 0.0, 0.0]], dtype)}[target]
    R.cross_entropy(x, t, reduction="sum").backward()
    scale = 2.0 if target == "one-hot x 2" else 1.0   # d/dx = softmax * sum(t) - t
    got = x.grad.astype(np.float64)[0]
    for g, want in zip(got, [scale * truth["p0 - 1"], scale * truth["p1"], scale * truth["p1"]]):
        assert abs(g - want) <= abs(np.spacing(np.asarray(want, dtype))), (g, want)   # 1 ULP


@pytest.mark.parametrize("reduction,expected", [("none", [1.0, 9.0]), ("sum", 10.0), ("mean", 5.0)])
def test_reductions(reduction, expected):
    np.testing.assert_array_equal(R.mse(np.array([1.0, 3.0]), np.zeros(2), reduction=reduction),
                                  expected)


def test_bce_is_exact_at_the_edges():
    assert R.binary_cross_entropy(np.array([0.0]), np.array([1.0])) == np.inf
    assert R.binary_cross_entropy(np.array([0.0, 1.0]), np.array([0.0, 1.0])) == 0.0


def test_bce_with_logits_saturates_without_overflow():
    y = R.binary_cross_entropy_with_logits(np.array([1e4, -1e4, 1e4]), np.array([1.0, 0.0, 0.0]),
                                           reduction="none")
    np.testing.assert_array_equal(y, [0.0, 0.0, 1e4])


# ============================================================================ bad input

@pytest.mark.parametrize("call,error,words", [
    (lambda: R.mse(np.zeros(3), np.zeros(2)), refimpl.ShapeError, "(2,)"),
    (lambda: R.mse(np.zeros(3), np.zeros(3), reduction="avg"), ValueError, "reduction"),
    (lambda: R.cross_entropy(np.zeros((2, 3)), np.array([0, 3])), ValueError, "out of range"),
    (lambda: R.cross_entropy(np.zeros((2, 3)), np.array([0])), refimpl.ShapeError, "class axis"),
    (lambda: R.nll(np.zeros((2, 3)), np.array([0.5, 1.0])), TypeError, "integers"),
    (lambda: R.gaussian_nll(np.zeros(2), np.zeros(2), np.array([1.0, -1.0])), ValueError, "var"),
    (lambda: R.binary_cross_entropy(np.array([1.5]), np.array([1.0])), ValueError, "[0, 1]"),
    (lambda: R.binary_cross_entropy(np.array([0.5]), np.array([-1.0])), ValueError, "targets"),
    (lambda: R.huber(np.zeros(2), np.zeros(2), delta=0), ValueError, "delta"),
    (lambda: R.softmax(np.float64(1.0)), refimpl.ShapeError, "axis"),
])
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error, match=None) as e:
        call()
    assert words in str(e.value)


# ========================================================================= the type contract

@pytest.mark.parametrize("name", [op.name for op in registry.OPS_LIST
                                  if op.module in ("activations", "losses")])
@given(data=st.data())
def test_plain_in_plain_out_variables_in_variable_out(name, data):
    """Arrays in, exactly ndarrays out (never a numpy scalar, even for a mean); the
    differentiated arguments as Variables, a recorded Variable out."""
    op = registry.OPS[name]
    case = data.draw(op.inputs("float32"), label="case")
    with np.errstate(all="ignore"):
        y = op.reference(*case.arrays, **case.kwargs)
        assert type(y) is np.ndarray, f"{name} on arrays returned {type(y).__name__}"
        xs = [Variable(x) if i in op.wrt_of(case) else x for i, x in enumerate(case.arrays)]
        y = op.reference(*xs, **case.kwargs)
    assert isinstance(y, Variable) and y.creator is not None, f"{name} on Variables"


def test_gaussian_nll_full_adds_half_log_two_pi():
    mu, t, var = np.array([0.5, -1.0]), np.array([1.0, 2.0]), np.array([0.25, 3.0])
    plain = refimpl.gaussian_nll(mu, t, var, reduction="none")
    np.testing.assert_allclose(plain, (np.log(var) + (mu - t) ** 2 / var) / 2, rtol=1e-15)
    full = refimpl.gaussian_nll(mu, t, var, full=True, reduction="none")
    np.testing.assert_allclose(full - plain, 0.5 * math.log(2 * math.pi), rtol=1e-15)


def test_cosine_similarity_below_eps_divides_by_eps():
    """|a| <= eps: the norm is the constant eps, cos = a.b / (eps |b|), and d cos/da = b /
    (eps |b|) (v / eps: no u term), d cos/db = (a/eps - cos v) / |b|."""
    eps = 1e-8
    a, b = Variable(np.array([1e-9, -2e-9])), Variable(np.array([1.0, 2.0]))
    y = refimpl.cosine_similarity(a, b, eps=eps)
    nb = math.sqrt(5.0)
    cos = (1e-9 - 4e-9) / (eps * nb)
    np.testing.assert_allclose(y.data, cos, rtol=1e-15)
    y.backward()
    np.testing.assert_allclose(a.grad, b.data / (eps * nb), rtol=1e-15)
    np.testing.assert_allclose(b.grad, (a.data / eps - cos * b.data / nb) / nb, rtol=1e-14)
