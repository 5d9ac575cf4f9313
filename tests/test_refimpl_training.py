"""Numpy-only demonstrations of the training concepts: optimizers, models, the training loop.

Each claim the learner pages make about training is shown here as a test that could fail:
the perceptron learns AND/OR/NAND but loops for ever on XOR (and why no line separates
XOR), an MLP learns XOR, stacked linear layers collapse to one, gradient descent reaches
the closed-form least-squares answer, sigmoid's gradient vanishes and ReLU's does not,
the learning rate's 2/L limit, each optimizer's first steps computed by hand from the
textbook formulas, gradient ascent, the epoch/iteration arithmetic and the errors.
Expected values come from hand computation or independent numpy, never from the code
under test.
"""

from __future__ import annotations

import numpy as np
import pytest

import refimpl
from refimpl import (
    SGD, AdaGrad, Adam, AdamW, Linear, Perceptron, RMSProp, Sequential, ShapeError, Variable,
    fit, least_squares, minibatches, mlp, schedule,
)

# ============================================================== perceptron: AND, OR, NAND, XOR

X_GATE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "XOR": [0, 1, 1, 0]}


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
def test_perceptron_learns_the_linearly_separable_gates(gate):
    t = np.array(GATES[gate], dtype=np.float64)
    p = Perceptron(2)
    result = p.fit(X_GATE, t)
    assert result.converged and not result.cycled
    assert result.errors[-1] == 0
    np.testing.assert_array_equal(p.predict(X_GATE), t)


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


def test_perceptron_on_xor_reports_a_cycle():
    t = np.array(GATES["XOR"], dtype=np.float64)
    result = Perceptron(2).fit(X_GATE, t, max_epochs=1000)
    assert result.cycled and not result.converged
    assert all(e > 0 for e in result.errors)          # every epoch it ran still had errors
    assert len(result.errors) < 1000                  # it noticed the loop; it did not run out


def test_perceptron_on_xor_really_loops_for_ever():
    """Check the cycle claim independently: run one epoch at a time, record the weights at
    each epoch start; a start repeats, and from there the sequence is periodic with errors
    in every epoch (the rule is deterministic, so it will repeat for ever)."""
    t = np.array(GATES["XOR"], dtype=np.float64)
    p = Perceptron(2)
    starts, errors = [], []
    for _ in range(40):
        starts.append((*p.w, p.b))
        errors.append(p.fit(X_GATE, t, max_epochs=1).errors[0])
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
    t = np.array(GATES["XOR"], dtype=np.float64)[:, None]
    net = mlp([2, 4, 1], activation=refimpl.tanh, rng=np.random.default_rng(seed))
    opt = Adam(net.parameters(), lr=0.05)
    history = fit(net, refimpl.binary_cross_entropy_with_logits, opt, X_GATE, t,
                  batch_size=4, epochs=2000, tol=0.01, seed=seed)
    assert history.stopped == "tol"
    np.testing.assert_array_equal(net(X_GATE).data > 0, t == 1)     # logit > 0 <=> class 1


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


def _three_linear_layers(rng):
    shapes = [(3, 5), (5, 4), (4, 2)]
    return [Linear(n, m, W=rng.normal(size=(n, m)), b=rng.normal(size=m)) for n, m in shapes]


def test_stack_of_linear_layers_equals_one_linear_layer():
    """x W1 + b1 -> (..) W2 + b2 -> (..) W3 + b3 is x (W1 W2 W3) + ((b1 W2 + b2) W3 + b3)."""
    rng = np.random.default_rng(0)
    l1, l2, l3 = _three_linear_layers(rng)
    W1, W2, W3 = (lay.W.data for lay in (l1, l2, l3))
    b1, b2, b3 = (lay.b.data for lay in (l1, l2, l3))
    one = Linear(3, 2, W=W1 @ W2 @ W3, b=(b1 @ W2 + b2) @ W3 + b3)
    x = rng.normal(size=(50, 3))
    np.testing.assert_allclose(Sequential(l1, l2, l3)(x).data, one(x).data, rtol=1e-12, atol=1e-12)


