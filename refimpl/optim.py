"""Gradient descent (경사 하강법) and the optimizers built on it.

Every optimizer moves each parameter against its gradient, ``p <- p - lr * direction``;
they differ in the direction. Each is a small class whose state a learner can inspect:
``opt.t`` is the number of steps taken, ``opt.state[i]`` the running averages kept for
parameter ``i`` (the same shape and dtype as the parameter).

Use it as in torch: make it with the parameters, compute the gradients, call ``step()``.

>>> from refimpl.autodiff import Variable
>>> w = Variable(np.array([3.0]))
>>> opt = SGD([w], lr=0.1)
>>> for _ in range(50):                    # minimise f(w) = w^2, f'(w) = 2w
...     opt.zero_grad()
...     (w * w).backward()
...     opt.step()
>>> bool(abs(w.data[0]) < 1e-4)            # w shrinks by (1 - 2 lr) every step
True

Plain arrays work too: pass them as the parameters and the gradients to ``step``
(the arrays are updated in place). ``maximize=True`` climbs instead (경사 상승법,
gradient ascent), for an objective to make larger, such as a reward.

The defaults differ between the frameworks; refimpl's are torch's, and each class lists
all four. ``comparisons/conventions.py`` measures the frameworks' values live.
The arithmetic is done in float64 for float32, float16 and bfloat16 parameters, and the
parameter and the state are rounded once per step (float16 and bfloat16 through float32,
as every op rounds them).
"""

from __future__ import annotations

import numpy as np

from refimpl._accurate import hi, rounded
from refimpl._arrays import ShapeError
from refimpl.autodiff import Variable

__all__ = ["Optimizer", "SGD", "AdaGrad", "RMSProp", "Adam", "AdamW", "OPTIMIZERS"]


class Optimizer:
    """The shared part: parameters, learning rate, the step count and the per-parameter state.

    A subclass defines ``update(p, g, s) -> new p`` for one parameter, with ``p`` and ``g``
    in the compute precision and ``s`` its state dict (read and written in place). Weight
    decay is applied here, before ``update``: coupled (g + wd p, an L2 term that goes
    through the optimizer's state) or, with ``decoupled = True`` (AdamW), p - lr wd p.
    """

    decoupled = False

    def __init__(self, params, lr: float, maximize: bool = False, weight_decay: float = 0.0):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        for i, p in enumerate(self.params):
            a = p.data if isinstance(p, Variable) else p
            if not isinstance(a, np.ndarray) or not (a.dtype.kind == "f" or a.dtype.name == "bfloat16"):
                raise TypeError(f"{type(self).__name__}: parameter {i} must be a floating-point "
                                f"ndarray or a Variable (updated in place), got {type(p).__name__}")
        _positive(self, "lr", lr)
        _non_negative(self, "weight_decay", weight_decay)
        self.lr, self.maximize, self.weight_decay = lr, bool(maximize), weight_decay
        self.t = 0
        self.state = [{} for _ in self.params]

    def zero_grad(self):
        """Forget the gradients of Variable parameters (backward() adds into .grad)."""
        for p in self.params:
            if isinstance(p, Variable):
                p.zero_grad()

    def step(self, grads=None):
        """One update of every parameter; ``grads`` defaults to each Variable's ``.grad``."""
        if grads is None:
            grads = [p.grad if isinstance(p, Variable) else None for p in self.params]
            if any(g is None for g in grads):
                raise ValueError(f"{type(self).__name__}.step(): a parameter has no .grad; call "
                                 "backward() first or pass the gradients: step(grads)")
        grads = list(grads)
        if len(grads) != len(self.params):
            raise ValueError(f"{type(self).__name__}.step(): {len(grads)} gradients for "
                             f"{len(self.params)} parameters")
        params = [p.data if isinstance(p, Variable) else p for p in self.params]
        grads = [np.asarray(g) for g in grads]
        # check every shape before changing anything: a failed step leaves no half-update
        for i, (p, g) in enumerate(zip(params, grads)):
            if g.shape != p.shape:
                raise ShapeError(f"{type(self).__name__}.step(): the gradient of parameter {i} "
                                 f"has shape {g.shape}, the parameter {p.shape}; a gradient "
                                 "has its parameter's shape")
        self.t += 1
        for p, g, s in zip(params, grads, self.state):
            p32, g = hi(p), (-hi(g) if self.maximize else hi(g))
            if self.weight_decay and self.decoupled:
                p32 = p32 - self.lr * self.weight_decay * p32
            elif self.weight_decay:
                g = g + self.weight_decay * p32
            work = {k: hi(v) for k, v in s.items()}
            new = self.update(p32, g, work)
            s.update({k: rounded(v, p.dtype) for k, v in work.items()})
            p[...] = rounded(new, p.dtype)

    def update(self, p, g, s):
        raise NotImplementedError

    def _root(self, acc):
        """sqrt(acc) + eps, or sqrt(acc + eps) with ``eps_inside_sqrt`` (AdaGrad, RMSProp)."""
        return np.sqrt(acc + self.eps) if self.eps_inside_sqrt else np.sqrt(acc) + self.eps


