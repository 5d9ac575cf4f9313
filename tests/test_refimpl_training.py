"""Numpy-only demonstrations of the training concepts: optimizers, models, the training loop.

Each claim the learner pages make about training is shown here as a test that could fail:
the perceptron learns AND/OR/NAND but loops for ever on XOR (and why no line separates
XOR), an MLP learns XOR, stacked linear layers collapse to one, gradient descent reaches
the closed-form least-squares answer, sigmoid's gradient vanishes and ReLU's does not,
the learning rate's 2/L limit and the errors. Each optimizer's first steps by hand are in
test_refimpl_optim.py, the epoch/iteration arithmetic in test_refimpl_schedule.py.
Expected values come from hand computation or independent numpy, never from the code
under test. The experiments the learning pages also show (their figures) run in
comparisons/learn/demos.py, so the pages show the very results asserted here.
"""

from __future__ import annotations

import numpy as np
import pytest

import refimpl
from comparisons.learn import demos
from comparisons.learn.demos import EIGENVALUES, GATES, X_GATE
from refimpl import (
    SGD, AdaGrad, Adam, AdamW, Linear, Perceptron, RMSProp, Sequential, ShapeError,
    fit, least_squares, minibatches, schedule,
)

# ============================================================== perceptron: AND, OR, NAND, XOR

@pytest.fixture(scope="module")
def gates():
    return demos.perceptron_gates()


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
def test_perceptron_learns_the_linearly_separable_gates(gates, gate):
    result = gates[gate]
    assert result.converged and not result.cycled
    assert result.errors[-1] == 0
    np.testing.assert_array_equal(result.y, np.array(GATES[gate], dtype=np.float64))


def test_perceptron_rule_by_hand_on_and():
    """From w = 0, b = 0, lr = 1, samples in order (0,0), (0,1), (1,0), (1,1):
    epoch 1: only (1,1) is wrong (step(0) = 0, t = 1): w = (1, 1), b = 1.
    epoch 2: (0,0) scores 1, t = 0: w = (1, 1), b = 0; (0,1) scores 1, t = 0: w = (1, 0),
    b = -1; (1,0) scores 0, right; (1,1) scores 0, t = 1: w = (2, 1), b = 0. 3 errors."""
    p = Perceptron(2)
    t = np.array(GATES["AND"], dtype=np.float64)
    assert p.fit(X_GATE, t, max_epochs=1).errors == [1]
    assert (p.w.tolist(), float(p.b)) == ([1.0, 1.0], 1.0)
    assert p.fit(X_GATE, t, max_epochs=1).errors == [3]
    assert (p.w.tolist(), float(p.b)) == ([2.0, 1.0], 0.0)


def test_perceptron_on_xor_reports_a_cycle(gates):
    result = gates["XOR"]                             # run with max_epochs=1000
    assert result.cycled and not result.converged
    assert all(e > 0 for e in result.errors)          # every epoch it ran still had errors
    assert len(result.errors) < 1000                  # it noticed the loop; it did not run out


def test_perceptron_on_xor_really_loops_for_ever():
    """Check the cycle claim independently: run one epoch at a time, record the weights at
    each epoch start; a start repeats, and from there the sequence is periodic with errors
    in every epoch (the rule is deterministic, so it will repeat for ever)."""
    starts, errors = demos.perceptron_epochs("XOR", 40)
    first = next(i for i, s in enumerate(starts) if s in starts[:i])
    period = first - starts.index(starts[first])
    assert all(starts[i] == starts[i - period] for i in range(first, len(starts)))
    assert min(errors) > 0


def test_no_line_separates_xor_because_both_classes_have_the_same_mean():
    """For a line (w, b) the score w.x + b is affine, so the mean score of a class is the
    score of its mean point. XOR's positives and negatives have the same mean, (1/2, 1/2),
    so their mean scores are equal: they cannot be > 0 on average for the positives and
    <= 0 on average for the negatives, so no line puts all positives on one side and all
    negatives on the other."""
    t = np.array(GATES["XOR"])
    pos, neg = X_GATE[t == 1], X_GATE[t == 0]
    np.testing.assert_array_equal(pos.mean(axis=0), neg.mean(axis=0))

    rng = np.random.default_rng(0)
    w, b = rng.normal(size=(2, 5000)), rng.normal(size=5000)
    s_pos, s_neg = pos @ w + b, neg @ w + b                      # (2 points, 5000 lines)
    np.testing.assert_allclose(s_pos.mean(axis=0), s_neg.mean(axis=0), rtol=1e-12, atol=1e-12)
    # so some positive scores <= the common mean <= some negative score, for every line
    assert np.all(s_pos.min(axis=0) <= s_neg.max(axis=0))


