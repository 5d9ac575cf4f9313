"""The training results the learning pages show, computed here and nowhere else.

Each function runs one small experiment with refimpl and returns plain data (NamedTuples
and dicts of numpy arrays): tests/test_refimpl_training.py asserts on these very results,
and comparisons/learn/figures.py draws them, so a page shows exactly what the tests check.
numpy and refimpl only: no framework, no plotting.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

import refimpl
from refimpl import SGD, Adam, Linear, Perceptron, Sequential, fit, least_squares, mlp

# ============================================================== perceptron: AND, OR, NAND, XOR

X_GATE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "XOR": [0, 1, 1, 0]}


class GateRun(NamedTuple):
    converged: bool
    errors: list            # wrong answers in each epoch
    cycled: bool            # the weights came back to an epoch start: it loops for ever
    w: np.ndarray
    b: float
    y: np.ndarray           # predictions on X_GATE


def perceptron_gates(max_epochs: int = 1000) -> dict:
    """Rosenblatt's rule from w = 0, b = 0 on each gate: {gate: GateRun}.

    >>> {g: (r.converged, r.cycled) for g, r in perceptron_gates().items()}
    {'AND': (True, False), 'OR': (True, False), 'NAND': (True, False), 'XOR': (False, True)}
    """
    out = {}
    for gate, t in GATES.items():
        p = Perceptron(2)
        r = p.fit(X_GATE, np.array(t, dtype=np.float64), max_epochs=max_epochs)
        out[gate] = GateRun(r.converged, r.errors, r.cycled, p.w, float(p.b), p.predict(X_GATE))
    return out


class Epochs(NamedTuple):
    starts: list            # (w1, w2, b) at the start of each epoch
    errors: list            # wrong answers in each epoch


def perceptron_epochs(gate: str, epochs: int = 12) -> Epochs:
    """The rule run one epoch at a time for ``epochs`` epochs, never stopping early.

    >>> perceptron_epochs("XOR", 6).errors      # from epoch 3 on, all four are wrong
    [2, 3, 4, 4, 4, 4]
    """
    p, t = Perceptron(2), np.array(GATES[gate], dtype=np.float64)
    starts, errors = [], []
    for _ in range(epochs):
        starts.append((float(p.w[0]), float(p.w[1]), float(p.b)))
        errors.append(p.fit(X_GATE, t, max_epochs=1).errors[0])
    return Epochs(starts, errors)


# ========================================================================== the MLP solves XOR

class XorRun(NamedTuple):
    losses: np.ndarray      # mean loss per epoch (one batch of 4 samples: one update each)
    stopped: str            # "tol" (the loss reached tol) or "epochs"
    logits: np.ndarray      # (4,) the net's output on X_GATE; > 0 means class 1
    accuracy: float
    grid: np.ndarray        # (n,) coordinates of the grid on both axes
    grid_logits: np.ndarray  # (n, n): [i, j] is the logit at x1 = grid[j], x2 = grid[i]


def xor_mlp(seed: int = 0, n: int = 41) -> XorRun:
    """A 2-4-1 tanh MLP trained on XOR by Adam on binary cross-entropy, until its loss <= 0.01.

    >>> run = xor_mlp(0, n=3)
    >>> run.stopped, run.accuracy, run.grid.tolist()
    ('tol', 1.0, [-0.5, 0.5, 1.5])
    """
    t = np.array(GATES["XOR"], dtype=np.float64)[:, None]
    net = mlp([2, 4, 1], activation=refimpl.tanh, rng=np.random.default_rng(seed))
    opt = Adam(net.parameters(), lr=0.05)
    history = fit(net, refimpl.binary_cross_entropy_with_logits, opt, X_GATE, t,
                  batch_size=4, epochs=2000, tol=0.01, seed=seed)
    logits = net(X_GATE).data[:, 0]
    grid = np.linspace(-0.5, 1.5, n)
    x1, x2 = np.meshgrid(grid, grid)
    grid_logits = net(np.column_stack([x1.ravel(), x2.ravel()])).data.reshape(n, n)
    accuracy = float(np.mean((logits > 0) == (t[:, 0] == 1)))
    return XorRun(np.array(history.epoch_losses), history.stopped, logits, accuracy, grid,
                  grid_logits)


# ================================================ linear layers without activation collapse

def three_linear_layers(rng) -> list:
    """Linear layers 3 -> 5 -> 4 -> 2 with N(0, 1) weights and biases."""
    shapes = [(3, 5), (5, 4), (4, 2)]
    return [Linear(n, m, W=rng.normal(size=(n, m)), b=rng.normal(size=m)) for n, m in shapes]


class Collapse(NamedTuple):
    layers: list            # [(W1, b1), (W2, b2), (W3, b3)]
    W: np.ndarray           # W1 W2 W3
    b: np.ndarray           # (b1 W2 + b2) W3 + b3
    x: np.ndarray           # (50, 3) inputs
    stack: np.ndarray       # the three layers on x
    one: np.ndarray         # the one layer (W, b) on x
    max_diff: float         # max |stack - one|


def linear_collapse(seed: int = 0) -> Collapse:
    """Three linear layers with no activation between them, and the one layer they equal.

    >>> linear_collapse().max_diff < 1e-12
    True
    """
    rng = np.random.default_rng(seed)
    l1, l2, l3 = three_linear_layers(rng)
    (W1, b1), (W2, b2), (W3, b3) = layers = [(lay.W.data, lay.b.data) for lay in (l1, l2, l3)]
    one = Linear(3, 2, W=W1 @ W2 @ W3, b=(b1 @ W2 + b2) @ W3 + b3)
    x = rng.normal(size=(50, 3))
    stack, y = Sequential(l1, l2, l3)(x).data, one(x).data
    return Collapse(layers, one.W.data, one.b.data, x, stack, y, float(np.max(np.abs(stack - y))))


# ============================================================ vanishing gradient: sigmoid vs ReLU

def layer_grad_norms(activation, std, seed, depth=10, width=16) -> np.ndarray:
    """||dL/dW|| of each of ``depth`` square layers, first to last, by backprop."""
    rng = np.random.default_rng(seed)
    weights = []
    for _ in range(depth):
        weights += [rng.normal(0.0, std, size=(width, width)), np.zeros(width)]
    net = mlp([width] * (depth + 1), activation=activation, weights=weights)
    x, t = rng.normal(size=(64, width)), rng.normal(size=(64, width))
    refimpl.mse(net(x), t).backward()
    return np.array([np.linalg.norm(lay.W.grad) for lay in net.layers if isinstance(lay, Linear)])


def vanishing(seed: int = 0) -> dict:
    """Per-layer gradient norms of a 10-layer width-16 net: sigmoid with N(0, 1/16) weights,
    ReLU with He's N(0, 2/16).

    >>> {k: f"{n[-1] / n[0]:.2g}" for k, n in vanishing().items()}    # last layer / first
    {'sigmoid': '1.5e+06', 'relu': '1.8'}
    """
    return {"sigmoid": layer_grad_norms(refimpl.sigmoid, 1 / np.sqrt(16), seed),
            "relu": layer_grad_norms(refimpl.relu, np.sqrt(2 / 16), seed)}


# ================================================ the learning rate: too large, too small, right

EIGENVALUES = np.array([4.0, 2.0, 1.0])                # L = 4: GD is stable for lr < 2/L = 0.5


def quadratic() -> np.ndarray:
    """A = Q diag(EIGENVALUES) Q^T, for a fixed random rotation Q."""
    Q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))
    return Q @ np.diag(EIGENVALUES) @ Q.T


def gd_losses(lr, steps=100) -> np.ndarray:
    """f(w) = 1/2 w^T A w by SGD from w = (1, 1, 1); f after each step (f[0]: the start)."""
    A = quadratic()
    w = np.ones(3)
    opt = SGD([w], lr=lr)
    losses = [0.5 * w @ A @ w]
    for _ in range(steps):
        opt.step([A @ w])
        losses.append(0.5 * w @ A @ w)
    return np.array(losses)


def learning_rates(steps: int = 100) -> dict:
    """{regime: (lr, losses)} on f(w) = 1/2 w^T A w, L = 4: too large (1.05 * 2/L),
    right (1/L), small (0.01), tiny (1e-6).

    >>> {k: f"{lr:g}" for k, (lr, _) in learning_rates(1).items()}
    {'too large': '0.525', 'right': '0.25', 'small': '0.01', 'tiny': '1e-06'}
    """
    L = EIGENVALUES.max()
    lrs = {"too large": 1.05 * 2 / L, "right": 1 / L, "small": 0.01, "tiny": 1e-6}
    return {k: (lr, gd_losses(lr, steps)) for k, lr in lrs.items()}


# ============================================= linear regression: closed form and gradient descent

def regression_data(noise, rng, n=64, W=((1.5,), (-2.0,), (0.5,)), b=0.7):
    """x ~ N(0, 1) of shape (n, len(W)) and t = x W + b + noise N(0, 1) of shape (n, 1)."""
    W = np.asarray(W, dtype=np.float64)
    x = rng.normal(size=(n, len(W)))
    t = x @ W + b + noise * rng.normal(size=(n, 1))
    return x, t


class Regression(NamedTuple):
    x: np.ndarray           # (n,) inputs
    t: np.ndarray           # (n,) targets
    path: np.ndarray        # (steps + 1, 2): (w, b) from the start (0, 0), after each step
    losses: np.ndarray      # (steps + 1,) mean squared error at each point of the path
    closed_form: tuple      # (w, b) by least squares
    gap: float              # max |(w, b) at the end - closed_form|


def linear_regression(steps: int = 200, lr: float = 0.1, noise: float = 0.3,
                      seed: int = 0) -> Regression:
    """y_hat = w x + b fitted by gradient descent from (0, 0), with the partial derivatives
    written out, next to least squares' closed form.

    >>> run = linear_regression()
    >>> [round(v, 4) for v in run.closed_form], bool(run.gap < 1e-8)   # (w, b), reached
    ([1.4439, 0.721], True)
    """
    x, t = regression_data(noise, np.random.default_rng(seed), W=((1.5,),))
    W_star, b_star = least_squares(x, t)
    x, t = x[:, 0], t[:, 0]
    w, b = 0.0, 0.0
    path = [(w, b)]
    for _ in range(steps):
        y_hat = w * x + b
        dw = np.mean(2 * (y_hat - t) * x)           # dL/dw
        db = np.mean(2 * (y_hat - t))               # dL/db
        w, b = w - lr * dw, b - lr * db
        path.append((w, b))
    path = np.array(path)
    losses = np.mean((path[:, :1] * x + path[:, 1:] - t) ** 2, axis=1)
    closed = (float(W_star[0, 0]), float(b_star[0]))
    gap = float(np.max(np.abs(path[-1] - closed)))
    return Regression(x, t, path, losses, closed, gap)
