"""Numpy-only tests of refimpl/textbook.py: each textbook form against refimpl's on ordinary
inputs, then the input where it breaks and refimpl does not, with the number measured there.

Tolerances: exact equality wherever both sides round the same operations (add, mul, relu,
leaky_relu, step, tanh's forward, mse's forward, a float64 sgd step, integer matmul).
Elsewhere refimpl uses another formula (the stable sigmoid, the max-shift with its rounding
error carried), so the two differ in rounding only, stated per test with its reason.
"""

from __future__ import annotations

import warnings

import mpmath as mp
import numpy as np
import pytest

import refimpl
from refimpl import ShapeError, Variable
from refimpl import textbook as tb

EPS = np.finfo(np.float64).eps
X = np.linspace(-3.0, 3.0, 61)           # ordinary inputs: no tail, no overflow
DOUT = np.random.default_rng(0).standard_normal(X.shape)


def grads(f, *xs, dout):
    """refimpl's gradients of f at the arrays xs for the cotangent dout, via Variable.backward."""
    vs = [Variable(np.asarray(x)) for x in xs]
    f(*vs).backward(np.asarray(dout))
    return tuple(v.grad for v in vs)


# ====================================================== on ordinary inputs: agreement

def test_add_mul_relu_leaky_relu_step_equal_refimpl_exactly():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    dout = rng.standard_normal((2, 3))
    np.testing.assert_array_equal(tb.add(a, b), refimpl.add(a, b))
    np.testing.assert_array_equal(tb.add_backward(a, b, dout), grads(refimpl.add, a, b, dout=dout))
    np.testing.assert_array_equal(tb.mul(a, b), refimpl.mul(a, b))
    np.testing.assert_array_equal(tb.mul_backward(a, b, dout), grads(refimpl.mul, a, b, dout=dout))
    np.testing.assert_array_equal(tb.relu(X), refimpl.relu(X))
    np.testing.assert_array_equal(tb.relu_backward(X, DOUT), grads(refimpl.relu, X, dout=DOUT)[0])
    for slope in (0.01, 0.1):
        leaky = lambda v: refimpl.leaky_relu(v, slope=slope)      # noqa: E731
        np.testing.assert_array_equal(tb.leaky_relu(X, slope), leaky(X))
        np.testing.assert_array_equal(tb.leaky_relu_backward(X, DOUT, slope),
                                      grads(leaky, X, dout=DOUT)[0])
    np.testing.assert_array_equal(tb.step(X), refimpl.step(X))   # values: 0/1 either way


def test_leaky_relu_default_slope_is_refimpls():
    x = np.array([-5.0])
    np.testing.assert_array_equal(tb.leaky_relu(x), refimpl.leaky_relu(x))
    np.testing.assert_array_equal(tb.leaky_relu_backward(np.array([-5.0]), np.ones(1)), [0.01])


def test_matmul_equals_refimpl():
    rng = np.random.default_rng(1)
    # small integers: every product and sum is exact on both sides
    x, W = rng.integers(-5, 5, (3, 4)).astype(float), rng.integers(-5, 5, (4, 2)).astype(float)
    dout = rng.integers(-5, 5, (3, 2)).astype(float)
    np.testing.assert_array_equal(tb.matmul(x, W), refimpl.matmul(x, W))
    for mine, ref in zip(tb.matmul_backward(x, W, dout), grads(refimpl.matmul, x, W, dout=dout)):
        np.testing.assert_array_equal(mine, ref)
    # positive reals: no cancellation, so BLAS's 4-term sums are within 4 eps of refimpl's
    # correctly rounded ones (measured 2.2e-16)
    x, W, dout = (rng.uniform(0.5, 2, shape) for shape in ((3, 4), (4, 2), (3, 2)))
    np.testing.assert_allclose(tb.matmul(x, W), refimpl.matmul(x, W), rtol=4 * EPS)
    for mine, ref in zip(tb.matmul_backward(x, W, dout), grads(refimpl.matmul, x, W, dout=dout)):
        np.testing.assert_allclose(mine, ref, rtol=4 * EPS)


