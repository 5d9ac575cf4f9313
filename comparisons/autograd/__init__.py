"""HIPS autograd twins of refimpl, and the adapter the harness drives them through: a plug-in.

autograd (github.com/HIPS/autograd) differentiates plain numpy code: ``autograd.numpy``
wraps numpy's functions so that ``make_vjp`` traces each call on boxed arrays and runs
their vector-Jacobian products backwards. Its twins are numpy as an autograd user writes
it. Nobody here wrote autograd; refimpl judges it through the same public plug-in path
anyone's implementation takes (the entry point ``autograd`` in the group
``refimpl.implementations``, comparisons/check.py), beside the built-in frameworks.
"""

from importlib.metadata import version
from pathlib import Path

import numpy as np
from autograd import make_vjp

from comparisons.adapters import Unsupported
from comparisons.autograd import activations, graph, losses, tensors  # noqa: F401

VERSION = version("autograd")
XFAILS = Path(__file__).with_name("xfails.txt")   # its failures, each with the cause


def to_native(a: np.ndarray) -> np.ndarray:
    return np.array(a)   # autograd's arrays are numpy's; a copy, as every adapter gives


def to_numpy(t, dtype) -> np.ndarray:
    return np.asarray(t)


def forward(fn, arrays, kwargs, elementwise=False):
    return fn(*[to_native(a) for a in arrays], **kwargs)


def vjp(fn, arrays, kwargs, cotangents, wrt=None, elementwise=False):
    """Outputs and the gradients of sum_i <y_i, g_i> with respect to the arrays in ``wrt``:
    ``make_vjp`` over those arrays (a tuple of them), the others closed over as constants."""
    wrt = tuple(range(len(arrays))) if wrt is None else tuple(wrt)
    if any(arrays[i].dtype.name == "bfloat16" for i in wrt):
        raise Unsupported("autograd cannot differentiate bfloat16: it has no vector space for "
                          "ml_dtypes' type (TypeError: Can't differentiate w.r.t. type)")
    xs = [to_native(a) for a in arrays]

    def of(*differentiated):
        args = list(xs)
        for i, x in zip(wrt, differentiated):
            args[i] = x
        return fn(*args, **kwargs)

    back, ys = make_vjp(of, argnum=tuple(range(len(wrt))))(*[xs[i] for i in wrt])
    gs = back(tuple(cotangents) if isinstance(ys, tuple) else cotangents[0])
    return ys, gs
