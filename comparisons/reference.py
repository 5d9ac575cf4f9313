"""What refimpl says on one case: the arrays a framework is compared with.

Its outputs (check ``forward``) or the vector-Jacobian product of its outputs with the
case's cotangents (check ``grad``, by refimpl's own autodiff), each element's error
yardstick, and the kinks where a derivative is undefined.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import refimpl
from comparisons.strategies import Case

def as_tuple(ys):
    return tuple(ys) if isinstance(ys, (tuple, list)) else (ys,)


def reference_forward(fn, case: Case):
    return tuple(np.asarray(y) for y in as_tuple(fn(*case.arrays, **case.kwargs)))


def vjp_loss(ys, cotangents):
    """sum_i sum(y_i * g_i) for the outputs ``ys`` (one array or several) and their
    cotangents g_i, built from refimpl ops: one scalar whose gradient with respect to the
    inputs is the vector-Jacobian product. Every vjp of refimpl here is taken through it."""
    total = None
    for y, g in zip(as_tuple(ys), cotangents):
        term = refimpl.sum(refimpl.mul(y, g))
        total = term if total is None else refimpl.add(total, term)
    return total


def reference_vjp(fn, case: Case, cotangents, wrt=None):
    """Gradients of sum_i <y_i, g_i> with respect to the arrays in ``wrt`` (default all),
    by refimpl's own autodiff (refimpl.grad)."""
    def loss(*xs):
        return vjp_loss(fn(*xs, **case.kwargs), cotangents)

    with np.errstate(all="ignore"):
        wrt = tuple(range(len(case.arrays))) if wrt is None else tuple(wrt)
        return refimpl.grad(loss, argnums=wrt)(*case.arrays)


def _scales(op, case, dtype, check, outputs, cotangents):
    """The per-element error yardstick of each compared array (None means |ref|)."""
    how = op.forward_scale if check == "forward" else op.grad_scale
    n = len(outputs) if check == "forward" else len(op.wrt_of(case))
    if how == "value":
        return [None] * n
    if callable(how):
        return how(case, dtype, outputs, cotangents if check == "grad" else None)
    # "abs": the same computation on |inputs| (and |cotangents|), in float64.
    absed = Case(tuple(np.abs(x.astype(np.float64)) if x.dtype.kind == "f" or x.dtype.name == "bfloat16"
                       else x for x in case.arrays), case.kwargs, case.seed)
    with np.errstate(all="ignore"):
        if check == "forward":
            return list(reference_forward(op.reference, absed))
        return [np.abs(g) for g in reference_vjp(
            op.reference, absed, [np.abs(c.astype(np.float64)) for c in cotangents], op.wrt_of(case))]


@dataclass
class Reference:
    """What refimpl says on a case: the arrays a framework is compared with, their
    yardsticks, the kinks, and the cotangents the gradients were taken with."""
    expected: tuple
    scales: list
    kinks: list
    cotangents: list


def reference_of(op, fn, case: Case, dtype: str, check: str, cotangents=None) -> Reference:
    with np.errstate(all="ignore"):
        outputs = reference_forward(fn, case)
    cotangents = case.cotangents(outputs) if cotangents is None else cotangents
    expected = outputs if check == "forward" else reference_vjp(fn, case, cotangents, op.wrt_of(case))
    expected = tuple(np.asarray(e) for e in expected)
    kinks = op.kinks(case) if check == "grad" and op.kinks else [None] * len(expected)
    return Reference(expected, _scales(op, case, dtype, check, outputs, cotangents), kinks,
                      cotangents)