def test_sigmoid_tanh_agree_with_refimpl_to_rounding():
    # forward: the naive and the stable sigmoid round differently, one or two ulps
    np.testing.assert_allclose(tb.sigmoid(X), refimpl.sigmoid(X), rtol=4 * EPS)
    np.testing.assert_array_equal(tb.tanh(X), refimpl.tanh(X))        # both np.tanh
    # backward: 1 - s and 1 - y^2 cancel; relative error about eps / (1 - y), largest at
    # |x| = 3: eps / 0.0474 (sigmoid) and eps / 0.00987 (tanh) < 1e-13
    np.testing.assert_allclose(tb.sigmoid_backward(X, DOUT),
                               grads(refimpl.sigmoid, X, dout=DOUT)[0], rtol=1e-13)
    np.testing.assert_allclose(tb.tanh_backward(X, DOUT),
                               grads(refimpl.tanh, X, dout=DOUT)[0], rtol=1e-13)


def shift_error(x):
    """The textbook softmax's relative error: x - max rounds to about eps |x - max|, which
    exp turns into a relative error of that size; plus a few roundings (exp, sum, divide).
    refimpl carries the subtraction's error along, so this is the whole difference."""
    return EPS * (np.abs(x - x.max(axis=-1, keepdims=True)) + 4)


def test_softmax_agrees_with_refimpl_to_rounding():
    rng = np.random.default_rng(1)
    x, dout = rng.standard_normal((4, 5)) * 3, rng.standard_normal((4, 5))
    y = refimpl.softmax(x)
    assert np.all(np.abs(tb.softmax(x) - y) <= shift_error(x) * y)
    np.testing.assert_allclose(tb.softmax(x).sum(axis=-1), 1.0, rtol=8 * EPS)
    # backward: y (dout - sum(dout y)) cancels inside the bracket and the sum, so the error
    # is relative to y (|dout| + sum |dout y|), not to the result: y's own error, and 8 eps
    # for a rounding per step of the 5-term sum, the products and the subtraction
    scale = y * (np.abs(dout) + np.sum(np.abs(dout * y), axis=-1, keepdims=True))
    diff = np.abs(tb.softmax_backward(x, dout) - grads(refimpl.softmax, x, dout=dout)[0])
    assert np.all(diff <= (shift_error(x) + 8 * EPS) * scale)


def test_mse_equals_refimpl():
    rng = np.random.default_rng(1)
    y_hat, t = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    np.testing.assert_array_equal(tb.mse(y_hat, t), refimpl.mse(y_hat, t))
    # refimpl multiplies by the rounded 1/n, the textbook divides by n: one rounding apart
    ref = grads(lambda v: refimpl.mse(v, t), y_hat, dout=np.array(1.0))[0]
    np.testing.assert_allclose(tb.mse_backward(y_hat, t, 1.0), ref, rtol=2 * EPS)
    np.testing.assert_allclose(tb.mse_backward(y_hat, t, 3.0), 3 * ref, rtol=4 * EPS)


def test_cross_entropy_agrees_with_refimpl_up_to_the_books_delta():
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((4, 5)) * 3, np.array([0, 3, 1, 4])
    p = refimpl.softmax(x)[np.arange(4), t]
    # the textbook adds 1e-7 inside the log: it is lower by mean(log(1 + 1e-7 / p))
    shift = np.mean(np.log1p(1e-7 / p))
    assert shift > 1e-8
    np.testing.assert_allclose(tb.cross_entropy(x, t), refimpl.cross_entropy(x, t) - shift,
                               rtol=1e-14)
    # backward: (softmax - one_hot) / N, without the delta: softmax's error, then y - 1 and
    # the division rounded once each
    ref = grads(lambda v: refimpl.cross_entropy(v, t), x, dout=np.array(1.0))[0]
    bound = shift_error(x) * refimpl.softmax(x) / len(t) + 2 * EPS * np.abs(ref)
    assert np.all(np.abs(tb.cross_entropy_backward(x, t, 1.0) - ref) <= bound)
    assert np.all(np.abs(tb.cross_entropy_backward(x, t, 2.0) - 2 * ref) <= 2 * bound)


def test_sgd_step_is_refimpls_sgd_in_float64():
    rng = np.random.default_rng(1)
    W, dW = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    W_ref = W.copy()
    assert tb.sgd_step(W, dW, 0.1) is None                 # in place, as the book's update
    refimpl.SGD([W_ref], lr=0.1).step([dW])
    np.testing.assert_array_equal(W, W_ref)


