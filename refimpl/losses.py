"""Loss functions (손실 함수): how far a prediction is from the target, as one number.

Regression compares values (mse, mae, huber); classification compares probabilities
with a one-hot or class-index target (binary_cross_entropy, cross_entropy, nll); a
probabilistic model predicts a distribution and is scored by the negative
log-likelihood of the target under it (gaussian_nll: a mean and a variance).

Every loss takes the prediction first and the target ``t`` second, and a ``reduction``:
``"mean"`` (the default, as in torch), ``"sum"`` or ``"none"`` (one loss per element, or
per sample for the class losses). Gradients flow to the prediction; ``t`` is data.

>>> mse(np.array([1.0, 2.0]), np.array([1.0, 4.0]))        # ((0)^2 + (-2)^2) / 2
array(2.)
>>> cross_entropy(np.array([[2.0, 0.0, 0.0]]), np.array([0]))   # -log softmax(x)[0]
array(0.23954477)
"""

from __future__ import annotations

import math

import numpy as np

from refimpl._accurate import hi, rounded, sigmoid_pair, two_prod
from refimpl._arrays import ShapeError
from refimpl._checks import every_entry, flag, one_of, positive
from refimpl.activations import LogSoftmax
from refimpl.autodiff import Function, Variable

__all__ = ["mse", "mae", "huber", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "cross_entropy", "nll", "gaussian_nll"]

REDUCTIONS = ("mean", "sum", "none")


class Loss(Function):
    """An elementwise (or per-sample) loss followed by its reduction.

    A subclass defines ``elementwise(*xs) -> (loss, local_grads)`` in the compute
    precision; ``local_grads`` holds d loss_i / d input for each input. The reduction
    and its backward (mean: each element gets dout / n) live here, once.
    """

    def __init__(self, name, reduction):
        self.name, self.reduction = name, one_of(name, "reduction", reduction, REDUCTIONS)

    def forward(self, *xs):
        self.dtype = xs[0].dtype
        with np.errstate(all="ignore"):
            loss, self.local = self.elementwise(*[hi(x) for x in xs])
            self.n = loss.size
            if self.reduction == "mean":
                loss = np.mean(loss) if loss.size else np.float64(np.nan)
            elif self.reduction == "sum":
                loss = np.sum(loss)
        return rounded(loss, self.dtype)

    def backward(self, dout):
        g = hi(dout)
        if self.reduction == "mean":
            g = g / max(self.n, 1)
        grads = []
        for x, d in zip(self.inputs, self.local):
            with np.errstate(all="ignore"):
                gx = np.broadcast_to(_per_element(g, d), x.shape) * d
            grads.append(rounded(gx, x.dtype))
        return tuple(grads)

    def elementwise(self, *xs):
        raise NotImplementedError


def _per_element(g, d):
    # per-sample losses (class axis last) hand each sample's dout to all its classes
    return g[..., None] if np.ndim(g) and np.ndim(g) < np.ndim(d) else g


def _same_shape(name, y_hat, t):
    if np.shape(y_hat) != np.shape(t):
        raise ShapeError(f"{name}: the target has shape {np.shape(t)} but the prediction has "
                         f"shape {np.shape(y_hat)}; they must be equal")


def _data(x):
    return x.data if isinstance(x, Variable) else np.asarray(x)


# ============================================================= regression: mse, mae, huber

class MSE(Loss):
    def elementwise(self, y_hat, t):
        d = y_hat - t
        return d * d, [2 * d, -2 * d]


def mse(y_hat, t, reduction: str = "mean"):
    """Mean squared error (평균 제곱 오차): mean((y_hat - t)^2); dy_hat = 2 (y_hat - t) / n."""
    _same_shape("mse", _data(y_hat), _data(t))
    return MSE("mse", reduction)(y_hat, t)


class MAE(Loss):
    def elementwise(self, y_hat, t):
        d = y_hat - t
        s = np.sign(d)        # at d = 0 the subgradient 0 is taken (torch's choice)
        return np.abs(d), [s, -s]


