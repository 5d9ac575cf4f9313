"""HIPS autograd twins of refimpl, and the adapter the harness drives them through: a plug-in.

autograd (github.com/HIPS/autograd) differentiates plain numpy code: ``autograd.numpy``
wraps numpy's functions so that ``grad`` and ``make_vjp`` trace each call on boxed arrays
(an ``ArrayBox`` around the ndarray) and run the vector-Jacobian product each function has
in autograd/numpy/numpy_vjps.py backwards. Its arrays are numpy's own; its twins are the
numpy an autograd user writes, with ``autograd.scipy.special`` where it has the function.
Nobody here wrote autograd; refimpl judges it through the same public plug-in path
anyone's implementation takes (the entry point ``autograd`` in the group
``refimpl.implementations``, comparisons/check.py), beside the built-in frameworks.

autograd has no loss and almost no activation built in: those twins are the formula its
users write (each says so). Gradients are as autograd gives them, never cast: where numpy
promotes a dtype (NEP 50, ml_dtypes' bfloat16, scipy.special's float16 loops) the rows
say so. bfloat16 is differentiated where autograd can box the values: an ndarray of any
dtype is boxed, a numpy scalar only of the types autograd registers (float16/32/64), so a
reduction to a bfloat16 scalar raises "Can't differentiate w.r.t. type" (its rows: error).
"""

from importlib.metadata import version
from pathlib import Path

import numpy as np
from autograd import make_vjp
from autograd.builtins import tuple as traced_tuple
from autograd.numpy.numpy_boxes import ArrayBox

from comparisons.autograd import activations, graph, losses, tensors  # noqa: F401

# autograd has no __version__: the installed distribution's
VERSION = version("autograd")
XFAILS = Path(__file__).with_name("xfails.txt")   # its failures, each with the cause


def probe() -> dict:
    """Its conventions, measured (comparisons/conventions/autograd.py)."""
    from comparisons.conventions.autograd import probe as measure

    return measure()


def to_native(a: np.ndarray) -> np.ndarray:
    # autograd's arrays are numpy's: a copy, as every adapter gives (nothing is shared)
    return np.array(a)


def to_numpy(t, dtype) -> np.ndarray:
    return np.asarray(t._value if isinstance(t, ArrayBox) else t)


def forward(fn, arrays, kwargs, elementwise=False):
    # untraced: autograd.numpy's functions on plain arrays are numpy's
    return fn(*[to_native(a) for a in arrays], **kwargs)


def vjp(fn, arrays, kwargs, cotangents, wrt=None, elementwise=False):
    """Outputs and the gradients of sum_i <y_i, g_i> with respect to the arrays in ``wrt``.

    ``make_vjp`` over those arrays (``argnum`` a tuple of them); the others, targets and
    class indices, are closed over as constants. make_vjp traces one box: a plain tuple of
    outputs (a branch) would read as "Output seems independent of input" and get zero
    gradients, so several outputs go out as autograd's own tuple (autograd.builtins.tuple,
    whose vjp takes the tuple of cotangents). A value used several times adds up its
    cotangents in autograd's backward pass."""
    wrt = tuple(range(len(arrays))) if wrt is None else tuple(wrt)
    xs = [to_native(a) for a in arrays]

    def of(*differentiated):
        args = list(xs)
        for i, x in zip(wrt, differentiated):
            args[i] = x
        ys = fn(*args, **kwargs)
        return traced_tuple(ys) if isinstance(ys, tuple) else ys

    back, ys = make_vjp(of, argnum=tuple(range(len(wrt))))(*[xs[i] for i in wrt])
    gs = back(tuple(to_native(g) for g in cotangents) if isinstance(ys, tuple)
              else to_native(cotangents[0]))
    return ys, gs
