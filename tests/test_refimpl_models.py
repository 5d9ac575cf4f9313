"""Layers and models (refimpl.models) on worked examples: values small enough to check by hand.

Linear at small integers (forward and its three gradients), mlp assembled from given
weights, least squares on exact lines, and the perceptron rule traced epoch by epoch.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from refimpl import Linear, Perceptron, Sequential, least_squares, mlp

X_GATE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


# ============================================================================== Linear

def test_linear_forward_and_gradients_at_small_integers():
    """y = x W + b; dW = x^T dy, db = dy summed over rows, dx = dy W^T, all by hand."""
    layer = Linear(2, 3, W=[[1, 2, 3], [4, 5, 6]], b=[1, 1, 1])
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    y = layer(x)
    np.testing.assert_array_equal(y.data, [[10, 13, 16], [0, 2, 4]])
    y.backward(np.array([[1.0, 0.0, -1.0], [0.0, 2.0, 1.0]]))
    np.testing.assert_array_equal(layer.W.grad, [[1, 6, 2], [2, -2, -3]])
    np.testing.assert_array_equal(layer.b.grad, [1, 2, 0])


def test_linear_takes_a_single_sample_as_a_vector():
    """One sample of n features, shape (n,), gives (m,): [1, 2] W + b = [10, 13, 16]."""
    layer = Linear(2, 3, W=[[1, 2, 3], [4, 5, 6]], b=[1, 1, 1])
    np.testing.assert_array_equal(layer(np.array([1.0, 2.0])).data, [10, 13, 16])


@pytest.mark.parametrize("given", [False, True])
def test_linear_parameters_have_the_requested_dtype(given):
    W, b = (np.ones((2, 3)), np.zeros(3)) if given else (None, None)
    layer = Linear(2, 3, W=W, b=b, rng=np.random.default_rng(0), dtype=np.float32)
    assert [p.dtype for p in layer.parameters()] == [np.float32, np.float32]


def test_linear_parameters_are_named_W_and_b():
    assert [p.name for p in Linear(2, 3, rng=np.random.default_rng(0)).parameters()] == ["W", "b"]


def test_linear_default_init_is_lecun_normal():
    """W ~ N(0, 1/n_in): with n_in = 400 the std is 1/20; 40 000 draws pin the sample
    mean within 0.001 and the std within 2% (both are 4+ standard errors)."""
    W = Linear(400, 100, rng=np.random.default_rng(0)).W.data
    assert abs(W.mean()) < 1e-3
    assert abs(W.std() / 0.05 - 1) < 0.02


def test_repr_names_the_layers_and_their_widths():
    assert repr(Linear(3, 2, rng=np.random.default_rng(0))) == "Linear(3, 2)"
    net = mlp([2, 4, 1], rng=np.random.default_rng(0))
    assert repr(net) == "Sequential(Linear(2, 4), tanh, Linear(4, 1))"


# ================================================================================= mlp

def test_mlp_from_given_weights_by_hand():
    """x = [1, -1]: h = tanh(x W1 + b1) = tanh([0, 1]) ; y = h W2 + b2 = tanh(1) + 0.5."""
    weights = [np.array([[1.0, 2.0], [1.0, 1.0]]), np.array([0.0, 0.0]),
               np.array([[3.0], [1.0]]), np.array([0.5])]
    net = mlp([2, 2, 1], weights=weights)
    assert isinstance(net, Sequential)
    np.testing.assert_allclose(net(np.array([[1.0, -1.0]])).data, [[np.tanh(1.0) + 0.5]],
                               rtol=1e-15)


def test_mlp_with_two_sizes_is_one_linear_layer():
    net = mlp([2, 1], weights=[np.array([[2.0], [3.0]]), np.array([1.0])])
    assert repr(net) == "Sequential(Linear(2, 1))"
    np.testing.assert_array_equal(net(np.array([[1.0, 1.0]])).data, [[6.0]])


def test_mlp_passes_dtype_and_rng_to_every_layer():
    """The same seed gives the same net; every parameter has the requested dtype."""
    a = mlp([2, 4, 1], rng=np.random.default_rng(3), dtype=np.float32)
    b = mlp([2, 4, 1], rng=np.random.default_rng(3), dtype=np.float32)
    assert [p.dtype for p in a.parameters()] == [np.float32] * 4
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


# ======================================================================= least squares

def test_least_squares_keeps_float32():
    """t = 2x + 1 exactly on x = 0, 1, 2: W = 2, b = 1, in the inputs' dtype."""
    x = np.array([[0.0], [1.0], [2.0]], dtype=np.float32)
    W, b = least_squares(x, 2 * x + 1)
    assert (W.dtype, b.dtype) == (np.float32, np.float32)
    np.testing.assert_allclose(W, [[2.0]], rtol=1e-5)
    np.testing.assert_allclose(b, [1.0], rtol=1e-5)