def test_numerical_derivative_is_the_central_difference():
    # for x^3 the central difference is exactly 3x^2 + h^2: the book's h = 1e-4 leaves 1e-8
    cube = lambda x: x ** 3                                             # noqa: E731
    assert tb.numerical_derivative(cube, 2.0) == pytest.approx(12 + 1e-8, rel=1e-10)
    assert tb.numerical_derivative(cube, 2.0, h=1e-3) == pytest.approx(12 + 1e-6, rel=1e-10)
    # sin: truncation h^2 cos / 6 ~ 1e-9 relative, and refimpl's own error is smaller
    ref = refimpl.numerical_derivative(np.sin, 1.0)
    assert tb.numerical_derivative(np.sin, 1.0) == pytest.approx(ref, rel=1e-8)


# ============================================================== where each form breaks

def test_step_returns_ints_and_hides_nan():
    y = tb.step(np.array([np.nan, -1.0, 2.0]))
    assert y.dtype.kind == "i" and refimpl.step(np.array([1.0])).dtype == np.float64
    np.testing.assert_array_equal(y, [0, 0, 1])                        # NaN > 0 is False
    np.testing.assert_array_equal(refimpl.step(np.array([np.nan, -1.0, 2.0])), [np.nan, 0, 1])


def test_add_backward_ignores_broadcasting():
    a, b, dout = np.ones((2, 3)), np.ones(3), np.ones((2, 3))
    assert tb.add_backward(a, b, dout)[1].shape == (2, 3)             # not b's shape
    db = grads(refimpl.add, a, b, dout=dout)[1]
    assert db.shape == (3,)
    np.testing.assert_array_equal(db, [2.0, 2.0, 2.0])                # summed over the copies


def test_mul_backward_ignores_broadcasting():
    a, b, dout = np.arange(6.0).reshape(2, 3), np.array(2.0), np.ones((2, 3))
    assert tb.mul_backward(a, b, dout)[1].shape == (2, 3)             # b is a scalar
    db = grads(refimpl.mul, a, b, dout=dout)[1]
    assert db.shape == ()
    assert db == 15.0                                                 # sum of a


def test_affine_equals_refimpls_linear_layer():
    """Small integers: every product and sum is exact, so the book's Affine and refimpl's
    Linear (matmul then add, by backprop) agree to the bit, forward and backward."""
    from refimpl.models import Linear
    rng = np.random.default_rng(1)
    x, W = rng.integers(-5, 5, (3, 4)).astype(float), rng.integers(-5, 5, (4, 2)).astype(float)
    b, dout = rng.integers(-5, 5, 2).astype(float), rng.integers(-5, 5, (3, 2)).astype(float)
    layer, v = Linear(4, 2, W=W, b=b), Variable(x)
    y = layer(v)
    np.testing.assert_array_equal(tb.affine(x, W, b), y.data)
    y.backward(dout)
    for mine, ref in zip(tb.affine_backward(x, W, b, dout), (v.grad, layer.W.grad, layer.b.grad)):
        np.testing.assert_array_equal(mine, ref)


def test_affine_backward_fails_on_one_sample_where_linear_does_not():
    from refimpl.models import Linear
    x, W, b = np.arange(3.0), np.full((3, 2), 0.5), np.zeros(2)
    np.testing.assert_array_equal(tb.affine(x, W, b), [1.5, 1.5])        # forward is fine
    with pytest.raises(ValueError, match="not aligned"):   # x.T is x: np.dot((3,), (2,))
        tb.affine_backward(x, W, b, np.ones(2))
    layer = Linear(3, 2, W=W, b=b)
    layer(Variable(x)).backward(np.ones(2))
    np.testing.assert_array_equal(layer.W.grad, np.outer(x, np.ones(2)))   # dW = x dout^T


def test_matmul_backward_fails_on_a_batch():
    x, W, dout = np.arange(24.0).reshape(2, 3, 4), np.ones((4, 5)), np.ones((2, 3, 5))
    np.testing.assert_array_equal(tb.matmul(x, W), refimpl.matmul(x, W))   # forward is fine
    with pytest.raises(ValueError):                  # x.T is (4, 3, 2): dW = x.T @ dout fails
        tb.matmul_backward(x, W, dout)
    dx, dW = grads(refimpl.matmul, x, W, dout=dout)
    assert dx.shape == (2, 3, 4) and dW.shape == (4, 5)
    np.testing.assert_array_equal(dW, x.reshape(6, 4).T @ dout.reshape(6, 5))