def mae(y_hat, t, reduction: str = "mean"):
    """Mean absolute error: mean(|y_hat - t|); dy_hat = sign(y_hat - t) / n."""
    _same_shape("mae", _data(y_hat), _data(t))
    return MAE("mae", reduction)(y_hat, t)


class Huber(Loss):
    def __init__(self, delta, reduction):
        super().__init__("huber", reduction)
        self.delta = float(positive("huber", "delta", delta, inf_ok=True))

    def elementwise(self, y_hat, t):
        d, delta = y_hat - t, self.delta
        small = np.abs(d) <= delta
        loss = np.where(small, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))
        dd = np.clip(d, -delta, delta)
        return loss, [dd, -dd]


def huber(y_hat, t, delta: float = 1.0, reduction: str = "mean"):
    """Huber loss: quadratic for |d| <= delta, linear beyond (robust to outliers).

    loss = 0.5 d^2 if |d| <= delta else delta (|d| - delta / 2), d = y_hat - t;
    dy_hat = clip(d, -delta, delta).

    >>> huber(np.array([0.5, 3.0]), np.zeros(2), reduction="none")
    array([0.125, 2.5  ])
    """
    _same_shape("huber", _data(y_hat), _data(t))
    return Huber(delta, reduction)(y_hat, t)


# ==================================================== binary classification: p and logits

def _in_unit_interval(name, what, a):
    every_entry(name, what, a, "lie in [0, 1]", lambda a: (a >= 0) & (a <= 1))


def _xlogy(t, y):
    """t * y with 0 * log(0) = 0 (the limit): a target of 0 ignores its log term."""
    return np.where(t == 0, 0.0, t * y)


class BinaryCrossEntropy(Loss):
    def elementwise(self, p, t):
        loss = -(_xlogy(t, np.log(p)) + _xlogy(1 - t, np.log1p(-p)))
        # d/dp = (p - t) / (p (1 - p)), which is 1 / (1 - p) for t = 0 and -1 / p for t = 1:
        # written so, a confident right answer (p = t = 0 or 1) has slope +-1, not 0/0.
        dp = np.where(t == 0, 1 / (1 - p), np.where(t == 1, -1 / p, (p - t) / (p * (1 - p))))
        return loss, [dp, np.log1p(-p) - np.log(p)]


def binary_cross_entropy(p, t, reduction: str = "mean"):
    """Binary cross-entropy of probabilities: -(t log p + (1 - t) log(1 - p)).

    No clipping: p = 0 with t = 1 costs +inf, the true value (torch clamps each log at
    -100, Keras clips p to [1e-7, 1 - 1e-7]: see the report's conventions). A NaN in p or
    t is refused, as torch refuses it: it is no probability. Prefer
    ``binary_cross_entropy_with_logits``, which never sees a rounded probability.

    >>> binary_cross_entropy(np.array([0.9, 0.2]), np.array([1.0, 0.0]), reduction="none")
    array([0.10536052, 0.22314355])
    """
    _same_shape("binary_cross_entropy", _data(p), _data(t))
    _in_unit_interval("binary_cross_entropy", "probabilities p", _data(p))
    _in_unit_interval("binary_cross_entropy", "targets t", _data(t))
    return BinaryCrossEntropy("binary_cross_entropy", reduction)(p, t)


class BCEWithLogits(Loss):
    def elementwise(self, x, t):
        # -(t log s(x) + (1-t) log s(-x)) = t softplus(-x) + (1-t) softplus(x): two terms
        # >= 0, so nothing cancels, and s(x) - t below is (1-t) s(x) - t s(-x) likewise.
        tail = np.log1p(np.exp(-np.abs(x)))
        sp_pos, sp_neg = np.maximum(x, 0) + tail, np.maximum(-x, 0) + tail   # softplus(+-x)
        loss = np.where(t == 0, 0.0, t * sp_neg) + np.where(t == 1, 0.0, (1 - t) * sp_pos)
        s, s_neg = sigmoid_pair(x)
        return loss, [(1 - t) * s - t * s_neg, -x]