def _positive(opt, name, v):
    if not (isinstance(v, (int, float, np.floating)) and np.isfinite(v) and v > 0):
        raise ValueError(f"{type(opt).__name__}: {name} must be a finite number > 0, got {v!r}")


def _non_negative(opt, name, v):
    if not (isinstance(v, (int, float, np.floating)) and np.isfinite(v) and v >= 0):
        raise ValueError(f"{type(opt).__name__}: {name} must be a finite number >= 0, got {v!r}")


def _fraction(opt, name, v):
    if not (isinstance(v, (int, float, np.floating)) and 0 <= v < 1):
        raise ValueError(f"{type(opt).__name__}: {name} must be in [0, 1), got {v!r}")


# =========================================================== SGD, momentum, Nesterov

class SGD(Optimizer):
    """(Mini-batch) stochastic gradient descent, with momentum and Nesterov's look-ahead.

    g <- g + weight_decay p                      (coupled weight decay: an L2 term)
    plain:     p <- p - lr g
    momentum:  v <- momentum v + (1 - dampening) g   (v = g at the first step)
               p <- p - lr v
    Nesterov:  p <- p - lr (g + momentum v)          (the gradient at the point v leads to)

    Defaults: lr 1e-3 (torch 1e-3, Keras 0.01, optax none), momentum 0, dampening 0
    (torch only), nesterov False, weight_decay 0 (torch coupled; Keras decoupled,
    p <- p - lr wd p; optax: ``add_decayed_weights``). Keras keeps m = -lr v instead of v,
    which is the same sequence while lr is fixed.
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False,
                 weight_decay=0.0, maximize=False):
        super().__init__(params, lr, maximize, weight_decay)
        _fraction(self, "momentum", momentum)
        _fraction(self, "dampening", dampening)
        if nesterov and (momentum == 0 or dampening != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening 0")
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov

    def update(self, p, g, s):
        if self.momentum:
            v = g if "velocity" not in s else self.momentum * s["velocity"] + (1 - self.dampening) * g
            s["velocity"] = v
            g = g + self.momentum * v if self.nesterov else v
        return p - self.lr * g


# ================================================================= AdaGrad, RMSProp

class AdaGrad(Optimizer):
    """Adaptive gradient: each parameter's step shrinks with its own gradient history.

    G <- G + g^2
    p <- p - lr g / (sqrt(G) + eps)          (eps_inside_sqrt: g / sqrt(G + eps))

    Defaults: lr 0.01 (torch 0.01, Keras 1e-3, optax none), eps 1e-10 (torch 1e-10,
    Keras 1e-7, optax 1e-7), initial_accumulator_value 0 (torch 0, Keras 0.1, optax
    0.1); torch adds eps outside the square root, Keras and optax inside.
    """

    def __init__(self, params, lr=0.01, eps=1e-10, initial_accumulator_value=0.0,
                 weight_decay=0.0, eps_inside_sqrt=False, maximize=False):
        super().__init__(params, lr, maximize, weight_decay)
        _non_negative(self, "eps", eps)
        _non_negative(self, "initial_accumulator_value", initial_accumulator_value)
        self.eps, self.initial, self.eps_inside_sqrt = eps, initial_accumulator_value, eps_inside_sqrt

    def update(self, p, g, s):
        G = s.get("sum_sq", self.initial) + g * g
        s["sum_sq"] = G
        return p - self.lr * g / self._root(G)


class RMSProp(Optimizer):
    """AdaGrad with a forgetting factor: a running mean of g^2 instead of a sum.

    v <- rho v + (1 - rho) g^2
    p <- p - lr g / (sqrt(v) + eps)          (eps_inside_sqrt: g / sqrt(v + eps))

    Defaults: lr 0.01 (torch 0.01, Keras 1e-3, optax none), rho 0.99 (torch's alpha
    0.99, Keras 0.9, optax's decay 0.9), eps 1e-8 (torch 1e-8, Keras 1e-7, optax 1e-8);
    torch adds eps outside the square root, Keras inside, optax inside by default
    (``eps_in_sqrt=True``).
    """

    def __init__(self, params, lr=0.01, rho=0.99, eps=1e-8, weight_decay=0.0,
                 eps_inside_sqrt=False, maximize=False):
        super().__init__(params, lr, maximize, weight_decay)
        _fraction(self, "rho", rho)
        _non_negative(self, "eps", eps)
        self.rho, self.eps, self.eps_inside_sqrt = rho, eps, eps_inside_sqrt

    def update(self, p, g, s):
        v = self.rho * s.get("square_avg", 0.0) + (1 - self.rho) * g * g
        s["square_avg"] = v
        return p - self.lr * g / self._root(v)


# ======================================================================= Adam, AdamW

class Adam(Optimizer):
    """Momentum (a running mean m of g) and RMSProp (a running mean v of g^2), bias-corrected.

    m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2
    m_hat = m / (1 - b1^t),   v_hat = v / (1 - b2^t)       (m, v start at 0: the correction
    p <- p - lr m_hat / (sqrt(v_hat) + eps)                  undoes their pull towards 0)

    ``eps_hat=True`` adds eps to sqrt(v) before the correction, as Keras does (Kingma and
    Ba's "epsilon hat"): p <- p - lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps).
    weight_decay here is coupled (g + wd p, as torch's Adam); AdamW decouples it.

    Defaults: lr 1e-3 (all three), b1 0.9, b2 0.999 (all three), eps 1e-8 (torch 1e-8,
    Keras 1e-7, optax 1e-8).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 eps_hat=False, maximize=False):
        super().__init__(params, lr, maximize, weight_decay)
        _fraction(self, "betas[0]", betas[0])
        _fraction(self, "betas[1]", betas[1])
        _non_negative(self, "eps", eps)
        self.betas, self.eps, self.eps_hat = tuple(betas), eps, eps_hat

    def update(self, p, g, s):
        b1, b2 = self.betas
        m = b1 * s.get("m", 0.0) + (1 - b1) * g
        v = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        s["m"], s["v"] = m, v
        c1, c2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        if self.eps_hat:
            return p - (self.lr * np.sqrt(c2) / c1) * m / (np.sqrt(v) + self.eps)
        return p - self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter): shrink p, then the Adam step.

    p <- p - lr wd p,  then Adam on the gradient of the loss alone.

    Defaults: weight_decay 0.01 (torch 0.01, Keras 0.004, optax 1e-4); the rest as Adam.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01,
                 eps_hat=False, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, eps_hat, maximize)

    decoupled = True


# The parity runs' names (parity.json ``op``) -> (class, the options that name fixes);
# the runs give every other hyperparameter explicitly (comparisons/registry.py).
OPTIMIZERS = {
    "sgd": (SGD, {}),
    "momentum": (SGD, {}),
    "nesterov": (SGD, {"nesterov": True}),
    "adagrad": (AdaGrad, {}),
    "rmsprop": (RMSProp, {}),
    "adam": (Adam, {}),
    "adamw": (AdamW, {}),
}