def test_sigmoid_overflows_where_refimpl_does_not():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert tb.sigmoid(np.array([-1000.0]))[0] == 0.0
    assert any("overflow" in str(w.message) for w in seen)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert refimpl.sigmoid(np.array([-1000.0]))[0] == 0.0        # e^-1000 underflows, silently
    # float32: exp(100) is inf, so 1 / inf = 0; the true 3.72e-44 is 27 subnormal units
    x = np.array([-100.0], dtype=np.float32)
    with np.errstate(over="ignore"):
        assert tb.sigmoid(x)[0] == 0.0
    assert refimpl.sigmoid(x)[0] == 27 * np.float32(2.0 ** -149)


def test_sigmoid_backward_loses_the_slope_where_s_rounds_to_1():
    x, dout = np.array([40.0]), np.array([1.0])
    assert tb.sigmoid(x)[0] == 1.0
    assert tb.sigmoid_backward(x, dout)[0] == 0.0
    e = np.exp(-40.0)                                                   # s' = e / (1 + e)^2
    dx = grads(refimpl.sigmoid, x, dout=dout)[0]
    np.testing.assert_allclose(dx, e / (1 + e) ** 2, rtol=2 * EPS)
    assert dx[0] == pytest.approx(4.248354255291589e-18, rel=1e-15)


def test_tanh_backward_loses_the_slope_where_tanh_rounds_to_1():
    x, dout = np.array([20.0]), np.array([1.0])
    assert tb.tanh(x)[0] == 1.0
    assert tb.tanh_backward(x, dout)[0] == 0.0
    e = np.exp(-40.0)                                               # 1/cosh^2 = 4e / (1 + e)^2
    dx = grads(refimpl.tanh, x, dout=dout)[0]
    np.testing.assert_allclose(dx, 4 * e / (1 + e) ** 2, rtol=2 * EPS)
    assert dx[0] == pytest.approx(1.6993417021166355e-17, rel=1e-15)


def test_relu_backward_hides_nan():
    x, dout = np.array([np.nan, 1.0]), np.array([1.0, 1.0])
    np.testing.assert_array_equal(tb.relu_backward(x, dout), [0.0, 1.0])
    np.testing.assert_array_equal(grads(refimpl.relu, x, dout=dout)[0], [np.nan, 1.0])


def test_leaky_relu_backward_promotes_float32_to_float64():
    x, dout = np.array([-1.0, 2.0], dtype=np.float32), np.ones(2, dtype=np.float32)
    assert tb.leaky_relu(x).dtype == np.float32                        # forward keeps it
    assert tb.leaky_relu_backward(x, dout).dtype == np.float64
    assert grads(refimpl.leaky_relu, x, dout=dout)[0].dtype == np.float32


def test_softmax_far_logit_and_backward_at_the_max():
    # the max shift: fine for [1000, 1000], where exp alone would overflow
    np.testing.assert_array_equal(tb.softmax(np.array([1000.0, 1000.0])), [0.5, 0.5])
    # but 0.1 - 700.3 is rounded before exp: the small probability is 181 ulps off
    x = np.array([700.3, 0.1])
    mp.mp.dps = 50
    e = mp.exp(mp.mpf(float(x[1])) - mp.mpf(float(x[0])))
    truth = float(e / (1 + e))
    ulp = np.spacing(truth)
    assert abs(tb.softmax(x)[1] - truth) / ulp == 181.0
    assert refimpl.softmax(x)[1] == truth
    # backward: where y rounds to 1, dout - sum(dout y) is 0, not y(1 - y) = 4.2e-18
    x, dout = np.array([40.0, 0.0]), np.array([1.0, 0.0])
    assert tb.softmax_backward(x, dout)[0] == 0.0
    np.testing.assert_allclose(grads(refimpl.softmax, x, dout=dout)[0],
                               [4.248354255291589e-18, -4.248354255291589e-18], rtol=2 * EPS)


def test_mse_broadcasts_a_mismatched_target_silently():
    y_hat, t = np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 2.0, 3.0])   # a perfect fit
    assert tb.mse(y_hat, t) == pytest.approx(4 / 3)                  # the (3, 3) table's mean
    with pytest.raises(ShapeError):
        refimpl.mse(y_hat, t)
    # float32: the squares fit, their float32 sum does not
    y_hat, t = np.full(10, 1.5e19, dtype=np.float32), np.zeros(10, dtype=np.float32)
    with np.errstate(over="ignore"):
        assert np.isinf(tb.mse(y_hat, t))
    square = np.float64(np.float32(1.5e19)) ** 2                        # 2.2500001e38 in float32
    assert refimpl.mse(y_hat, t) == np.float32(square)


