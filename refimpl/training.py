"""The training loop (학습): mini-batches, epochs and iterations, and fit.

Vocabulary, with the arithmetic ``schedule`` does:
- batch size (배치 크기): the samples behind one update of the weights;
- iteration (반복): one update, i.e. one mini-batch;
- epoch (에포크): one pass over the whole training set.

>>> schedule(1000, batch_size=20, epochs=10)     # 50 updates per pass, 10 passes
Schedule(iterations_per_epoch=50, updates=500, last_batch=20)
>>> schedule(1000, batch_size=30, epochs=1)      # 33 full batches and one of 10
Schedule(iterations_per_epoch=34, updates=34, last_batch=10)
>>> schedule(1000, batch_size=30, epochs=1, drop_last=True)
Schedule(iterations_per_epoch=33, updates=33, last_batch=30)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np

from refimpl._checks import finite, flag, size
from refimpl.activations import tanh
from refimpl.losses import binary_cross_entropy_with_logits, mse
from refimpl.models import mlp
from refimpl.optim import OPTIMIZERS

__all__ = ["Schedule", "schedule", "minibatches", "History", "iteration", "fit", "Task", "TASKS",
           "trajectory"]


class Schedule(NamedTuple):
    iterations_per_epoch: int
    updates: int
    last_batch: int        # the size of each epoch's last mini-batch


def schedule(n_samples: int, batch_size: int, epochs: int = 1, drop_last: bool = False) -> Schedule:
    """How many updates ``epochs`` passes over ``n_samples`` make in batches of ``batch_size``.

    An epoch is ceil(n / batch_size) iterations, the last one a partial batch of
    n mod batch_size samples; ``drop_last=True`` skips that partial batch (floor).
    """
    _check_sizes("schedule", n_samples, batch_size, drop_last)
    size("schedule", "epochs", epochs, 0)
    full, rest = divmod(n_samples, batch_size)
    per_epoch = full + (rest > 0 and not drop_last)
    last = rest if rest and not drop_last else batch_size
    return Schedule(per_epoch, per_epoch * epochs, last)


def _check_sizes(fn, n_samples, batch_size, drop_last):
    """The rules schedule, minibatches and fit share, so the same input fails the same way
    in each (``fn`` names the function the caller called)."""
    size(fn, "n_samples", n_samples, 1)
    size(fn, "batch_size", batch_size, 1)
    if flag(fn, "drop_last", drop_last) and n_samples < batch_size:
        raise ValueError(f"{fn}: {n_samples} samples make no full batch of {batch_size}; "
                         "with drop_last=True an epoch would make no update")


def minibatches(n_samples: int, batch_size: int, *, shuffle: bool = True, seed=None,
                order=None, drop_last: bool = False):
    """The sample indices of each mini-batch of one epoch, as an iterator.

    The samples are taken in ``order`` if given, else shuffled by a generator seeded with
    ``seed`` (``shuffle=False``: 0, 1, 2, ...). Every sample appears once; the last batch
    is the partial one, unless ``drop_last`` drops it.

    >>> [b.tolist() for b in minibatches(5, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    >>> [b.tolist() for b in minibatches(5, 2, order=[4, 3, 2, 1, 0], drop_last=True)]
    [[4, 3], [2, 1]]
    """
    _check_sizes("minibatches", n_samples, batch_size, drop_last)
    flag("minibatches", "shuffle", shuffle)
    if order is None:
        order = (np.random.default_rng(seed).permutation(n_samples) if shuffle
                 else np.arange(n_samples))
    order = np.asarray(order)
    if (order.ndim != 1 or order.dtype.kind not in "iu"          # indices, not 0.0, 1.0, ...
            or sorted(order.tolist()) != list(range(n_samples))):
        raise ValueError(f"minibatches: order must be a permutation of 0..{n_samples - 1} "
                         "(integer indices)")
    stop = n_samples - n_samples % batch_size if drop_last else n_samples
    # a plain function returning a generator: the checks above run at the call, not at the
    # first next(), so a bad argument fails where it was passed
    return (order[start:start + batch_size] for start in range(0, stop, batch_size))


@dataclass
class History:
    """What ``fit`` recorded: the loss of every iteration and why it stopped."""
    losses: list = field(default_factory=list)          # per iteration (mini-batch)
    epoch_losses: list = field(default_factory=list)    # mean over each epoch's batches
    stopped: str = ""                                   # "epochs" or "tol"

    @property
    def epochs(self) -> int:
        return len(self.epoch_losses)


def iteration(model, loss: Callable, optimizer, x, t):
    """One iteration (반복): forward on the mini-batch ``x``, the loss against ``t``,
    backward, one optimizer step. Returns the loss, computed before the step."""
    optimizer.zero_grad()
    value = loss(model(x), t)
    value.backward()
    optimizer.step()
    return value


def fit(model, loss: Callable, optimizer, x, t, *, batch_size: int, epochs: int, seed=0,
        shuffle: bool = True, drop_last: bool = False, tol: float | None = None,
        progress: Callable | None = None) -> History:
    """Train ``model`` with mini-batch gradient descent; return the History.

    Each ``iteration``: forward on a mini-batch, the loss, backward, one optimizer step.
    Stops after ``epochs`` epochs, or earlier at the end of an epoch whose mean loss is
    <= ``tol``. The batches are reshuffled every epoch by one generator seeded with
    ``seed``, so a run is reproducible. ``progress(epoch, mean_loss)`` is called after
    each epoch if given.
    """
    x, t = np.asarray(x), np.asarray(t)
    if len(x) != len(t):
        raise ValueError(f"fit: x has {len(x)} samples but t has {len(t)}")
    _check_sizes("fit", len(x), batch_size, drop_last)   # bad sizes, or epochs with no update
    size("fit", "epochs", epochs, 0)
    flag("fit", "shuffle", shuffle)
    if tol is not None:
        finite("fit", "tol", tol)          # a NaN tol would silently never stop early
    rng = np.random.default_rng(seed)
    history = History(stopped="epochs")
    for epoch in range(epochs):
        order = rng.permutation(len(x)) if shuffle else None
        batch_losses = []
        for idx in minibatches(len(x), batch_size, shuffle=False, order=order, drop_last=drop_last):
            batch_losses.append(float(iteration(model, loss, optimizer, x[idx], t[idx]).data))
        history.losses += batch_losses
        history.epoch_losses.append(float(np.mean(batch_losses)))
        if progress:
            progress(epoch + 1, history.epoch_losses[-1])
        if tol is not None and history.epoch_losses[-1] <= tol:
            history.stopped = "tol"
            break
    return history


# ============================================== the parity runs (comparisons/*/training.py)

class Task(NamedTuple):
    """A model every framework trains step by step: ``mlp(sizes)`` with tanh between the
    layers, and a refimpl loss (each framework's training.py builds the same model and
    takes its own loss of the same name; comparisons/trajectory.py draws the data)."""
    sizes: tuple
    loss: Callable


TASKS = {
    "xor": Task((2, 4, 1), binary_cross_entropy_with_logits),     # logits out
    "linear_regression": Task((3, 1), mse),
}


def trajectory(task: str, weights, x, t, orders, batch_size: int, optimizer: str, hyper: dict):
    """Train a task's model from ``weights`` and record every step.

    One epoch per entry of ``orders`` (each a permutation of the samples: the batch order
    every framework is given), batches of ``batch_size``, the last one partial. Returns
    (losses, path): the loss of each mini-batch before its update, and the parameters
    [W1, b1, ...] after it.
    """
    sizes, loss = TASKS[task]
    model = mlp(sizes, activation=tanh, dtype=weights[0].dtype, weights=weights)
    cls, fixed = OPTIMIZERS[optimizer]
    opt = cls(model.parameters(), **fixed, **hyper)
    losses, path = [], []
    for order in orders:
        for idx in minibatches(len(x), batch_size, order=order):
            losses.append(iteration(model, loss, opt, x[idx], t[idx]).data.astype(np.float64))
            path.append([p.data.copy() for p in model.parameters()])
    return np.array(losses), path