def test_a_tanh_between_the_layers_breaks_the_collapse():
    """With tanh in the stack no affine map reproduces it: even the best one (least squares
    on the outputs) leaves a large residual, while the purely linear stack leaves ~0."""
    rng = np.random.default_rng(0)
    l1, l2, l3 = _three_linear_layers(rng)
    x = rng.normal(size=(200, 3))

    def affine_misfit(y):
        W, b = least_squares(x, y)
        return np.linalg.norm(x @ W + b - y) / np.linalg.norm(y - y.mean(axis=0))

    assert affine_misfit(Sequential(l1, l2, l3)(x).data) < 1e-12
    assert affine_misfit(Sequential(l1, refimpl.tanh, l2, l3)(x).data) > 0.05


# ============================================= linear regression: closed form and gradient descent

def _regression_data(noise, rng, n=64):
    x = rng.normal(size=(n, 3))
    t = x @ np.array([[1.5], [-2.0], [0.5]]) + 0.7 + noise * rng.normal(size=(n, 1))
    return x, t


def test_least_squares_solves_the_normal_equations():
    x, t = _regression_data(0.3, np.random.default_rng(0))
    A = np.hstack([x, np.ones((len(x), 1))])
    w = np.linalg.solve(A.T @ A, A.T @ t)             # A^T A w = A^T t
    W, b = least_squares(x, t)
    np.testing.assert_allclose(W, w[:-1], rtol=1e-12)
    np.testing.assert_allclose(b, w[-1], rtol=1e-12)


def test_least_squares_recovers_exact_parameters_from_noise_free_data():
    x, t = _regression_data(0.0, np.random.default_rng(0))
    W, b = least_squares(x, t)
    np.testing.assert_allclose(W, [[1.5], [-2.0], [0.5]], rtol=1e-12)
    np.testing.assert_allclose(b, [0.7], rtol=1e-12)


@pytest.mark.parametrize("batch_size, noise", [
    (64, 0.3),   # full batch: plain GD converges to the least-squares minimum of noisy data
    (8, 0.0),    # mini-batch SGD with a fixed lr only settles where every batch's gradient
                 # is 0 too, i.e. on data a line fits exactly
])
def test_gradient_descent_reaches_the_closed_form_solution(batch_size, noise):
    x, t = _regression_data(noise, np.random.default_rng(0))
    W_star, b_star = least_squares(x, t)
    model = Linear(3, 1, W=np.zeros((3, 1)))
    fit(model, refimpl.mse, SGD(model.parameters(), lr=0.1), x, t,
        batch_size=batch_size, epochs=300, seed=0)
    np.testing.assert_allclose(model.W.data, W_star, atol=1e-8)   # stated tolerance: 1e-8
    np.testing.assert_allclose(model.b.data, b_star, atol=1e-8)


# ============================================================ vanishing gradient: sigmoid vs ReLU

def _layer_grad_norms(activation, std, seed, depth=10, width=16):
    """||dL/dW|| of each of ``depth`` square layers, first to last, by backprop."""
    rng = np.random.default_rng(seed)
    weights = []
    for _ in range(depth):
        weights += [rng.normal(0.0, std, size=(width, width)), np.zeros(width)]
    net = mlp([width] * (depth + 1), activation=activation, weights=weights)
    x, t = rng.normal(size=(64, width)), rng.normal(size=(64, width))
    refimpl.mse(net(x), t).backward()
    return np.array([np.linalg.norm(lay.W.grad) for lay in net.layers if isinstance(lay, Linear)])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_gradient_vanishes_towards_the_first_layer(seed):
    """sigmoid' <= 1/4: each layer back multiplies the gradient by about 1/4 (measured:
    2.5x-24x per layer; last/first 4.9e5-2.0e6 over seeds 0-19); threshold 1e4."""
    norms = _layer_grad_norms(refimpl.sigmoid, 1 / np.sqrt(16), seed)
    assert np.all(np.diff(norms) > 0)                  # shrinks at every layer going back
    assert norms[-1] / norms[0] > 1e4


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relu_with_he_init_keeps_the_gradient_in_scale(seed):
    """ReLU' is 0 or 1 and He's N(0, 2/n) keeps the variance: last/first measured
    0.47-1.83 over seeds 0-19; allowed within a factor 5 either way."""
    norms = _layer_grad_norms(refimpl.relu, np.sqrt(2 / 16), seed)
    assert 1 / 5 < norms[-1] / norms[0] < 5