def test_cross_entropy_delta_caps_the_loss_and_makes_it_negative():
    x = np.array([[1000.0, 0.0]])
    assert tb.softmax(x)[0, 1] == 0.0                    # without the delta: -log(0) = inf
    assert tb.cross_entropy(x, np.array([1])) == pytest.approx(-np.log(1e-7), rel=1e-15)   # 16.118
    assert refimpl.cross_entropy(x, np.array([1])) == 1000.0
    assert tb.cross_entropy(x, np.array([0])) == pytest.approx(-1e-7, rel=1e-6)   # a loss below 0
    assert refimpl.cross_entropy(x, np.array([0])) == 0.0
    # backward: y - 1 at the target cancels once y rounds to 1
    x, t = np.array([[40.0, 0.0, 0.0]]), np.array([0])
    assert tb.cross_entropy_backward(x, t, 1.0)[0, 0] == 0.0
    ref = grads(lambda v: refimpl.cross_entropy(v, t), x, dout=np.array(1.0))[0]
    assert ref[0, 0] == pytest.approx(-8.496708510583178e-18, rel=1e-15)


def test_sgd_step_rounds_twice_in_float16():
    # lr * dW rounds to 2^-12 in float16, so W - 2^-12 is a tie that goes to 1.0;
    # rounded once, 1 - (2^-12 + 2^-24) is 1 - 2^-11
    W, dW = np.array([1.0], dtype=np.float16), np.array([1.0], dtype=np.float16)
    lr = 2.0 ** -12 + 2.0 ** -24
    W_ref = W.copy()
    tb.sgd_step(W, dW, lr)
    refimpl.SGD([W_ref], lr=lr).step([dW])
    assert W[0] == 1.0
    assert W_ref[0] == 1 - 2.0 ** -11


def test_numerical_derivative_fixed_h_vanishes_at_large_x():
    f = lambda x: x ** 2                                                # noqa: E731
    assert 1e13 + 1e-4 == 1e13                                          # h is below half an ulp
    assert tb.numerical_derivative(f, 1e13) == 0.0
    assert refimpl.numerical_derivative(f, 1e13) == pytest.approx(2e13, rel=1e-11)
    assert tb.numerical_derivative(f, 1e12) == pytest.approx(2.68435456e12, rel=1e-9)   # 34% off


# ============================================================== found by `refimpl check`

def test_refimpl_check_finds_the_textbook_forms_by_name():
    from comparisons import learner, registry

    named = {"step", "add", "mul", "matmul", "sigmoid", "tanh", "relu", "leaky_relu", "softmax",
             "mse", "cross_entropy"}
    assert named <= set(registry.OPS)
    twin = learner.twin_of(tb)
    for name in named:
        assert callable(getattr(tb, name))
        assert twin(registry.OPS[name]).name == name
    x, dout = np.array([-1.0, 0.0, 2.0]), np.array([5.0, 5.0, 5.0])
    y, (dx,) = learner.vjp(twin(registry.OPS["sigmoid"]), [x], {}, [dout], (0,))
    np.testing.assert_array_equal(y, tb.sigmoid(x))
    np.testing.assert_array_equal(dx, tb.sigmoid_backward(x, dout))
    a, b = np.ones((2, 3)), np.array([1.0, 2.0, 3.0])
    y, (db,) = learner.vjp(twin(registry.OPS["add"]), [a, b], {}, [np.ones((2, 3))], (1,))
    np.testing.assert_array_equal(y, a + b)
    assert db.shape == (2, 3)                      # the textbook's shape, picked out by wrt
    y, (dx,) = learner.vjp(twin(registry.OPS["leaky_relu"]), [x], {"slope": 0.1}, [dout], (0,))
    np.testing.assert_array_equal(dx, [0.5, 0.5, 5.0])


def test_softmax_shifts_each_row_by_its_own_max():
    """Rows far apart: a shift by the whole batch's max would send the lower row's
    exponentials to 0 and give 0 / 0; each row's own max keeps both rows at 1/2."""
    x = np.array([[1000.0, 1000.0], [0.0, 0.0]])
    np.testing.assert_array_equal(tb.softmax(x), np.full((2, 2), 0.5))