# ========================================================================== perceptron

@pytest.mark.parametrize("gate, errors, w, b", [
    # AND: epoch 1 fixes (1,1) only; see test_refimpl_training for epochs 1-2 spelled out.
    ("AND", [1, 3, 3, 2, 1, 0], [2.0, 1.0], -2.0),
    # OR: (0,1) scores 0 -> w=(0,1), b=1; epoch 2: (0,0) scores 1 -> b=0, (1,0) scores 0
    # -> w=(1,1), b=1; epoch 3: (0,0) scores 1 -> b=0; epoch 4 is clean.
    ("OR", [1, 2, 1, 0], [1.0, 1.0], 0.0),
])
def test_perceptron_learns_a_gate_in_the_epochs_worked_by_hand(gate, errors, w, b):
    t = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1]}[gate]
    p = Perceptron(2)
    fit = p.fit(X_GATE, t)
    assert fit.errors == errors
    assert (fit.converged, fit.cycled) == (True, False)
    assert (p.w.tolist(), float(p.b)) == (w, b)
    assert repr(fit) == f"Fit(converged=True, epochs={len(errors)}, cycled=False)"


def test_perceptron_update_by_hand_on_two_samples():
    """lr = 0.5 from w = 0, b = 0: (1, 2), t = 1 scores 0 -> w = (0.5, 1), b = 0.5;
    (-1, 1), t = 0 scores -0.5 + 1 + 0.5 = 1 -> w = (1, 0.5), b = 0."""
    p = Perceptron(2, lr=0.5)
    fit = p.fit([[1, 2], [-1, 1]], [1, 0], max_epochs=1)
    assert (p.w.tolist(), float(p.b)) == ([1.0, 0.5], 0.0)
    assert (fit.errors, fit.converged, fit.cycled) == ([2], False, False)


def test_perceptron_on_xor_reports_a_cycle_and_no_convergence():
    fit = Perceptron(2).fit(X_GATE, [0, 1, 1, 0])
    assert (fit.converged, fit.cycled) == (False, True)


def _rule_in_fractions(x, t, epochs):
    """The perceptron rule in exact rationals (lr = 1, w = b = 0): errors per epoch."""
    w, b, errors = [Fraction(0)] * len(x[0]), Fraction(0), []
    for _ in range(epochs):
        wrong = 0
        for xi, ti in zip(x, t):
            delta = ti - (1 if sum(a * c for a, c in zip(w, xi)) + b > 0 else 0)
            wrong += delta != 0
            w, b = [a + delta * c for a, c in zip(w, xi)], b + delta
        errors.append(wrong)
        if wrong == 0:
            break
    return errors


def test_perceptron_gives_up_after_100_epochs_by_default():
    """Margin 1/64 between 1 and 1 + 1/64 needs 131 epochs (exact rational reference;
    all values are dyadic, so float64 is exact too): the default budget stops at 100."""
    x, t = [[1.0], [1.0 + 2**-6]], [0, 1]
    reference = _rule_in_fractions([[Fraction(1)], [1 + Fraction(1, 64)]], t, 200)
    assert len(reference) == 131
    fit = Perceptron(1).fit(x, t)
    assert fit.errors == reference[:100]
    assert (fit.converged, fit.cycled) == (False, False)
    assert Perceptron(1).fit(x, t, max_epochs=200).errors == reference


def test_perceptron_takes_python_ints_beyond_int64():
    """x = 2**70 (object dtype to numpy): fit and predict still work in float64."""
    p = Perceptron(1)
    assert p.fit([[2**70]], [1]).converged
    assert (p.w.tolist(), float(p.b)) == ([2.0**70], 1.0)
    np.testing.assert_array_equal(p.predict([[2**70]]), [1.0])


# ================================================================== bad input, messages