def test_random_lines_separate_and_or_nand_but_never_xor():
    """Extra evidence: of many random lines, some separate AND, OR and NAND; none XOR."""
    rng = np.random.default_rng(1)
    w, b = rng.normal(size=(2, 20000)), rng.normal(size=20000)
    y = (X_GATE @ w + b > 0)                                      # (4 points, 20000 lines)
    separating = {g: int(np.sum(np.all(y == (np.array(t)[:, None] == 1), axis=0)))
                  for g, t in GATES.items()}
    assert separating["XOR"] == 0
    assert min(separating["AND"], separating["OR"], separating["NAND"]) > 100


# ========================================================================== the MLP solves XOR

@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_two_layer_mlp_learns_xor(seed):
    """A 2-4-1 tanh MLP, Adam lr 0.05, BCE with logits, full batch, up to 2000 epochs."""
    run = demos.xor_mlp(seed)
    assert run.stopped == "tol"
    np.testing.assert_array_equal(run.logits > 0, np.array(GATES["XOR"]) == 1)   # logit > 0: 1


# ================================================ linear layers without activation collapse

def test_linear_layer_is_x_W_plus_b_and_backprop_gives_its_textbook_gradients():
    """y = x W + b; for an upstream dy: dW = x^T dy, db = dy summed over the batch."""
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    x, dy = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    layer = Linear(3, 2, W=W, b=b)
    y = layer(x)
    np.testing.assert_allclose(y.data, x @ W + b, rtol=1e-15, atol=1e-15)
    y.backward(dy)
    np.testing.assert_allclose(layer.W.grad, x.T @ dy, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(layer.b.grad, dy.sum(axis=0), rtol=1e-14, atol=1e-15)


def test_stack_of_linear_layers_equals_one_linear_layer():
    """x W1 + b1 -> (..) W2 + b2 -> (..) W3 + b3 is x (W1 W2 W3) + ((b1 W2 + b2) W3 + b3)."""
    run = demos.linear_collapse(0)
    (W1, b1), (W2, b2), (W3, b3) = run.layers
    np.testing.assert_array_equal(run.W, W1 @ W2 @ W3)          # the one layer is the product
    np.testing.assert_array_equal(run.b, (b1 @ W2 + b2) @ W3 + b3)
    np.testing.assert_allclose(run.stack, run.one, rtol=1e-12, atol=1e-12)


def test_a_tanh_between_the_layers_breaks_the_collapse():
    """With tanh in the stack no affine map reproduces it: even the best one (least squares
    on the outputs) leaves a large residual, while the purely linear stack leaves ~0."""
    rng = np.random.default_rng(0)
    l1, l2, l3 = demos.three_linear_layers(rng)
    x = rng.normal(size=(200, 3))

    def affine_misfit(y):
        W, b = least_squares(x, y)
        return np.linalg.norm(x @ W + b - y) / np.linalg.norm(y - y.mean(axis=0))

    assert affine_misfit(Sequential(l1, l2, l3)(x).data) < 1e-12
    assert affine_misfit(Sequential(l1, refimpl.tanh, l2, l3)(x).data) > 0.05


# ============================================= linear regression: closed form and gradient descent

def test_least_squares_solves_the_normal_equations():
    x, t = demos.regression_data(0.3, np.random.default_rng(0))
    A = np.hstack([x, np.ones((len(x), 1))])
    w = np.linalg.solve(A.T @ A, A.T @ t)             # A^T A w = A^T t
    W, b = least_squares(x, t)
    np.testing.assert_allclose(W, w[:-1], rtol=1e-12)
    np.testing.assert_allclose(b, w[-1], rtol=1e-12)


def test_least_squares_recovers_exact_parameters_from_noise_free_data():
    x, t = demos.regression_data(0.0, np.random.default_rng(0))
    W, b = least_squares(x, t)
    np.testing.assert_allclose(W, [[1.5], [-2.0], [0.5]], rtol=1e-12)
    np.testing.assert_allclose(b, [0.7], rtol=1e-12)


@pytest.mark.parametrize("batch_size, noise", [
    (64, 0.3),   # full batch: plain GD converges to the least-squares minimum of noisy data
    (8, 0.0),    # mini-batch SGD with a fixed lr only settles where every batch's gradient
                 # is 0 too, i.e. on data a line fits exactly
])
def test_gradient_descent_reaches_the_closed_form_solution(batch_size, noise):
    x, t = demos.regression_data(noise, np.random.default_rng(0))
    W_star, b_star = least_squares(x, t)
    model = Linear(3, 1, W=np.zeros((3, 1)))
    fit(model, refimpl.mse, SGD(model.parameters(), lr=0.1), x, t,
        batch_size=batch_size, epochs=300, seed=0)
    np.testing.assert_allclose(model.W.data, W_star, atol=1e-8)   # stated tolerance: 1e-8
    np.testing.assert_allclose(model.b.data, b_star, atol=1e-8)


# ============================================================ vanishing gradient: sigmoid vs ReLU

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_gradient_vanishes_towards_the_first_layer(seed):
    """sigmoid' <= 1/4: each layer back multiplies the gradient by about 1/4 (measured:
    2.5x-24x per layer; last/first 4.9e5-2.0e6 over seeds 0-19); threshold 1e4."""
    norms = demos.vanishing(seed)["sigmoid"]           # weights N(0, 1/16)
    assert np.all(np.diff(norms) > 0)                  # shrinks at every layer going back
    assert norms[-1] / norms[0] > 1e4


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relu_with_he_init_keeps_the_gradient_in_scale(seed):
    """ReLU' is 0 or 1 and He's N(0, 2/n) keeps the variance: last/first measured
    0.47-1.83 over seeds 0-19; allowed within a factor 5 either way."""
    norms = demos.vanishing(seed)["relu"]              # weights N(0, 2/16)
    assert 1 / 5 < norms[-1] / norms[0] < 5


# ================================================ the learning rate: too large, too small, right

# EIGENVALUES = (4, 2, 1): L = 4, so GD is stable for lr < 2/L = 0.5 (demos.gd_losses)

@pytest.fixture(scope="module")
def regimes():
    return {k: f for k, (_, f) in demos.learning_rates().items()}


def test_learning_rate_above_two_over_L_diverges(regimes):
    """Along the top eigenvector w is multiplied by 1 - lr L = -1.1 each step."""
    f = regimes["too large"]                              # lr = 1.05 * 2/L
    assert f[-1] > 1e6 * f[0]


def test_learning_rate_just_below_two_over_L_converges():
    f = demos.gd_losses(0.95 * 2 / EIGENVALUES.max())     # |1 - lr L| = 0.9
    assert f[-1] < 1e-6 * f[0]


def test_tiny_learning_rate_crawls_and_a_good_one_converges(regimes):
    tiny, good = regimes["tiny"], regimes["right"]        # lr = 1e-6 and 1/L
    assert 0.99 < tiny[-1] / tiny[0] < 1                 # going down, but barely moved
    assert good[-1] < 1e-20 * good[0]


# ================================================================================ clear errors

@pytest.mark.parametrize("lr", [0.0, -0.01, float("nan"), float("inf")])
@pytest.mark.parametrize("cls", [SGD, AdaGrad, RMSProp, Adam, AdamW])
def test_learning_rate_must_be_positive_and_finite(cls, lr):
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        cls([np.zeros(2)], lr=lr)


@pytest.mark.parametrize("batch_size", [0, -3, 2.5])
def test_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match=f"^schedule: batch_size must be an int >= 1, got {batch_size}$"):
        schedule(10, batch_size)
    with pytest.raises(ValueError, match=f"^minibatches: batch_size must be an int >= 1, got {batch_size}$"):
        list(minibatches(10, batch_size))


@pytest.mark.parametrize("order", [[0, 0, 1, 2], [0, 1, 2], [0, 1, 2, 4], [0.0, 1.0, 2.0, 3.0]],
                         ids=["repeat", "short", "out_of_range", "floats"])
def test_order_must_be_a_permutation_of_the_indices(order):
    with pytest.raises(ValueError, match=r"order must be a permutation of 0\.\.3"):
        list(minibatches(4, 2, order=order))


def test_fit_needs_as_many_targets_as_inputs():
    model = Linear(2, 1)
    with pytest.raises(ValueError, match="x has 4 samples but t has 3"):
        fit(model, refimpl.mse, SGD(model.parameters()), np.zeros((4, 2)), np.zeros((3, 1)),
            batch_size=2, epochs=1)


def test_linear_with_a_wrong_input_width():
    with pytest.raises(ShapeError, match=r"input has shape \(4, 3\), expected \(\.\.\., 2\)"):
        Linear(2, 1)(np.zeros((4, 3)))
    with pytest.raises(ShapeError, match=r"W must have shape \(2, 1\)"):
        Linear(2, 1, W=np.zeros((1, 2)))