def binary_cross_entropy_with_logits(x, t, reduction: str = "mean"):
    """Binary cross-entropy of sigmoid(x), computed from the logit x directly.

    loss = t softplus(-x) + (1 - t) softplus(x); dx = sigmoid(x) - t. A NaN logit is an
    answer (the loss is NaN, as in torch); a NaN target is refused.

    >>> binary_cross_entropy_with_logits(np.array([1000.0, -1000.0]), np.array([0.0, 1.0]),
    ...                                  reduction="none")       # no overflow, no NaN
    array([1000., 1000.])
    """
    _same_shape("binary_cross_entropy_with_logits", _data(x), _data(t))
    _in_unit_interval("binary_cross_entropy_with_logits", "targets t", _data(t))
    return BCEWithLogits("binary_cross_entropy_with_logits", reduction)(x, t)


# ================================================= multi-class: cross_entropy and nll

def _class_targets(name, x, t):
    """Check integer class targets against logits or log-probabilities x (classes last)."""
    t = np.asarray(t)
    if x.ndim == 0:
        raise ShapeError(f"{name}: the input needs a class axis (last); got a scalar")
    if t.shape != x.shape[:-1]:
        raise ShapeError(f"{name}: class-index targets have shape {t.shape}, expected "
                         f"{x.shape[:-1]} (the input's shape {x.shape} without its class axis)")
    if t.dtype.kind not in "iu":
        raise TypeError(f"{name}: class-index targets must be integers, got dtype {t.dtype}")
    c = x.shape[-1]
    bad = (t < 0) | (t >= c)
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        raise ValueError(f"{name}: class index {int(t[i])} at {i} is out of range for "
                         f"{c} classes (0..{c - 1})")
    return t.astype(np.intp)


def _one_hot(t, c, dtype):
    return (np.arange(c) == t[..., None]).astype(dtype)


class Picked(Loss):
    """-logp[..., t] per sample, with logp = log_softmax(x) (cross_entropy) or x (nll)."""

    def __init__(self, name, t, reduction, from_logits):
        super().__init__(name, reduction)
        self.t, self.from_logits = t, from_logits

    def elementwise(self, x):
        onehot = _one_hot(self.t, x.shape[-1], x.dtype)
        if self.from_logits:
            ls = LogSoftmax(-1)
            logp = ls.forward(x)
            dx = _softmax_minus(ls, onehot, 1.0)   # softmax - one_hot
        else:
            logp, dx = x, -onehot
        loss = -np.take_along_axis(logp, self.t[..., None], axis=-1)[..., 0]
        return loss, [dx]


class SoftTargetCE(Loss):
    def elementwise(self, x, t):
        ls = LogSoftmax(-1)
        logp = ls.forward(x)
        loss = -np.sum(_xlogy(t, logp), axis=-1)
        return loss, [_softmax_minus(ls, t, np.sum(t, axis=-1, keepdims=True)), -logp]


def _softmax_minus(ls, t, total):
    """softmax(x) * total - t, the logits' gradient, from a LogSoftmax that has run forward.

    Where t_c holds the whole total (a one-hot target), p_c total - total = total expm1(log
    p_c): subtracting would cancel to 0 where the model is confidently right (x = [40, 0, 0],
    class 0: -2e^-40 / (1 + 2e^-40) = -8.4967e-18, not 0). Elsewhere p comes from the
    unrounded log (LogSoftmax.p), not from exp of the rounded one.
    """
    return np.where(t == total, total * np.expm1(ls.y), ls.p * total - t)


