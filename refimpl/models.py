"""Layers and models: the affine layer, stacks of layers, linear regression, the perceptron.

A layer is anything callable on a batch ``x`` (rows are samples); a layer with weights
also has ``parameters()``, a list of ``Variable``s the optimizer updates in place. The
activations of refimpl.activations (``tanh``, ``relu``, ...) are layers as they are.

>>> rng = np.random.default_rng(0)
>>> net = mlp([2, 4, 1], rng=rng)            # 2 inputs -> 4 hidden (tanh) -> 1 output
>>> net(np.zeros((5, 2))).shape              # a mini-batch of 5 samples
(5, 1)
>>> [p.shape for p in net.parameters()]      # W1, b1, W2, b2
[(2, 4), (4,), (4, 1), (1,)]
"""

from __future__ import annotations

import numpy as np

from refimpl._arrays import ShapeError, as_float_array
from refimpl._checks import every_entry, positive, size
from refimpl.activations import step, tanh
from refimpl.autodiff import Variable
from refimpl.graph import add
from refimpl.tensors import matmul

__all__ = ["Linear", "Sequential", "mlp", "least_squares", "Perceptron"]


class Linear:
    """The affine layer (완전연결층, fully connected): maps n features to m, y = x W + b.

    For one sample as a column vector this is W^T x + b with W of shape (n, m); for a
    mini-batch x of shape (N, n) the rows are samples and y has shape (N, m). The
    gradients (by backprop through matmul and add) are dW = x^T dy, db = sum of dy over
    the batch, dx = dy W^T: each has its parameter's shape.

    ``W`` and ``b`` may be given (they are copied); otherwise W is drawn from
    N(0, 1/n) (LeCun's scale: the output's variance matches the input's) and b = 0.
    """

    def __init__(self, n_in: int, n_out: int, W=None, b=None, rng=None, dtype=np.float64):
        size("Linear", "n_in", n_in, 1)
        size("Linear", "n_out", n_out, 1)
        if W is None:
            rng = np.random.default_rng() if rng is None else rng
            W = rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, n_out))
        W = np.array(as_float_array(W, "Linear", "W"), dtype=dtype)
        b = np.zeros(n_out, dtype=dtype) if b is None else np.array(as_float_array(b, "Linear", "b"), dtype=dtype)
        if W.shape != (n_in, n_out) or b.shape != (n_out,):
            raise ShapeError(f"Linear({n_in}, {n_out}): W must have shape {(n_in, n_out)} and b "
                             f"{(n_out,)}, got {W.shape} and {b.shape}")
        self.W, self.b = Variable(W, name="W"), Variable(b, name="b")

    def __call__(self, x):
        _features("Linear", x, self.W.shape[0])
        return add(matmul(x, self.W), self.b)

    def parameters(self) -> list:
        return [self.W, self.b]

    def __repr__(self):
        return f"Linear({self.W.shape[0]}, {self.W.shape[1]})"


def _features(fn, x, n):
    if np.shape(x)[-1:] != (n,):
        raise ShapeError(f"{fn}: input has shape {np.shape(x)}, expected (..., {n}): the "
                         "last axis holds the features")


