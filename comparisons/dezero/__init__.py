"""DeZero twins of refimpl, and the adapter the harness drives them through: a plug-in.

DeZero is the framework built step by step in "Deep Learning from Scratch 3"
(밑바닥부터 시작하는 딥러닝 3), the book lineage of the source posts: a ``Variable`` holds a
numpy array, each ``Function`` keeps its inputs, and ``Variable.backward()`` walks the
creators in generation order. Nobody here wrote it; refimpl judges it through the same
public plug-in path anyone's implementation takes (the entry point ``dezero`` in the group
``refimpl.implementations``, comparisons/check.py), beside the built-in frameworks.

DeZero 0.0.13 (2020, its last release) predates numpy 2: its modules name ``np.int`` (a
dtype default in dezero.transforms), which numpy removed in 1.24, so ``import dezero``
raises AttributeError. ``_with_np_int`` lends numpy that alias for the import only and
takes it back, so no other code in the process ever sees it.

DeZero has no twin of repeat, cosine_similarity, step, softplus, elu, gelu, silu, mae,
huber, binary_cross_entropy_with_logits' exact form, nll or gaussian_nll: those rows
are ``unsupported``. Where its function covers part of refimpl's (a loss without a
``reduction``, softmax_cross_entropy on (N, C) logits with class indices only), the rest
is ``unsupported`` too, saying why.
"""

import contextlib
import functools
import operator
from pathlib import Path

import numpy as np


@contextlib.contextmanager
def _with_np_int():
    """numpy's ``np.int`` alias (removed in numpy 1.24), for as long as DeZero imports."""
    had = "int" in vars(np)
    np.int = int
    try:
        yield
    finally:
        if not had:
            del np.int


with _with_np_int():
    import dezero
    import dezero.functions  # noqa: F401

from comparisons.dezero import activations, graph, losses, tensors, training  # noqa: E402,F401

VERSION = dezero.__version__


def probe() -> dict:
    """Its conventions, measured (comparisons/conventions/dezero.py)."""
    from comparisons.conventions.dezero import probe as measure

    return measure()
XFAILS = Path(__file__).with_name("xfails.txt")   # its failures, each with the cause
NOTE = ("DeZero 0.0.13 predates numpy 2: its import names np.int, removed in numpy 1.24; "
        "its plug-in lends numpy that alias for the import only (comparisons/dezero/__init__.py)")


def to_native(a: np.ndarray):
    # a copy: DeZero's functions may write into their inputs' arrays (y /= ... in Softmax)
    return dezero.Variable(np.array(a))


def to_numpy(t, dtype) -> np.ndarray:
    return np.asarray(t.data if isinstance(t, dezero.Variable) else t)


def forward(fn, arrays, kwargs, elementwise=False):
    with dezero.no_grad():
        return fn(*[to_native(a) for a in arrays], **kwargs)


def vjp(fn, arrays, kwargs, cotangents, wrt=None, elementwise=False):
    """Outputs and the gradients of sum_i <y_i, g_i> with respect to the arrays in ``wrt``.

    DeZero's ``backward()`` starts from one variable with the gradient already in
    ``y.grad`` (ones when it is empty): the cotangent goes there. Several outputs (a
    branch) are joined as L = sum_i sum(y_i * g_i), whose gradient with respect to y_i is
    g_i, exactly (1 * g_i)."""
    wrt = range(len(arrays)) if wrt is None else wrt
    xs = [to_native(a) for a in arrays]
    ys = fn(*xs, **kwargs)
    if isinstance(ys, tuple):
        # not sum(): its start, the int 0, would make L (and every gradient) float64
        y = functools.reduce(operator.add, [dezero.functions.sum(y_i * to_native(g))
                                            for y_i, g in zip(ys, cotangents)])
    else:
        y = ys
        y.grad = to_native(cotangents[0])
    if y.creator is not None:   # an output that is an input (reshape to its own shape)
        y.backward()            # has its gradient already; its backward() would raise
    # an input the output does not depend on gets no gradient at all: a zero one
    return ys, [xs[i].grad if xs[i].grad is not None else np.zeros_like(arrays[i]) for i in wrt]
