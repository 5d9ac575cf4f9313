"""refimpl.training: schedule's defaults and errors, fit's shuffling and stop rule, trajectory.

The epoch/iteration arithmetic (the last section), and the parts a caller relies on
without seeing them: the default epoch count and seed, shuffle=False, the tol boundary, the exact error messages, and ``trajectory`` (the reference side of the
framework parity runs) against gradient descent worked by hand and in plain numpy.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from _messages import exactly

import refimpl
from refimpl import SGD, Linear, fit, minibatches, schedule
from refimpl.training import trajectory

# ===================================================================== schedule, minibatches

def test_schedule_counts_one_epoch_by_default():
    """schedule(n, batch) is the arithmetic of one pass: 3 + 3 + 3 + 1 samples, 4 updates."""
    assert tuple(schedule(10, 3)) == (4, 4, 1)


@pytest.mark.parametrize("epochs", [-1, 2.5])
def test_schedule_rejects_epochs_that_are_not_a_count(epochs):
    with pytest.raises(ValueError, match="^" + re.escape(
            f"schedule: epochs must be an int >= 0, got {epochs!r}") + "$"):
        schedule(10, 3, epochs)


def test_no_samples_is_an_error_not_an_empty_epoch():
    """0 samples would make an epoch of no update; both entry points refuse it."""
    with pytest.raises(ValueError, match=exactly("schedule: n_samples must be an int >= 1, got 0")):
        schedule(0, 3)
    with pytest.raises(ValueError, match=exactly("minibatches: n_samples must be an int >= 1, "
                                                 "got 0")):
        list(minibatches(0, 3))


def test_drop_last_with_no_full_batch_says_why():
    with pytest.raises(ValueError, match="^" + re.escape(
            "schedule: 3 samples make no full batch of 5; with drop_last=True an epoch "
            "would make no update") + "$"):
        schedule(3, 5, drop_last=True)


def test_an_order_of_floats_is_refused_as_not_integer_indices():
    with pytest.raises(ValueError, match="^" + re.escape(
            "minibatches: order must be a permutation of 0..3 (integer indices)")):
        list(minibatches(4, 2, order=[0.0, 1.0, 2.0, 3.0]))


# ==================================================================================== fit

class Recorder(Linear):
    """A Linear layer that notes which samples (column 0 holds the index) each batch holds."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.seen = []

    def __call__(self, xb):
        self.seen += np.asarray(xb)[:, 0].astype(int).tolist()
        return super().__call__(xb)


def _indexed_task(n=12):
    x = np.column_stack([np.arange(float(n)), np.linspace(-1.0, 1.0, n)])
    return x, 0.5 * x[:, 1:] + 1.0


def test_fit_without_shuffle_visits_the_samples_in_order_every_epoch():
    """shuffle=False is for data whose order matters: 0, 1, ..., n-1 in every epoch."""
    x, t = _indexed_task(12)
    model = Recorder(2, 1, W=np.zeros((2, 1)))
    fit(model, refimpl.mse, SGD(model.parameters(), lr=1e-3), x, t, batch_size=5, epochs=2,
        shuffle=False)
    assert model.seen == list(range(12)) * 2


def test_fit_seed_defaults_to_0():
    """fit's signature makes seed=0 the default: a run is reproducible unless told otherwise."""
    x, t = _indexed_task(12)
    model = Recorder(2, 1, W=np.zeros((2, 1)))
    fit(model, refimpl.mse, SGD(model.parameters(), lr=1e-3), x, t, batch_size=5, epochs=2)
    rng = np.random.default_rng(0)
    assert model.seen == rng.permutation(12).tolist() + rng.permutation(12).tolist()


def test_fit_stops_when_the_epoch_loss_equals_tol():
    """The docstring says it stops at an epoch loss <= tol: equal counts.

    W = 0, b = 0 and every target 1: the one batch's loss is mean((0 - 1)^2) = 1 exactly.
    """
    x, t = np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((2, 1))
    model = Linear(2, 1, W=np.zeros((2, 1)))
    h = fit(model, refimpl.mse, SGD(model.parameters(), lr=0.01), x, t, batch_size=2,
            epochs=5, tol=1.0)
    assert (h.epoch_losses, h.stopped) == ([1.0], "tol")


# ============================================================================= trajectory

def test_trajectory_linear_regression_by_hand():
    """Plain SGD, lr 0.5, on y = x W + b with x = I and W = 0, b = 0; batches [2, 0] then [1].

    Batch [2, 0]: y = (0, 0), t = (3, 1): loss (9 + 1) / 2 = 5; dy = 2 (y - t) / 2 = (-3, -1);
      dW = x^T dy = (-1, 0, -3), db = -4  ->  W = (0.5, 0, 1.5), b = 2.
    Batch [1]: y = W[1] + b = 2, t = 4: loss 4; dy = 2 (2 - 4) = -4;
      dW = (0, -4, 0), db = -4  ->  W = (0.5, 2, 1.5), b = 4.
    """
    x, t = np.eye(3), np.array([[1.0], [4.0], [3.0]])
    losses, path = trajectory("linear_regression", [np.zeros((3, 1)), np.zeros(1)], x, t,
                              [np.array([2, 0, 1])], 2, "sgd", {"lr": 0.5})
    assert losses.dtype == np.float64 and losses.tolist() == [5.0, 4.0]
    assert [[W.ravel().tolist(), b.tolist()] for W, b in path] == [
        [[0.5, 0.0, 1.5], [2.0]], [[0.5, 2.0, 1.5], [4.0]]]