# ================================================ the learning rate: too large, too small, right

EIGENVALUES = np.array([4.0, 2.0, 1.0])                # L = 4: GD is stable for lr < 2/L = 0.5


def _quadratic():
    Q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))
    return Q @ np.diag(EIGENVALUES) @ Q.T


def _gd_losses(lr, steps=100):
    """f(w) = 1/2 w^T A w by SGD from w = (1, 1, 1); f after each step (f[0]: the start)."""
    A = _quadratic()
    w = np.ones(3)
    opt = SGD([w], lr=lr)
    losses = [0.5 * w @ A @ w]
    for _ in range(steps):
        opt.step([A @ w])
        losses.append(0.5 * w @ A @ w)
    return np.array(losses)


def test_learning_rate_above_two_over_L_diverges():
    """Along the top eigenvector w is multiplied by 1 - lr L = -1.1 each step."""
    f = _gd_losses(1.05 * 2 / EIGENVALUES.max())
    assert f[-1] > 1e6 * f[0]


def test_learning_rate_just_below_two_over_L_converges():
    f = _gd_losses(0.95 * 2 / EIGENVALUES.max())          # |1 - lr L| = 0.9
    assert f[-1] < 1e-6 * f[0]


def test_tiny_learning_rate_crawls_and_a_good_one_converges():
    tiny, good = _gd_losses(1e-6), _gd_losses(1 / EIGENVALUES.max())
    assert 0.99 < tiny[-1] / tiny[0] < 1                 # going down, but barely moved
    assert good[-1] < 1e-20 * good[0]


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


# ================================================ epochs, iterations, batches: the arithmetic

@pytest.mark.parametrize("n, batch, epochs, drop_last, expected", [
    (1000, 20, 10, False, (50, 500, 20)),     # the example: 50 per epoch, 500 in all
    (1000, 30, 1, False, (34, 34, 10)),       # 33 full batches + one of 1000 - 990 = 10
    (1000, 30, 1, True, (33, 33, 30)),        # the partial batch dropped
    (10, 3, 2, False, (4, 8, 1)),             # 3 + 3 + 3 + 1
    (10, 3, 2, True, (3, 6, 3)),
    (7, 10, 3, False, (1, 3, 7)),             # one partial batch is the whole set
    (20, 20, 0, False, (1, 0, 20)),           # no epochs, no updates
])
def test_schedule_arithmetic(n, batch, epochs, drop_last, expected):
    assert tuple(schedule(n, batch, epochs, drop_last=drop_last)) == expected


@pytest.mark.parametrize("drop_last", [False, True])
def test_schedule_counts_the_batches_minibatches_yields(drop_last):
    for n in range(1, 13):
        for batch in range(1, 6):
            if drop_last and n < batch:
                continue
            sizes = [len(b) for b in minibatches(n, batch, seed=0, drop_last=drop_last)]
            s = schedule(n, batch, 1, drop_last=drop_last)
            assert (len(sizes), sizes[-1]) == (s.iterations_per_epoch, s.last_batch)
            assert all(k == batch for k in sizes[:-1])


def test_minibatches_cover_every_index_exactly_once():
    batches = list(minibatches(103, 10, seed=3))
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(103))
    assert [len(b) for b in batches] == [10] * 10 + [3]               # last batch partial


def test_minibatches_drop_last_drops_only_the_partial_batch():
    batches = list(minibatches(103, 10, seed=3, drop_last=True))
    assert [len(b) for b in batches] == [10] * 10
    assert len(np.unique(np.concatenate(batches))) == 100