def cross_entropy(x, t, reduction: str = "mean"):
    """Cross-entropy (교차 엔트로피) of softmax(x) against the target, class axis last.

    ``t`` is either integer class indices (shape x.shape[:-1]) or a probability per class
    (one-hot or soft labels, shape x.shape). Per sample: -sum_c t_c log softmax(x)_c.
    dx = softmax(x) * sum_c t_c - t (= softmax(x) - one_hot(t) for class indices).

    >>> x = np.array([[2.0, 1.0, 0.1]])
    >>> cross_entropy(x, np.array([0])), cross_entropy(x, np.array([[1.0, 0.0, 0.0]]))
    (array(0.41703002), array(0.41703002))
    """
    xd, td = _data(x), _data(t)
    if np.ndim(xd) == 0:
        raise ShapeError("cross_entropy: the input needs a class axis (last); got a scalar")
    if np.shape(td) == np.shape(xd) and np.asarray(td).dtype.kind not in "iub":
        # a negative share of a class would reward the model for a wrong answer
        every_entry("cross_entropy", "soft targets t", td, "be >= 0", lambda a: a >= 0)
        return SoftTargetCE("cross_entropy", reduction)(x, t)
    return Picked("cross_entropy", _class_targets("cross_entropy", np.asarray(xd), td),
                  reduction, from_logits=True)(x)


def nll(logp, t, reduction: str = "mean"):
    """Negative log-likelihood of the target classes: per sample -logp[..., t].

    ``logp`` holds log-probabilities (e.g. from log_softmax), class axis last; ``t`` holds
    integer class indices. cross_entropy(x, t) == nll(log_softmax(x), t).

    >>> nll(np.log(np.array([[0.7, 0.2, 0.1]])), np.array([1]))   # -log 0.2
    array(1.60943791)
    """
    return Picked("nll", _class_targets("nll", np.asarray(_data(logp)), _data(t)),
                  reduction, from_logits=False)(logp)


# ============================================================ probabilistic: gaussian_nll

class GaussianNLL(Loss):
    def __init__(self, full, eps, reduction):
        super().__init__("gaussian_nll", reduction)
        self.full = flag("gaussian_nll", "full", full)
        self.eps = float(positive("gaussian_nll", "eps", eps))   # the floor under var

    def elementwise(self, mu, t, var):
        v = np.maximum(var, self.eps)   # the clamp guards log(0); the gradient passes it
        d = mu - t
        loss = 0.5 * (np.log(v) + d * (d / v))     # d * (d / v): d * d may overflow first
        if self.full:
            loss = loss + 0.5 * math.log(2 * math.pi)
        # d/dvar = (1/v - d^2/v^2) / 2 = ((v - d^2) / v) / v / 2, with d^2 = p + p_err exact:
        # near v = d^2 the two terms agree in every digit and their difference is noise.
        p, p_err = two_prod(d, d)
        dvar = 0.5 * (((v - p) - p_err) / v) / v
        return loss, [d / v, -d / v, dvar]


def gaussian_nll(mu, t, var, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
    """Gaussian negative log-likelihood of t under N(mu, var): the probabilistic task's loss.

    loss = (log v + (mu - t)^2 / v) / 2 (+ log(2 pi) / 2 if ``full``), v = max(var, eps);
    dmu = (mu - t) / v, dvar = (1/v - (mu - t)^2 / v^2) / 2. Defaults as torch's.

    >>> gaussian_nll(np.array([0.0]), np.array([1.0]), np.array([1.0]))   # (log 1 + 1) / 2
    array(0.5)
    """
    mu_d, t_d, var_d = _data(mu), _data(t), _data(var)
    _same_shape("gaussian_nll", mu_d, t_d)
    if np.shape(var_d) != np.shape(mu_d):
        raise ShapeError(f"gaussian_nll: var has shape {np.shape(var_d)} but mu has shape "
                         f"{np.shape(mu_d)}; they must be equal")
    if (np.asarray(var_d, dtype=np.float64) < 0).any():
        raise ValueError("gaussian_nll: var must be >= 0 (a variance); found a negative entry")
    return GaussianNLL(full, eps, reduction)(mu, t, var)
