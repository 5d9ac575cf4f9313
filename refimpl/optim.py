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
all four. ``comparisons/conventions/`` measures the frameworks' values live.
The arithmetic is done in float64 for float32, float16 and bfloat16 parameters, and the
parameter and the state are rounded once per step (float16 and bfloat16 through float32,
as every op rounds them).
"""

from __future__ import annotations

import numpy as np

from refimpl._accurate import hi, rounded
from refimpl._arrays import ShapeError
from refimpl._checks import flag, fraction, non_negative, positive, shown
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
        name = type(self).__name__
        if isinstance(params, (np.ndarray, Variable)) or not hasattr(params, "__iter__"):
            # iterating one array would make each of its rows a parameter
            raise TypeError(f"{name}: params must be a list of parameters (ndarrays or "
                            f"Variables), got {type(params).__name__}; wrap one in a list: [W]")
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list")
        arrays = []
        for i, p in enumerate(self.params):
            a = p.data if isinstance(p, Variable) else p
            if not isinstance(a, np.ndarray):
                raise TypeError(f"{name}: parameter {i} must be a floating-point ndarray or a "
                                f"Variable (updated in place), got {type(p).__name__}")
            # a parameter listed twice would be updated twice per step
            for j, b in enumerate(arrays):
                if a is b:
                    raise ValueError(f"{name}: parameter {i} is parameter {j} again; "
                                     "list each parameter once")
            arrays.append(a)
            _check_parameter(name, i, a)
        self.lr = positive(name, "lr", lr)
        self.maximize = flag(name, "maximize", maximize)
        self.weight_decay = non_negative(name, "weight_decay", weight_decay)
        self.t = 0
        self.state = [{} for _ in self.params]

    def zero_grad(self):
        """Forget the gradients of Variable parameters (backward() adds into .grad)."""
        for p in self.params:
            if isinstance(p, Variable):
                p.zero_grad()

    def step(self, grads=None):
        """One update of every parameter; ``grads`` defaults to each Variable's ``.grad``.

        All or nothing: every parameter and gradient is checked before the first parameter
        changes and before ``t`` counts the step, so a failed step leaves no half-update.
        """
        name = f"{type(self).__name__}.step()"
        if grads is None:
            grads = [p.grad if isinstance(p, Variable) else None for p in self.params]
            for i, g in enumerate(grads):
                if g is None:
                    raise ValueError(f"{name}: parameter {i} has no .grad; call backward() "
                                     "first or pass the gradients: step(grads)")
        grads = list(grads)
        if len(grads) != len(self.params):
            raise ValueError(f"{name}: {len(grads)} gradients for {len(self.params)} "
                             "parameter(s); pass one gradient per parameter, in order")
        params = [p.data if isinstance(p, Variable) else p for p in self.params]
        grads = [np.asarray(g) for g in grads]
        for i, (p, g) in enumerate(zip(params, grads)):
            _check_parameter(name, i, p)      # a Variable's .data may have been replaced
            _check_gradient(name, i, p, g)
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
        for p in self.params:   # written in place: a graph recorded before cannot backprop
            if isinstance(p, Variable):
                p.version += 1

    def update(self, p, g, s):
        raise NotImplementedError

    def _root(self, acc):
        """sqrt(acc) + eps, or sqrt(acc + eps) with ``eps_inside_sqrt`` (AdaGrad, RMSProp)."""
        return np.sqrt(acc + self.eps) if self.eps_inside_sqrt else np.sqrt(acc) + self.eps


def _is_float(a):
    return a.dtype.kind == "f" or a.dtype.name == "bfloat16"


def _check_parameter(name, i, a):
    """A parameter is a writable floating-point ndarray: the step rounds into it in place."""
    if not isinstance(a, np.ndarray) or not _is_float(a):
        what = a.dtype.name if isinstance(a, np.ndarray) else type(a).__name__
        raise TypeError(f"{name}: parameter {i} must be a floating-point ndarray or a "
                        f"Variable (updated in place), got {what}")
    if not a.flags.writeable:
        raise ValueError(f"{name}: parameter {i} is read-only; the optimizer updates it in place")


def _check_gradient(name, i, p, g):
    if not (_is_float(g) or g.dtype.kind in "iub"):
        raise TypeError(f"{name}: the gradient of parameter {i} must be a real array, got "
                        f"dtype {g.dtype}")
    if g.shape != p.shape:
        raise ShapeError(f"{name}: the gradient of parameter {i} has shape {g.shape}, the "
                         f"parameter {p.shape}; a gradient has its parameter's shape")


def _betas(name, betas):
    """Adam's (b1, b2): a pair, each in [0, 1)."""
    if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
        raise ValueError(f"{name}: betas must be a pair (b1, b2), each in [0, 1), got "
                         f"{shown(betas)}")
    fraction(name, "betas[0]", betas[0])
    fraction(name, "betas[1]", betas[1])
    return tuple(betas)


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
        fraction("SGD", "momentum", momentum)
        fraction("SGD", "dampening", dampening)
        if flag("SGD", "nesterov", nesterov) and (momentum == 0 or dampening != 0):
            raise ValueError(f"SGD: nesterov=True needs momentum > 0 and dampening 0, got "
                             f"momentum={shown(momentum)} and dampening={shown(dampening)}")
        self.momentum, self.dampening, self.nesterov = momentum, dampening, bool(nesterov)

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
        positive("AdaGrad", "eps", eps)      # eps = 0 would make a zero gradient's step 0/0
        non_negative("AdaGrad", "initial_accumulator_value", initial_accumulator_value)
        self.eps, self.initial = eps, initial_accumulator_value
        self.eps_inside_sqrt = flag("AdaGrad", "eps_inside_sqrt", eps_inside_sqrt)

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
        fraction("RMSProp", "rho", rho)
        positive("RMSProp", "eps", eps)
        self.rho, self.eps = rho, eps
        self.eps_inside_sqrt = flag("RMSProp", "eps_inside_sqrt", eps_inside_sqrt)

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
        name = type(self).__name__                       # Adam or AdamW
        self.betas = _betas(name, betas)
        self.eps = positive(name, "eps", eps)
        self.eps_hat = flag(name, "eps_hat", eps_hat)

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