def test_minibatches_are_reproducible_for_a_seed_and_differ_between_seeds():
    a, b, c = (np.concatenate(list(minibatches(50, 7, seed=s))) for s in (1, 1, 2))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a, np.arange(50))                       # shuffled at all


def test_minibatches_without_shuffle_or_with_an_order():
    assert [b.tolist() for b in minibatches(5, 2, shuffle=False)] == [[0, 1], [2, 3], [4]]
    assert [b.tolist() for b in minibatches(4, 3, order=[2, 0, 3, 1])] == [[2, 0, 3], [1]]


def _line_task(n=10, noise=0.0):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2))
    return x, x @ np.array([[2.0], [-1.0]]) + 0.5 + noise * rng.normal(size=(n, 1))


def test_fit_runs_the_epoch_budget_and_records_every_iteration():
    x, t = _line_task(10, noise=0.5)                       # noisy: never reaches a small loss
    model = Linear(2, 1, W=np.zeros((2, 1)))
    h = fit(model, refimpl.mse, SGD(model.parameters(), lr=0.05), x, t, batch_size=3, epochs=5)
    assert h.stopped == "epochs" and h.epochs == 5
    assert len(h.losses) == schedule(10, 3, 5).updates == 20
    for e in range(5):                                     # 4 iterations per epoch
        assert h.epoch_losses[e] == pytest.approx(np.mean(h.losses[4 * e: 4 * e + 4]), rel=1e-15)


def test_fit_with_drop_last_makes_the_scheduled_number_of_updates():
    x, t = _line_task(10)
    model = Linear(2, 1, W=np.zeros((2, 1)))
    h = fit(model, refimpl.mse, SGD(model.parameters()), x, t, batch_size=3, epochs=5,
            drop_last=True)
    assert len(h.losses) == schedule(10, 3, 5, drop_last=True).updates == 15


def test_fit_stops_when_the_epoch_loss_reaches_tol():
    x, t = _line_task(10)                                  # a line fits exactly: loss -> 0
    model = Linear(2, 1, W=np.zeros((2, 1)))
    seen = []
    h = fit(model, refimpl.mse, SGD(model.parameters(), lr=0.1), x, t, batch_size=10,
            epochs=1000, tol=1e-6, progress=lambda e, loss: seen.append((e, loss)))
    assert h.stopped == "tol" and h.epochs < 1000
    assert h.epoch_losses[-1] <= 1e-6 < h.epoch_losses[-2]
    assert seen == list(enumerate(h.epoch_losses, start=1))


def test_fit_is_reproducible_for_a_seed():
    def run(seed):
        x, t = _line_task(12, noise=0.3)
        model = Linear(2, 1, W=np.zeros((2, 1)))
        return fit(model, refimpl.mse, SGD(model.parameters(), lr=0.05), x, t,
                   batch_size=5, epochs=3, seed=seed).losses
    assert run(7) == run(7)
    assert run(7) != run(8)                                # another shuffle, another path


def test_fit_reshuffles_every_epoch_from_one_generator():
    """fit's docstring: every epoch a new permutation, all drawn by one generator seeded
    with ``seed``. A fit that reused its first shuffle would train on one order only."""
    x, t = _line_task(12, noise=0.3)
    x = np.column_stack([np.arange(12.0), x[:, 1]])        # column 0 names the sample
    seen = []

    class Recorder(Linear):
        def __call__(self, xb):
            seen.append(np.asarray(xb)[:, 0].astype(int).tolist())
            return super().__call__(xb)

    model = Recorder(2, 1, W=np.zeros((2, 1)))
    fit(model, refimpl.mse, SGD(model.parameters(), lr=0.01), x, t, batch_size=5, epochs=4, seed=3)
    epochs = [sum(seen[3 * e: 3 * e + 3], []) for e in range(4)]   # 5 + 5 + 2 per epoch
    rng = np.random.default_rng(3)
    assert epochs == [rng.permutation(12).tolist() for _ in range(4)]
    assert len({tuple(e) for e in epochs}) == 4


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
