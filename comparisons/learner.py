"""A learner's hand-written numpy, judged like a framework: the adapter for code with a
backward written beside each forward.

Two styles, as the textbooks write them, found by refimpl's op names:

- functions: ``sigmoid(x)`` and ``sigmoid_backward(x, dout)``. The backward takes the
  forward's inputs, then ``dout``, and returns one gradient per input (a tuple for two);
  keyword arguments (``axis``, ``reduction``) go to both.
- layers, as in "Deep Learning from Scratch" (밑바닥부터 시작하는 딥러닝): a class named
  like the op in CamelCase (``Sigmoid``, ``LeakyReLU``, ``Mul``), built with the keyword
  arguments; ``forward(x)`` keeps what ``backward(dout)`` needs, which returns the
  gradients.

A loss's backward returns the gradient of its prediction only (its target is a constant).
Whatever the module lacks, or raises NotImplementedError for, is ``unsupported`` ("not
implemented"), never an error.

>>> import types
>>> m = types.ModuleType("mine")
>>> m.relu = lambda x: np.maximum(x, 0)
>>> m.relu_backward = lambda x, dout: dout * (x > 0)
>>> t = twin_of(m)(type("Op", (), {"name": "relu"}))
>>> vjp(t, [np.array([-1.0, 2.0])], {}, [np.array([5.0, 5.0])], (0,))[1]
(array([0., 5.]),)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from comparisons.adapters import Unsupported

VERSION = "hand-written numpy"


@dataclass(frozen=True)
class Twin:
    """One op of the learner's module: ``run(arrays, kwargs)`` gives the output and a
    function of dout that gives the gradients."""
    name: str
    run: Callable


def twin_of(module):
    """The lookup ``adapters.register`` takes: a registry op -> the module's Twin of it."""
    # Sigmoid, LeakyReLU, MulLayer (the book's names) -> sigmoid, leakyrelu, mul
    classes = {n.lower().removesuffix("layer"): c for n, c in vars(module).items()
               if isinstance(c, type)}

    def lookup(op) -> Twin:
        f, back = getattr(module, op.name, None), getattr(module, f"{op.name}_backward", None)
        if callable(f):
            def run(arrays, kwargs):
                def backward(dout):
                    if back is None:
                        raise Unsupported(f"not implemented: {op.name}_backward")
                    return back(*arrays, dout, **kwargs)
                return f(*arrays, **kwargs), backward
            return Twin(op.name, run)
        cls = classes.get(op.name.replace("_", ""))
        if cls is not None:
            def run(arrays, kwargs):
                layer = cls(**kwargs)
                return layer.forward(*arrays), layer.backward
            return Twin(op.name, run)
        raise Unsupported(f"not implemented: no {op.name}() or layer class in {module.__name__}")
    return lookup


def _called(step, *args):
    try:
        return step(*args)
    except NotImplementedError as e:
        raise Unsupported(f"not implemented{': ' + str(e) if str(e) else ''}") from None


def to_native(a: np.ndarray) -> np.ndarray:
    return np.array(a)                  # a copy: the learner's code may write into it


def to_numpy(t, dtype) -> np.ndarray:
    return np.asarray(t)                # as it came: a wrong dtype is for the harness to see


def forward(fn: Twin, arrays, kwargs, elementwise=False):
    y, _ = _called(fn.run, [to_native(a) for a in arrays], dict(kwargs))
    return y


def vjp(fn: Twin, arrays, kwargs, cotangents, wrt=None, elementwise=False):
    """The learner's backward, given dout (one output: ``cotangents[0]``). A backward that
    returns one gradient per input has those of ``wrt`` picked out."""
    wrt = tuple(range(len(arrays))) if wrt is None else tuple(wrt)
    y, backward = _called(fn.run, [to_native(a) for a in arrays], dict(kwargs))
    grads = _called(backward, to_native(cotangents[0]))
    grads = tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)
    if len(grads) == len(arrays) and len(wrt) < len(arrays):
        grads = tuple(grads[i] for i in wrt)
    return y, grads