class Sequential:
    """Layers applied one after the other: Sequential(f, g, h)(x) = h(g(f(x)))."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list:
        return [p for layer in self.layers if hasattr(layer, "parameters")
                for p in layer.parameters()]

    def __repr__(self):
        names = (getattr(f, "__name__", None) or repr(f) for f in self.layers)
        return f"Sequential({', '.join(names)})"


def mlp(sizes, activation=tanh, rng=None, dtype=np.float64, weights=None) -> Sequential:
    """A multi-layer perceptron (다층 퍼셉트론): Linear layers with ``activation`` between them.

    ``sizes`` lists the widths from input to output, e.g. [2, 4, 1]; the last layer has
    no activation (its output is a logit or a regression value). ``weights``, if given,
    is the flat list [W1, b1, W2, b2, ...].
    """
    if len(sizes) < 2:
        raise ValueError(f"mlp: sizes needs an input and an output width, got {sizes!r}")
    for i, n in enumerate(sizes):
        size("mlp", f"sizes[{i}]", n, 1)     # a layer of width 0 would pass nothing on
    n_layers = len(sizes) - 1
    if weights is not None and len(weights) != 2 * n_layers:
        raise ValueError(f"mlp: {len(weights)} weight arrays for {n_layers} layers "
                         f"(expected [W1, b1, ..., W{n_layers}, b{n_layers}])")
    layers = []
    for i, (n, m) in enumerate(zip(sizes[:-1], sizes[1:])):
        W, b = (None, None) if weights is None else weights[2 * i: 2 * i + 2]
        layers.append(Linear(n, m, W, b, rng=rng, dtype=dtype))
        if i < n_layers - 1:
            layers.append(activation)
    return Sequential(*layers)


# ==================================================================== linear regression

def least_squares(x, t):
    """Linear regression (선형 회귀) in closed form: the W, b minimising mean((x W + b - t)^2).

    Setting the gradient of the squared loss to zero gives the normal equations
    A^T A w = A^T t for A = [x, 1]; ``np.linalg.lstsq`` solves them without forming A^T A
    (which would square the condition number).

    >>> x = np.array([[0.0], [1.0], [2.0]]); t = 2 * x + 1
    >>> W, b = least_squares(x, t)
    >>> np.round(W, 12), np.round(b, 12)
    (array([[2.]]), array([1.]))
    """
    x, t = as_float_array(x, "least_squares", "x"), as_float_array(t, "least_squares", "t")
    if x.ndim != 2 or t.ndim != 2 or len(x) != len(t):
        raise ShapeError(f"least_squares: x must be (N, n) and t (N, m), got {x.shape} and {t.shape}")
    for name, a in (("x", x), ("t", t)):   # LAPACK would fail with "SVD did not converge"
        every_entry("least_squares", name, a, "be finite", np.isfinite)
    A = np.hstack([x, np.ones((len(x), 1), dtype=x.dtype)])
    w, *_ = np.linalg.lstsq(A, t, rcond=None)
    return w[:-1], w[-1]


# ========================================================================= perceptron

class Perceptron:
    """Rosenblatt's perceptron (퍼셉트론): y = step(x . w + b), trained by its own rule.

    The learning rule needs no derivative: for each sample, w <- w + lr (t - y) x and
    b <- b + lr (t - y). A wrong 0 (t = 1) pulls w towards x and raises b; a wrong 1
    (t = 0) pushes w away from x and lowers b. Either way x's score x . w + b moves by
    lr (|x|^2 + 1) towards the right answer's side of the boundary x . w + b = 0 (crossing
    it may take more than one update); a correct answer changes nothing. If a line
    separates the classes the rule finds one in finitely many updates (Novikoff); if none
    does, it never settles.

    >>> p = Perceptron(2)
    >>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); t = np.array([0, 0, 0, 1])  # AND
    >>> p.fit(x, t).converged, p.predict(x).tolist()
    (True, [0.0, 0.0, 0.0, 1.0])
    """

    def __init__(self, n_in: int, lr: float = 1.0):
        size("Perceptron", "n_in", n_in, 1)
        positive("Perceptron", "lr", lr)
        self.w, self.b, self.lr = np.zeros(n_in), 0.0, lr

    def predict(self, x):
        # step(0) = 0 here (refimpl.step's convention), so the boundary itself says 0
        _features("Perceptron", x, len(self.w))
        return step(np.asarray(x, dtype=np.float64) @ self.w + self.b)

    def fit(self, x, t, max_epochs: int = 100):
        """Apply the rule sample by sample, epoch after epoch, until an epoch has no error.

        Returns a record: ``converged``, ``errors`` per epoch, and ``cycled``: True when
        the weights at the start of an epoch repeat an earlier epoch's while errors remain,
        which proves the rule loops for ever (it is deterministic).
        """
        x, t = np.asarray(x, dtype=np.float64), np.asarray(t, dtype=np.float64)
        if x.ndim != 2 or t.ndim != 1:
            raise ShapeError(f"Perceptron.fit: x must be (N, {len(self.w)}) and t (N,), got "
                             f"{x.shape} and {t.shape}")
        _features("Perceptron.fit", x, len(self.w))
        if len(x) != len(t):               # zip would silently train on the shorter one
            raise ValueError(f"Perceptron.fit: x has {len(x)} samples but t has {len(t)}")
        every_entry("Perceptron.fit", "targets t", t, "be 0 or 1", lambda a: (a == 0) | (a == 1))
        size("Perceptron.fit", "max_epochs", max_epochs, 1)
        seen, errors = set(), []
        for _ in range(max_epochs):
            start = (tuple(self.w), self.b)
            if start in seen:
                return _Fit(False, errors, True)
            seen.add(start)
            wrong = 0
            for xi, ti in zip(x, t):
                delta = ti - self.predict(xi)
                wrong += delta != 0
                self.w = self.w + self.lr * delta * xi
                self.b = self.b + self.lr * delta
            errors.append(int(wrong))
            if wrong == 0:
                return _Fit(True, errors, False)
        return _Fit(False, errors, False)


class _Fit:
    def __init__(self, converged, errors, cycled):
        self.converged, self.errors, self.cycled = converged, errors, cycled

    def __repr__(self):
        return f"Fit(converged={self.converged}, epochs={len(self.errors)}, cycled={self.cycled})"