def test_trajectory_follows_the_given_batch_orders():
    """Each epoch takes its samples in its entry of ``orders`` (every framework gets the same
    order): batches of 1, so every step depends on which sample comes when. The expected run
    is SGD on mean((x W + b - t)^2) written out in numpy."""
    rng = np.random.default_rng(5)
    x, t = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    W, b = rng.normal(size=(3, 1)), np.zeros(1)
    orders = [np.array([3, 7, 0, 5, 1, 6, 2, 4]), np.array([6, 1, 4, 0, 7, 2, 5, 3])]
    losses, path = trajectory("linear_regression", [W, b], x, t, orders, 3, "sgd", {"lr": 0.1})
    want_losses, want_path = [], []
    for order in orders:
        for idx in (order[:3], order[3:6], order[6:]):      # 3 + 3 + 2
            r = x[idx] @ W + b - t[idx]
            want_losses.append(np.mean(r ** 2))
            dy = 2 * r / len(idx)
            W, b = W - 0.1 * x[idx].T @ dy, b - 0.1 * dy.sum(axis=0)
            want_path.append((W, b))
    np.testing.assert_allclose(losses, want_losses, rtol=1e-13)
    for (gW, gb), (eW, eb) in zip(path, want_path, strict=True):
        np.testing.assert_allclose(gW, eW, rtol=1e-13)
        np.testing.assert_allclose(gb, eb, rtol=1e-13)


def test_trajectory_xor_is_a_tanh_mlp_with_logits_trained_by_nesterov():
    """The xor task: tanh hidden layer, logit out, binary cross-entropy; the "nesterov" name
    fixes nesterov=True. Expected: backprop and Nesterov's momentum written out in numpy.

    Forward h = tanh(x W1 + b1), z = h W2 + b2, loss = mean(softplus(z) - t z);
    backward dz = (sigmoid(z) - t) / n, da = dz W2^T (1 - h^2).
    Nesterov (torch): v = mu v + g (v = g at first), p <- p - lr (g + mu v).
    """
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = np.array([[0.0], [1.0], [1.0], [0.0]])
    weights = [np.array([[0.5, -1.0, 0.3, 0.8], [0.7, 0.2, -0.6, 1.1]]),
               np.array([0.1, -0.2, 0.0, 0.3]),
               np.array([[0.4], [-0.9], [0.6], [0.2]]), np.array([-0.1])]
    orders = [np.array([3, 1, 0, 2]), np.array([0, 2, 1, 3])]
    lr, mu = 0.3, 0.9
    losses, path = trajectory("xor", weights, x, t, orders, 3, "nesterov",
                              {"lr": lr, "momentum": mu})
    p, v, want_losses, want_path = [w.copy() for w in weights], None, [], []
    for order in orders:
        for idx in (order[:3], order[3:]):                  # 3 samples, then 1
            W1, b1, W2, b2 = p
            h = np.tanh(x[idx] @ W1 + b1)
            z = h @ W2 + b2
            want_losses.append(np.mean(np.logaddexp(0, z) - t[idx] * z))
            dz = (1 / (1 + np.exp(-z)) - t[idx]) / len(idx)
            da = dz @ W2.T * (1 - h ** 2)
            g = [x[idx].T @ da, da.sum(axis=0), h.T @ dz, dz.sum(axis=0)]
            v = g if v is None else [mu * vi + gi for vi, gi in zip(v, g)]
            p = [pi - lr * (gi + mu * vi) for pi, gi, vi in zip(p, g, v)]
            want_path.append(p)
    np.testing.assert_allclose(losses, want_losses, rtol=1e-12)
    assert len(path) == 4
    for got, want in zip(path, want_path):
        for a, e in zip(got, want, strict=True):
            np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-15)


def test_trajectory_trains_in_the_weights_dtype():
    """A float32 run must be float32 throughout (the parity runs compare it with float32
    frameworks); only the recorded losses are widened to float64."""
    x, t = np.eye(3, dtype=np.float32), np.array([[1.0], [4.0], [3.0]], dtype=np.float32)
    weights = [np.zeros((3, 1), np.float32), np.zeros(1, np.float32)]
    losses, path = trajectory("linear_regression", weights, x, t, [np.array([2, 0, 1])], 2,
                              "sgd", {"lr": 0.5})
    assert losses.dtype == np.float64 and losses.tolist() == [5.0, 4.0]   # as worked above
    assert {a.dtype for step in path for a in step} == {np.dtype(np.float32)}


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
